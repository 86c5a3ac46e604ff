using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Sources;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>The kubelet plugin source over a plugin fixture that follows the exec protocol.</summary>
public sealed class KubeletPluginSourceTests : IDisposable
{
    private const string Canary = "CANARY-plugin-pw-91ab";
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly ProgramFolder _folder = new();

    public KubeletPluginSourceTests()
    {
        _folder.Write("fixture", KubeletPluginFixture.Script);
    }

    public void Dispose() => _folder.Dispose();

    internal static CredentialSourceRequest Request(string plugin, string image)
    {
        var reference = ImageReference.Parse(image);
        var registry = new Registry("1r1", "1a1", reference.Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.KubeletPlugin(plugin));
        return new CredentialSourceRequest(registry, reference.Address, reference, null);
    }

    private KubeletPluginSource Source(string config, TimeSpan? timeout = null)
    {
        var file = _folder.WriteFile("config.yaml", config);
        return new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = file, BinDirectory = _folder.Path, Timeout = timeout ?? TimeSpan.FromSeconds(30) }), new FixedClock(Now));
    }

    private KubeletPluginSource Plugin(string apiVersion, string[] matchImages, params string[] args)
    {
        File.Copy(_folder.File_("fixture"), _folder.File_("plugin"), overwrite: true);
        return Source(KubeletPluginFixture.Yaml("plugin", apiVersion, matchImages, args, "10m", _folder.File_("request.json")));
    }

    private JsonElement Logged() => JsonDocument.Parse(File.ReadAllText(_folder.File_("request.json"))).RootElement;

    [Theory]
    [InlineData("credentialprovider.kubelet.k8s.io/v1")]
    [InlineData("credentialprovider.kubelet.k8s.io/v1beta1")]
    public async Task FetchAsync_Answer_CredentialWithTheProtocolsRequest(string apiVersion)
    {
        var source = Plugin(apiVersion, ["*.example.com"], "--auth", "*.example.com=robot:" + Canary, "--cache-duration", "1h");

        var credential = await source.FetchAsync(Request("plugin", "registry.example.com/team/app:1"), default);

        Assert.NotNull(credential);
        Assert.Equal("robot", credential.Username);
        Assert.Equal(Canary, credential.Secret.Reveal());
        Assert.Equal(Now + TimeSpan.FromHours(1), credential.ExpiresAt);
        Assert.Equal(CredentialCacheScope.Registry, credential.CacheScope);
        var request = Logged().GetProperty("request");
        Assert.Equal(apiVersion, request.GetProperty("apiVersion").GetString());
        Assert.Equal("CredentialProviderRequest", request.GetProperty("kind").GetString());
        Assert.Equal("registry.example.com/team/app:1", request.GetProperty("image").GetString());
        Assert.DoesNotContain(Canary, credential.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Image", CredentialCacheScope.Image)]
    [InlineData("Registry", CredentialCacheScope.Registry)]
    [InlineData("Global", CredentialCacheScope.Entry)]
    public async Task FetchAsync_CacheKeyType_BecomesTheScope(string cacheKeyType, CredentialCacheScope expected)
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], "--auth", "registry.example.com=u:p", "--cache-key-type", cacheKeyType);

        var credential = await source.FetchAsync(Request("plugin", "registry.example.com/app"), default);

        Assert.Equal(expected, credential!.CacheScope);
    }

    [Theory]
    [InlineData(null, 600)]
    [InlineData("0s", 600)]
    [InlineData("12h0m0s", 43200)]
    [InlineData("1m30.5s", 90.5)]
    [InlineData("5us", 1)]
    public async Task FetchAsync_CacheDuration_SetsTheExpiry(string? duration, double seconds)
    {
        var args = new List<string> { "--auth", "registry.example.com=u:p" };
        if (duration is not null)
        {
            args.AddRange(["--cache-duration", duration]);
        }

        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], [.. args]);

        var credential = await source.FetchAsync(Request("plugin", "registry.example.com/app"), default);

        Assert.Equal(Now + TimeSpan.FromSeconds(seconds), credential!.ExpiresAt);
    }

    [Fact]
    public async Task FetchAsync_SeveralAuthKeys_TheMostSpecificMatchWins()
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["*.example.com"],
            "--auth", "*.example.com=wide:p1", "--auth", "registry.example.com/team=narrow:p2", "--auth", "registry.example.com/other=other:p3");

        Assert.Equal("narrow", (await source.FetchAsync(Request("plugin", "registry.example.com/team/app"), default))!.Username);
        Assert.Equal("wide", (await source.FetchAsync(Request("plugin", "registry.example.com/elsewhere/app"), default))!.Username);
    }

    [Fact]
    public async Task FetchAsync_NoAuthKeyMatches_Null()
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["*.example.com"], "--auth", "other.example.com=u:p");

        Assert.Null(await source.FetchAsync(Request("plugin", "registry.example.com/app"), default));
    }

    [Theory]
    [InlineData("registry.example.com:5000/app", "registry.example.com")]
    [InlineData("registry.example.com/app", "registry.example.com:5000")]
    [InlineData("a.b.example.com/app", "*.example.com")]
    [InlineData("registry.example.com/app", "registry.example.com/team")]
    public async Task FetchAsync_MatchImagesDoNotCover_RefusedWithoutRunningThePlugin(string image, string pattern)
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", [pattern], "--auth", "*=u:p");

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("plugin", image), default));

        Assert.Contains("do not cover the image", ex.Message, StringComparison.Ordinal);
        Assert.Contains(pattern, ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File_("request.json")));
    }

    [Theory]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "*.dkr.ecr.*.amazonaws.com")]
    [InlineData("registry.example.com:5000/team/app", "registry.example.com:5000/team")]
    [InlineData("registry-1.example.com/app", "registry-?.example.com")]
    [InlineData("eu.gcr.io/p/app", "[a-z][a-z].gcr.io")]
    public void MatchImages_AsTheKubeletMatches(string image, string pattern)
        => Assert.True(KubeletImagePattern.TryParse(pattern, out _)!.Matches(image));

    [Fact]
    public async Task FetchAsync_ProviderNotInConfig_Refused()
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["*.example.com"]);

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("ecr-credential-provider", "registry.example.com/app"), default));

        Assert.Contains("'ecr-credential-provider' is not a provider", ex.Message, StringComparison.Ordinal);
        Assert.Contains("it names plugin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_Environment_OnlyPathHomeAndTheConfigs()
    {
        Environment.SetEnvironmentVariable("REGISTRIES_TEST_PLUGIN_LEAK", "must-not-reach-the-plugin");
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], "--auth", "registry.example.com=u:p", "an arg with 'quotes'");

        await source.FetchAsync(Request("plugin", "registry.example.com/app"), default);

        var logged = Logged();
        var names = logged.GetProperty("env").EnumerateObject().Select(p => p.Name).Where(n => n is not ("PWD" or "SHLVL" or "_" or "LC_CTYPE")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Environment.GetEnvironmentVariable("HOME") is null ? ["PATH", "REQUEST_LOG"] : ["HOME", "PATH", "REQUEST_LOG"], names);
        Assert.Contains("an arg with 'quotes'", logged.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task FetchAsync_PluginFails_ItsStderrLineMasked()
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], "--fail", "token exchange failed: {\"password\": \"" + Canary + "\"}");

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("plugin", "registry.example.com/app"), default));

        Assert.Contains("failed for registry.example.com/app (exit code 1): token exchange failed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--response-api-version", "credentialprovider.kubelet.k8s.io/v1beta1", "not the config's")]
    [InlineData("--cache-key-type", "Everything", "not Image, Registry or Global")]
    [InlineData("--cache-duration", "soon", "is not a duration")]
    [InlineData("--cache-duration", "-1h", "negative")]
    public async Task FetchAsync_InvalidResponse_Refused(string flag, string value, string expected)
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], "--auth", "registry.example.com=u:" + Canary, flag, value);

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("plugin", "registry.example.com/app"), default));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_PluginWritableByOthers_Refused()
    {
        var source = Plugin("credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], "--auth", "registry.example.com=u:p");
        File.SetUnixFileMode(_folder.File_("plugin"), (UnixFileMode)Convert.ToInt32("777", 8));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("plugin", "registry.example.com/app"), default));

        Assert.Contains("writable by other users", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File_("request.json")));
    }

    [Fact]
    public async Task FetchAsync_PluginMissing_SaysWhere()
    {
        var source = Source(KubeletPluginFixture.Yaml("absent", "credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], []));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("absent", "registry.example.com/app"), default));

        Assert.Contains("'absent' was not found in " + _folder.Path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_PluginHangs_KilledAfterTheTimeout()
    {
        _folder.Write("sleeper", "#!/bin/sh\nsleep 300\n");
        var source = Source(KubeletPluginFixture.Yaml("sleeper", "credentialprovider.kubelet.k8s.io/v1", ["registry.example.com"], []), TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request("sleeper", "registry.example.com/app"), default));

        Assert.Contains("did not answer within 1 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_JsonConfig_Read()
    {
        var json = """
            {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "CredentialProviderConfig",
             "providers": [{"name": "one", "matchImages": ["*.example.com"], "defaultCacheDuration": "1h",
                            "apiVersion": "credentialprovider.kubelet.k8s.io/v1beta1", "env": [{"name": "A", "value": "b"}]}]}
            """;

        Assert.Equal(["one"], Source(json).ProviderNames);
    }

    [Fact]
    public void Constructor_KubeletStyleYaml_Read()
    {
        var yaml = """
            # as on an EKS node
            ---
            apiVersion: kubelet.config.k8s.io/v1
            kind: CredentialProviderConfig
            providers:
            - name: ecr-credential-provider
              matchImages: ["*.dkr.ecr.*.amazonaws.com", '*.dkr.ecr.*.amazonaws.com.cn']   # both partitions
              defaultCacheDuration: '12h'
              apiVersion: credentialprovider.kubelet.k8s.io/v1
              args:
                - get-credentials
              env:
                - name: AWS_PROFILE
                  value: "default"
            - name: acr-credential-provider
              matchImages:
              - "*.azurecr.io"
              defaultCacheDuration: 10m
              apiVersion: credentialprovider.kubelet.k8s.io/v1beta1
              args: []
            """;

        Assert.Equal(["ecr-credential-provider", "acr-credential-provider"], Source(yaml).ProviderNames);
    }

    [Theory]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n  - name: a\n    matchImages:\n      - *.example.com\n", "line 6: a value starting with '*' is an alias")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n\t- name: a\n", "line 4: a tab")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nsurprise: 1\n", "line 3: the config has the key 'surprise'")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1alpha1\nkind: CredentialProviderConfig\n", "line 1: apiVersion")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n  - name: ../x\n", "line 4: the provider name")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n  - name: a\n    matchImages: ['x']\n    defaultCacheDuration: soon\n    apiVersion: credentialprovider.kubelet.k8s.io/v1\n", "line 6: the provider 'a': defaultCacheDuration")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\nkind: CredentialProviderConfig\nproviders:\n  - name: a\n    matchImages: ['x[']\n", "line 5: the provider 'a': matchImages")]
    [InlineData("apiVersion: kubelet.config.k8s.io/v1\napiVersion: kubelet.config.k8s.io/v1\n", "line 2: the key 'apiVersion' appears twice")]
    [InlineData("a: &anchor b\n", "line 1: anchors")]
    [InlineData("a: |\n  text\n", "line 1: block scalars")]
    [InlineData("{\"apiVersion\": ", "not valid JSON")]
    [InlineData("", "empty")]
    public void Constructor_InvalidConfig_RefusedWithTheLine(string config, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Source(config));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DeeplyNestedConfig_RefusedNotCrashed()
    {
        var deep = string.Concat(Enumerable.Range(0, 200).Select(i => new string(' ', i) + "k:\n"));

        var ex = Assert.Throws<OptionsValidationException>(() => Source(deep));

        Assert.Contains("nesting deeper than 16", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/dev/zero", "not a regular file")]
    [InlineData("/", "is a directory")]
    [InlineData("/nonexistent/config.yaml", "does not exist")]
    public void Constructor_ConfigFileNotARegularFile_Refused(string path, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = path, BinDirectory = _folder.Path })));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ConfigFileFifo_RefusedWithoutBlocking()
    {
        var fifo = _folder.File_("fifo");
        Assert.Equal(0, MkFifo(fifo, Convert.ToInt32("600", 8)));

        var ex = Assert.Throws<OptionsValidationException>(() => new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = fifo, BinDirectory = _folder.Path })));

        Assert.Contains("FIFO", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_HugeConfigFile_Refused()
    {
        var file = _folder.WriteFile("huge.yaml", new string('#', 300 * 1024));

        var ex = Assert.Throws<OptionsValidationException>(() => new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = file, BinDirectory = _folder.Path })));

        Assert.Contains("larger than 256 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "/bin", "ConfigFile is empty")]
    [InlineData("config.yaml", "/bin", "ConfigFile is 'config.yaml', not an absolute path")]
    [InlineData("/etc/hostname", "bin", "BinDirectory is 'bin', not an absolute path")]
    public void Constructor_RelativeOrMissingPaths_Refused(string? config, string bin, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => new KubeletPluginSource(Options.Create(new KubeletPluginSourceOptions { ConfigFile = config, BinDirectory = bin })));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, int mode);
}
