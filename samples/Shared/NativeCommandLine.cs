namespace Registries.Samples.Shared;

// The command line of the native credential helper and kubelet provider: a few options and positional words, parsed
// by hand (a parsing library costs start-up time on every pull). The same names and defaults as the registries CLI:
// --store (else $REGISTRIES_STORE, else ~/.registries/store.json), --key-file (else $REGISTRIES_KEY_FILE, else the
// store's default place), --as (else $REGISTRIES_USER, else the OS user name).
internal sealed class NativeCommandLine
{
    public const string StoreVariable = "REGISTRIES_STORE";
    public const string KeyFileVariable = "REGISTRIES_KEY_FILE";
    public const string UserVariable = "REGISTRIES_USER";

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private NativeCommandLine(List<string> words) => Words = words;

    // The positional words, in order (the helper's verb; the provider's environment).
    public List<string> Words { get; }

    // Parses `--name VALUE`, `--name=VALUE` and positional words; `--` ends the options. Only the options named in
    // `known` are accepted: a mistyped one is refused, never taken as a word.
    public static NativeCommandLine Parse(string[] args, IReadOnlyCollection<string> known)
    {
        var words = new List<string>();
        var line = new NativeCommandLine(words);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                words.AddRange(args.AsSpan(i + 1));
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                words.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown option '{name}': the options are {string.Join(", ", known)}.");
            }

            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                value = args[++i];
            }
            else
            {
                throw new ArgumentException($"option '{name}' needs a value.");
            }

            if (!line._values.TryAdd(name, value))
            {
                throw new ArgumentException($"option '{name}' is given twice: give it once.");
            }
        }

        return line;
    }

    public string? Value(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public string StorePath()
    {
        var path = Value("--store");
        if (string.IsNullOrWhiteSpace(path))
        {
            path = System.Environment.GetEnvironmentVariable(StoreVariable);
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            path = Path.Combine(Home(), ".registries", "store.json");
        }

        // A database is named as it is; a file path is made absolute, so that the key's default place beside it is fixed.
        return StoreLocation.IsDatabase(path) ? path : Path.GetFullPath(path);
    }

    // The key file: --key-file, else $REGISTRIES_KEY_FILE, else STORE.key beside a store file, ~/.registries/store.key
    // for a database (the CLI's rule).
    public string KeyFilePath(string store)
    {
        var path = Value("--key-file");
        if (string.IsNullOrWhiteSpace(path))
        {
            path = System.Environment.GetEnvironmentVariable(KeyFileVariable);
        }

        if (!string.IsNullOrWhiteSpace(path))
        {
            return Path.GetFullPath(path);
        }

        return StoreLocation.IsDatabase(store) ? Path.Combine(Home(), ".registries", "store.key") : store + ".key";
    }

    public string Caller()
    {
        if (Value("--as") is { } user)
        {
            // Given explicitly: an empty or blank name is bad input, reported by the library.
            return user;
        }

        user = System.Environment.GetEnvironmentVariable(UserVariable);
        return string.IsNullOrEmpty(user) ? System.Environment.UserName : user;
    }

    private static string Home()
        => System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile, System.Environment.SpecialFolderOption.DoNotVerify);
}
