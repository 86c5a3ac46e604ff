using System.CommandLine;

namespace Registries.Cli;

// --store, --as and --json, and the operator's allow-lists of credential sources: recursive, so they may be written
// before or after the command's name.
internal sealed class GlobalOptions
{
    public const string CredentialHelpersVariable = "REGISTRIES_CREDENTIAL_HELPERS";

    public const string KubeletPluginConfigVariable = "REGISTRIES_KUBELET_PLUGIN_CONFIG";

    public const string KubeletPluginDirVariable = "REGISTRIES_KUBELET_PLUGIN_DIR";

    public const string StoreVariable = "REGISTRIES_STORE";

    public const string UserVariable = "REGISTRIES_USER";

    public const string KeyFileVariable = "REGISTRIES_KEY_FILE";

    public Option<string?> Store { get; } = new("--store")
    {
        Description = $"The store: a file, or a PostgreSQL database (postgresql://USER@HOST:PORT/DB, or a key=value connection string). Default: ${StoreVariable}, else ~/.registries/store.json.",
        HelpName = "FILE|URI",
        Recursive = true,
    };

    public Option<string?> KeyFile { get; } = new("--key-file")
    {
        Description = $"The file holding the key that protects the passwords. Default: ${KeyFileVariable}, else STORE.key beside a store file, ~/.registries/store.key for a database.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> As { get; } = new("--as")
    {
        Description = $"The acting user. Default: ${UserVariable}, else the operating system's user name.",
        HelpName = "USER",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print one JSON document on stdout instead of text.",
        Recursive = true,
    };

    public Option<string?> CredentialHelpers { get; } = new("--credential-helpers")
    {
        Description = $"The Docker credential helpers entries may use, comma-separated names (ecr-login,pass runs docker-credential-ecr-login and docker-credential-pass, found on PATH). Default: ${CredentialHelpersVariable}, else none: an entry of a helper then resolves as unavailable.",
        HelpName = "LIST",
        Recursive = true,
    };

    public Option<string?> KubeletPluginConfig { get; } = new("--kubelet-plugin-config")
    {
        Description = $"The kubelet CredentialProviderConfig file (YAML or JSON, as a kubelet's --image-credential-provider-config) naming the plugins entries may use. Default: ${KubeletPluginConfigVariable}, else none.",
        HelpName = "FILE",
        Recursive = true,
    };

    public Option<string?> KubeletPluginDir { get; } = new("--kubelet-plugin-dir")
    {
        Description = $"The directory holding the plugins' programs (a kubelet's --image-credential-provider-bin-dir). Default: ${KubeletPluginDirVariable}; needed with a plugin config.",
        HelpName = "DIR",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(CredentialHelpers);
        root.Options.Add(KubeletPluginConfig);
        root.Options.Add(KubeletPluginDir);
        root.Options.Add(Store);
        root.Options.Add(KeyFile);
        root.Options.Add(As);
        root.Options.Add(Json);
    }

    public string StorePath(ParseResult parseResult)
    {
        var path = parseResult.GetValue(Store);
        if (string.IsNullOrWhiteSpace(path))
        {
            path = System.Environment.GetEnvironmentVariable(StoreVariable);
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            path = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile, System.Environment.SpecialFolderOption.DoNotVerify), ".registries", "store.json");
        }

        // A database is named as it is; a file path is made absolute, so that the key's default place beside it is fixed.
        return CliStore.IsDatabase(path) ? path : Path.GetFullPath(path);
    }

    // Null when neither --key-file nor $REGISTRIES_KEY_FILE names one: the store's own default then applies.
    public string? KeyFilePath(ParseResult parseResult)
    {
        var path = parseResult.GetValue(KeyFile);
        if (string.IsNullOrWhiteSpace(path))
        {
            path = System.Environment.GetEnvironmentVariable(KeyFileVariable);
        }

        return string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
    }

    public string Actor(ParseResult parseResult)
    {
        var user = parseResult.GetValue(As);
        if (user is not null)
        {
            // Given explicitly: an empty or blank name is bad input, reported by the library.
            return user;
        }

        user = System.Environment.GetEnvironmentVariable(UserVariable);
        return string.IsNullOrEmpty(user) ? System.Environment.UserName : user;
    }

    // The helper names of --credential-helpers, else $REGISTRIES_CREDENTIAL_HELPERS: comma-separated, blanks around a
    // name ignored; an empty list allows none. Each name is checked where the source's options are validated.
    public IReadOnlyList<string> AllowedCredentialHelpers(ParseResult parseResult)
    {
        var list = parseResult.GetValue(CredentialHelpers);
        if (list is null)
        {
            list = System.Environment.GetEnvironmentVariable(CredentialHelpersVariable);
        }

        return string.IsNullOrWhiteSpace(list)
            ? []
            : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    public string? KubeletPluginConfigPath(ParseResult parseResult) => PathOf(parseResult.GetValue(KubeletPluginConfig), KubeletPluginConfigVariable);

    public string? KubeletPluginDirectory(ParseResult parseResult) => PathOf(parseResult.GetValue(KubeletPluginDir), KubeletPluginDirVariable);

    private static string? PathOf(string? given, string variable)
    {
        var path = string.IsNullOrWhiteSpace(given) ? System.Environment.GetEnvironmentVariable(variable) : given;
        return string.IsNullOrWhiteSpace(path) ? null : Path.GetFullPath(path);
    }
}
