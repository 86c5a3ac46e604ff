using System.Globalization;

namespace Registries.Core.Interop;

/// <summary>A kubelet <c>CredentialProviderConfig</c> (<c>kubelet.config.k8s.io/v1</c> or <c>v1beta1</c>): the plugins
/// a kubelet may run, as its <c>--image-credential-provider-config</c> file lists them.</summary>
internal sealed class CredentialProviderConfig
{
    /// <summary>The largest config file read; a kubelet's is well under a KiB per provider.</summary>
    internal const int MaxBytes = 256 * 1024;

    internal static readonly string[] ConfigApiVersions = ["kubelet.config.k8s.io/v1", "kubelet.config.k8s.io/v1beta1"];
    internal static readonly string[] PluginApiVersions = ["credentialprovider.kubelet.k8s.io/v1", "credentialprovider.kubelet.k8s.io/v1beta1"];

    private CredentialProviderConfig(IReadOnlyList<KubeletProvider> providers)
    {
        Providers = providers;
    }

    public IReadOnlyList<KubeletProvider> Providers { get; }

    /// <summary>Reads a config file; every problem is a <see cref="ConfigSyntaxException"/>, an <see cref="IOException"/>
    /// (not a regular file, too large), a <see cref="FileNotFoundException"/> or an <see cref="UnauthorizedAccessException"/>.</summary>
    public static CredentialProviderConfig Load(string path)
    {
        var text = RegularFile.ReadAllText(path, "The kubelet credential provider config", MaxBytes, "give the CredentialProviderConfig file your kubelets use");
        return Parse(text);
    }

    /// <summary>Reads a config document (JSON or the YAML subset of <see cref="KubeletYaml"/>).</summary>
    public static CredentialProviderConfig Parse(string text)
    {
        var root = KubeletYaml.Parse(text) as ConfigMapping ?? throw new ConfigSyntaxException("the document is not a mapping: give a CredentialProviderConfig (apiVersion, kind, providers).");
        var apiVersion = RequiredString(root, "apiVersion", "the config");
        if (!ConfigApiVersions.Contains(apiVersion, StringComparer.Ordinal))
        {
            throw Problem(root, "apiVersion", $"apiVersion '{OptionRules.Printable(apiVersion)}' is not one this library reads: give {string.Join(" or ", ConfigApiVersions)}");
        }

        var kind = RequiredString(root, "kind", "the config");
        if (kind != "CredentialProviderConfig")
        {
            throw Problem(root, "kind", $"kind '{OptionRules.Printable(kind)}' is not CredentialProviderConfig");
        }

        Known(root, "the config", "apiVersion", "kind", "providers");
        var providers = new List<KubeletProvider>();
        if (Find(root, "providers") is { } list)
        {
            var sequence = list.Value as ConfigSequence ?? throw Problem(list.Line, "providers must be a list");
            foreach (var item in sequence.Items)
            {
                var provider = ReadProvider(item as ConfigMapping ?? throw Problem(item.Line, "each provider must be a mapping (name, matchImages, ...)"));
                if (providers.Any(p => p.Name == provider.Name))
                {
                    throw Problem(item.Line, $"the provider '{provider.Name}' is named twice");
                }

                providers.Add(provider);
            }
        }

        return new CredentialProviderConfig(providers);
    }

    private static KubeletProvider ReadProvider(ConfigMapping map)
    {
        var name = RequiredString(map, "name", "a provider");
        if (!CredentialSource.IsValidName(name))
        {
            throw Problem(map, "name", $"the provider name '{OptionRules.Printable(name)}' is not a plugin's file name (1 to 64 letters, digits, '.', '_' and '-', never a path)");
        }

        var where = $"the provider '{name}'";
        Known(map, where, "name", "matchImages", "defaultCacheDuration", "apiVersion", "args", "env");
        var patterns = new List<KubeletImagePattern>();
        foreach (var (text, line) in Strings(map, "matchImages", where, required: true))
        {
            patterns.Add(KubeletImagePattern.TryParse(text, out var problem) ?? throw Problem(line, $"{where}: matchImages '{OptionRules.Printable(text)}' is not a pattern: {problem}"));
        }

        if (patterns.Count == 0)
        {
            throw Problem(map, "matchImages", $"{where} has no matchImages: list the images it serves, for example \"*.dkr.ecr.*.amazonaws.com\"");
        }

        var durationText = RequiredString(map, "defaultCacheDuration", where);
        var duration = GoDuration.TryParse(durationText);
        if (duration is not { } defaultCacheDuration || defaultCacheDuration < TimeSpan.Zero)
        {
            throw Problem(map, "defaultCacheDuration", $"{where}: defaultCacheDuration '{OptionRules.Printable(durationText)}' is not a duration: write it as Go does, for example 12h or 10m0s");
        }

        var apiVersion = RequiredString(map, "apiVersion", where);
        if (!PluginApiVersions.Contains(apiVersion, StringComparer.Ordinal))
        {
            throw Problem(map, "apiVersion", $"{where}: apiVersion '{OptionRules.Printable(apiVersion)}' is not one this library speaks: give {string.Join(" or ", PluginApiVersions)}");
        }

        var args = Strings(map, "args", where, required: false).Select(a => a.Text).ToArray();
        var env = new List<KeyValuePair<string, string>>();
        if (Find(map, "env") is { } envEntry)
        {
            var sequence = envEntry.Value as ConfigSequence ?? (envEntry.Value is ConfigScalar { Value: null } ? new ConfigSequence(envEntry.Line, []) : throw Problem(envEntry.Line, $"{where}: env must be a list of name and value"));
            foreach (var item in sequence.Items)
            {
                var variable = item as ConfigMapping ?? throw Problem(item.Line, $"{where}: each env item must be a mapping (name, value)");
                Known(variable, where + "'s env item", "name", "value");
                var variableName = RequiredString(variable, "name", where + "'s env item");
                if (variableName.Contains('=', StringComparison.Ordinal) || variableName.Any(char.IsControl) || variableName.Contains('\0', StringComparison.Ordinal))
                {
                    throw Problem(variable, "name", $"{where}: the env name '{OptionRules.Printable(variableName)}' is not a variable name");
                }

                var value = Find(variable, "value") is { Value: ConfigScalar { Value: var v } } ? v ?? string.Empty : throw Problem(variable.Line, $"{where}: the env item '{variableName}' needs a value");
                env.Add(new(variableName, value));
            }
        }

        return new KubeletProvider(name, patterns, defaultCacheDuration, apiVersion, args, env);
    }

    private static (string Key, int Line, ConfigNode Value)? Find(ConfigMapping map, string key)
    {
        foreach (var entry in map.Entries)
        {
            if (entry.Key == key)
            {
                return entry;
            }
        }

        return null;
    }

    private static void Known(ConfigMapping map, string where, params string[] keys)
    {
        foreach (var (key, line, _) in map.Entries)
        {
            if (!keys.Contains(key, StringComparer.Ordinal))
            {
                throw Problem(line == 0 ? map.Line : line, $"{where} has the key '{OptionRules.Printable(key)}', which this library does not know (it reads {string.Join(", ", keys)})");
            }
        }
    }

    private static string RequiredString(ConfigMapping map, string key, string where)
        => Find(map, key) is { Value: ConfigScalar { Value: { Length: > 0 } value } }
            ? value
            : throw Problem(map.Line, $"{where} needs '{key}' with a text value");

    private static List<(string Text, int Line)> Strings(ConfigMapping map, string key, string where, bool required)
    {
        if (Find(map, key) is not { } entry || entry.Value is ConfigScalar { Value: null })
        {
            return required ? throw Problem(map.Line, $"{where} needs '{key}', a list") : [];
        }

        var sequence = entry.Value as ConfigSequence ?? throw Problem(entry.Line, $"{where}: '{key}' must be a list");
        return sequence.Items.Select(i => i is ConfigScalar { Value: { } text } ? (text, i.Line) : throw Problem(i.Line, $"{where}: each item of '{key}' must be a text")).ToList();
    }

    private static ConfigSyntaxException Problem(ConfigMapping map, string key, string what)
        => Problem(Find(map, key)?.Line ?? map.Line, what);

    private static ConfigSyntaxException Problem(int line, string what)
        => new(line > 0 ? $"line {line.ToString(CultureInfo.InvariantCulture)}: {what}." : $"{what}.");
}

/// <summary>One provider of a <see cref="CredentialProviderConfig"/>.</summary>
internal sealed class KubeletProvider(string name, IReadOnlyList<KubeletImagePattern> matchImages, TimeSpan defaultCacheDuration, string apiVersion, IReadOnlyList<string> args, IReadOnlyList<KeyValuePair<string, string>> env)
{
    public string Name { get; } = name;

    public IReadOnlyList<KubeletImagePattern> MatchImages { get; } = matchImages;

    public TimeSpan DefaultCacheDuration { get; } = defaultCacheDuration;

    public string ApiVersion { get; } = apiVersion;

    public IReadOnlyList<string> Args { get; } = args;

    // The config's env may hold a cloud secret: never printed.
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; } = env;

    public override string ToString() => $"{Name} ({ApiVersion}, {string.Join(", ", MatchImages)})";
}
