using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;
using Registries.Core.Sources;

namespace Registries.Core.Interop;

/// <summary>The credential source of entries whose credential comes from a kubelet credential provider plugin: runs the
/// plugin with the kubelet's exec protocol (<c>credentialprovider.kubelet.k8s.io/v1</c> or <c>v1beta1</c>).</summary>
/// <remarks>
/// <para>Plugins are configured the way kubelets configure them: a <c>CredentialProviderConfig</c> file
/// (<see cref="KubeletPluginSourceOptions.ConfigFile"/>) and a bin folder (<see cref="KubeletPluginSourceOptions.BinDirectory"/>),
/// so an operator reuses the file their kubelets have. An entry's source names a provider of that file; nothing else
/// runs, and no path or argument comes from an entry.</para>
/// <para>The provider's <c>matchImages</c> must cover the image as the kubelet matches them (globs on each host label, the
/// same port, the path as a prefix); otherwise the fetch fails and the plugin is not run. The plugin gets a
/// <c>CredentialProviderRequest</c> on stdin with the image (its normalized form, <c>docker.io/library/ubuntu:22.04</c>;
/// for a whole address, the address: <c>registry.example:5000</c>), the provider's <c>args</c>, and an environment of
/// <c>PATH</c> (the absolute folders of this process's), <c>HOME</c> when set, and the provider's <c>env</c>: nothing else
/// of this process's environment.</para>
/// <para>Of the response's <c>auth</c> entries, those whose key matches the image are candidates and the most specific one
/// wins (the longest path, then the fewest wildcards in the host); none matching means the plugin has no credential for
/// the image (<see langword="null"/>). <c>cacheKeyType</c> <c>Image</c>, <c>Registry</c> and <c>Global</c> become
/// <see cref="CredentialCacheScope.Image"/>, <see cref="CredentialCacheScope.Registry"/> and
/// <see cref="CredentialCacheScope.Entry"/>; the credential expires after <c>cacheDuration</c>, or the provider's
/// <c>defaultCacheDuration</c> when the response gives none or zero. A duration under one second counts as one second (a
/// plugin that answers microseconds by mistake still serves the resolution at hand, and is asked again after it).</para>
/// <para>The plugin runs in a process group of its own that is killed once it answered or after
/// <see cref="KubeletPluginSourceOptions.Timeout"/>; its output is bounded (1 MiB), and a plugin that another user could
/// replace is refused. Its failure is reported with the first line it wrote on stderr, any credential it printed masked.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class KubeletPluginSource : ICredentialSource
{
    private static readonly TimeSpan MinimumLife = TimeSpan.FromSeconds(1);

    private readonly CredentialProviderConfig _config;
    private readonly string _configFile;
    private readonly string _binDirectory;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a source; the config file is read now.</summary>
    /// <param name="options">The options, read once.</param>
    /// <param name="timeProvider">The clock of expiries and of the timeout; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid: a missing or relative path, a config file
    /// that cannot be read or is not a valid <c>CredentialProviderConfig</c> (the message names the line), a timeout out
    /// of range.</exception>
    public KubeletPluginSource(IOptions<KubeletPluginSourceOptions> options, TimeProvider? timeProvider = null)
    {
        var value = ValidatedOptions.Get(options, new KubeletPluginSourceOptionsValidator());

        // Read again rather than kept from the validation: the validator is shared with dependency injection.
        if (KubeletPluginSourceOptionsValidator.Load(value.ConfigFile!, out var config) is { } problem)
        {
            ValidatedOptions.ThrowIfAny<KubeletPluginSourceOptions>([problem]);
        }

        _config = config!;
        _configFile = value.ConfigFile!;
        _binDirectory = value.BinDirectory!;
        _timeout = value.Timeout;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public CredentialSourceKind Kind => CredentialSourceKind.KubeletPlugin;

    /// <summary>Tells what keeps the source working now, one line each: the config file no longer parses, or a
    /// provider's binary is missing from the bin folder or refused by <see cref="TrustedProgram"/>; none when all is well.
    /// The config is read again, as an operator may have changed it since the start. For the health check.</summary>
    internal IEnumerable<string> Problems()
    {
        if (KubeletPluginSourceOptionsValidator.Load(_configFile, out var config) is { } problem)
        {
            yield return problem;
            yield break;
        }

        foreach (var provider in config!.Providers)
        {
            var executable = Path.Combine(_binDirectory, provider.Name);
            if (!File.Exists(executable))
            {
                yield return $"the kubelet plugin '{provider.Name}' was not found in {_binDirectory}: install it there, or remove it from {_configFile}.";
            }
            else if (TrustedProgram.Distrust(executable, $"the kubelet plugin '{provider.Name}'") is { } distrust)
            {
                yield return distrust;
            }
        }
    }

    /// <summary>Gets the names of the providers the config file lists, in its order.</summary>
    public IReadOnlyList<string> ProviderNames => _config.Providers.Select(p => p.Name).ToArray();

    /// <summary>Runs the entry's plugin for the image (or address) and returns the credential it gives.</summary>
    /// <param name="request">The entry (its source names the provider) and what is resolved.</param>
    /// <param name="cancellationToken">Cancels the operation (the plugin is killed).</param>
    /// <returns>The credential, or <see langword="null"/> when the plugin's answer holds none for the image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The entry's source is not a kubelet plugin.</exception>
    /// <exception cref="CredentialSourceException">The provider is not in the config, its matchImages do not cover the
    /// image, the plugin is missing or refused, could not start, timed out, wrote too much, failed or answered something
    /// that is not a valid <c>CredentialProviderResponse</c>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.Registry.Source;
        if (source.Kind != CredentialSourceKind.KubeletPlugin || source.Name is not { } name)
        {
            throw new ArgumentException($"The entry's source is {source}, not a kubelet plugin.", nameof(request));
        }

        var provider = _config.Providers.FirstOrDefault(p => p.Name == name)
            ?? throw new CredentialSourceException(source, $"the kubelet plugin '{name}' is not a provider of the operator's config {_configFile} (it names {(_config.Providers.Count == 0 ? "none" : string.Join(", ", _config.Providers.Select(p => p.Name)))}): ask the operator to add it, or choose one of these.");
        var image = request.Image?.ToString() ?? request.Address.ToString();
        if (!provider.MatchImages.Any(p => p.Matches(image)))
        {
            throw new CredentialSourceException(source, $"the kubelet plugin '{name}' is not run for {image}: its matchImages ({string.Join(", ", provider.MatchImages)}) do not cover the image; the operator widens them in {_configFile}.");
        }

        var executable = Path.Combine(_binDirectory, name);
        if (!File.Exists(executable))
        {
            throw new CredentialSourceException(source, $"the kubelet plugin '{name}' was not found in {_binDirectory}: install it there.");
        }

        if (TrustedProgram.Distrust(executable, $"the kubelet plugin '{name}'") is { } distrust)
        {
            throw new CredentialSourceException(source, distrust);
        }

        var input = RequestDocument(provider.ApiVersion, image);
        var run = await BoundedProcess.RunAsync(executable, provider.Args, input, Environment(provider), inheritEnvironment: false, _timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        var program = $"the kubelet plugin '{name}'";
        SourceProgramRuns.ThrowIfUnanswered(source, program, run, _timeout, "a plugin");

        var mask = PrintedSecrets.Add(MaskOf(run.StandardOutput), ["password"], run.StandardOutput, run.StandardError);
        if (run.ExitCode != 0)
        {
            var said = BoundedProcess.FirstLine(mask.Apply(run.StandardError)) ?? BoundedProcess.FirstLine(mask.Apply(run.StandardOutput)) ?? "no message";
            throw new CredentialSourceException(source, $"{program} failed for {image} (exit code {run.ExitCode.ToString(CultureInfo.InvariantCulture)}): {said}");
        }

        return Read(source, program, provider, image, run.StandardOutput);
    }

    /// <inheritdoc/>
    public override string ToString() => $"kubelet plugins of {_configFile} ({string.Join(", ", _config.Providers.Select(p => p.Name))})";

    private static IEnumerable<KeyValuePair<string, string>> Environment(KubeletProvider provider)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = string.Join(Path.PathSeparator, CredentialHelperClient.AbsolutePathEntries(System.Environment.GetEnvironmentVariable("PATH"))),
        };
        if (System.Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home)
        {
            environment["HOME"] = home;
        }

        foreach (var (key, value) in provider.Env)
        {
            environment[key] = value;
        }

        return environment;
    }

    private SourcedCredential? Read(CredentialSource source, string program, KubeletProvider provider, string image, string output)
    {
        CredentialSourceException Invalid(string what) => new(source, $"{program} answered a response that is not valid: {what}; check the plugin.");
        try
        {
            using var document = JsonDocument.Parse(output, new JsonDocumentOptions { MaxDepth = 8 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("it is not a JSON object");
            }

            var apiVersion = Text(root, "apiVersion");
            if (apiVersion != provider.ApiVersion)
            {
                throw Invalid($"its apiVersion is '{OptionRules.Printable(apiVersion ?? string.Empty)}', not the config's {provider.ApiVersion}");
            }

            if (Text(root, "kind") != "CredentialProviderResponse")
            {
                throw Invalid("its kind is not CredentialProviderResponse");
            }

            var scope = Text(root, "cacheKeyType") switch
            {
                "Image" => CredentialCacheScope.Image,
                "Registry" => CredentialCacheScope.Registry,
                "Global" => CredentialCacheScope.Entry,
                var other => throw Invalid($"its cacheKeyType is '{OptionRules.Printable(other ?? string.Empty)}', not Image, Registry or Global"),
            };
            var life = provider.DefaultCacheDuration;
            if (root.TryGetProperty("cacheDuration", out var durationElement) && durationElement.ValueKind != JsonValueKind.Null)
            {
                var text = durationElement.ValueKind == JsonValueKind.String ? durationElement.GetString() : null;
                var duration = GoDuration.TryParse(text) ?? throw Invalid($"its cacheDuration '{OptionRules.Printable(text ?? durationElement.GetRawText())}' is not a duration");
                if (duration < TimeSpan.Zero)
                {
                    throw Invalid("its cacheDuration is negative");
                }

                if (duration > TimeSpan.Zero)
                {
                    life = duration;
                }
            }

            if (life < MinimumLife)
            {
                life = MinimumLife;
            }

            if (!root.TryGetProperty("auth", out var auth) || auth.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (auth.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("its auth is not an object");
            }

            (KubeletImagePattern Pattern, JsonElement Value)? best = null;
            foreach (var entry in auth.EnumerateObject())
            {
                var pattern = KubeletImagePattern.TryParse(entry.Name, out _);
                if (pattern is null || !pattern.Matches(image))
                {
                    continue;
                }

                if (best is null || pattern.Specificity.CompareTo(best.Value.Pattern.Specificity) > 0)
                {
                    best = (pattern, entry.Value);
                }
            }

            if (best is not { Value: var credential })
            {
                return null;
            }

            if (credential.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("an auth entry is not an object");
            }

            var username = Text(credential, "username") ?? string.Empty;
            var password = Text(credential, "password") ?? string.Empty;
            if (username.Length == 0 && password.Length == 0)
            {
                return null;
            }

            if (username.Length == 0 || password.Length == 0 || username.Any(char.IsControl))
            {
                throw Invalid($"the auth entry for {best.Value.Pattern} has {(username.Length == 0 ? "a password but no username" : password.Length == 0 ? "a username but no password" : "a username holding control characters")}");
            }

            return new SourcedCredential(username, new RegistrySecret(password), CredentialSecretKind.Password, _timeProvider.GetUtcNow() + life, scope);
        }
        catch (JsonException)
        {
            throw Invalid("it is not JSON");
        }
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Every password of an answer, to mask in what the plugin said on failure.
    private static CredentialMask MaskOf(string output)
    {
        var mask = CredentialMask.None;
        try
        {
            using var document = JsonDocument.Parse(output, new JsonDocumentOptions { MaxDepth = 8 });
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("auth", out var auth) && auth.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auth.EnumerateObject())
                {
                    if (entry.Value.ValueKind == JsonValueKind.Object)
                    {
                        mask = mask.With(Text(entry.Value, "password"), Text(entry.Value, "username"));
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return mask;
    }

    // The request the kubelet writes on the plugin's stdin, written without reflection (the native executables trim it away).
    private static string RequestDocument(string apiVersion, string image)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", apiVersion);
            writer.WriteString("kind", "CredentialProviderRequest");
            writer.WriteString("image", image);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
