using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>The real program as the kubelet runs it: a CredentialProviderRequest on stdin, the response on stdout.</summary>
public sealed class KubeletCredentialProviderCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Command = "kubelet-credential-provider";

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Request_ActiveRegistry_PrintsTheResponseWithTheCredential()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(Request("registry.example.com:5000/team/app:1.0"), Command, "prod", "--as", "bob");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("credentialprovider.kubelet.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        Assert.Equal("CredentialProviderResponse", root.GetProperty("kind").GetString());
        Assert.Equal("Registry", root.GetProperty("cacheKeyType").GetString());
        Assert.Equal("1m0s", root.GetProperty("cacheDuration").GetString());
        var auth = root.GetProperty("auth").GetProperty("registry.example.com:5000");
        Assert.Equal("deployer", auth.GetProperty("username").GetString());
        Assert.Equal(SeededStore.Canary, auth.GetProperty("password").GetString());
    }

    [Fact]
    public async Task Request_DockerHubImage_KeysDockerIo()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var stdout = await _cli.SucceedWithInputAsync(Request("docker.io/library/nginx:latest"), Command, "1a1", "--cache-duration", "5m");

        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("5m0s", root.GetProperty("cacheDuration").GetString());
        Assert.Equal("u", root.GetProperty("auth").GetProperty("docker.io").GetProperty("username").GetString());
    }

    [Fact]
    public async Task Request_NoRegistryForTheImage_PrintsAnEmptyAuth()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var stdout = await _cli.SucceedWithInputAsync(Request("ghcr.io/team/app:1"), Command, "1a1");

        Assert.Empty(JsonDocument.Parse(stdout).RootElement.GetProperty("auth").EnumerateObject());
    }

    [Fact]
    public async Task Request_InactiveRegistry_ExitsThreeWithTheReasonAndNoPassword()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(Request("quay.io/team/app:1"), Command, "1a1");

        var line = result.AssertOneLineError(3);
        Assert.Contains("denied: quay.io/team/app:1", line, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "{")]
    [InlineData(2, "[]")]
    [InlineData(2, """{"apiVersion":"credentialprovider.kubelet.k8s.io/v2","kind":"CredentialProviderRequest","image":"a.example.com/b"}""")]
    [InlineData(2, """{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"Pod","image":"a.example.com/b"}""")]
    [InlineData(2, """{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest"}""")]
    [InlineData(2, """{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"registry.example.com:5000/app\u001b]0;pwned\u0007\n:1"}""")]
    [InlineData(2, "\u00ff\u00fe not JSON")]
    public async Task BadRequest_OneLineOnStderrAndNothingOnStdout(int exitCode, string stdin)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(stdin, Command, "1a1");

        var line = result.AssertOneLineError(exitCode);
        Assert.DoesNotContain("canary", line, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "--cache-duration", "0s")]
    [InlineData(2, "--cache-duration", "-1m")]
    [InlineData(2, "--cache-duration", "25h")]
    [InlineData(2, "--cache-duration", "soon")]
    [InlineData(2, "--as", "mallory")]
    [InlineData(3, "--as", "reader")]
    public async Task BadInvocation_OneLineOnStderr(int exitCode, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(Request("registry.example.com:5000/app"), [Command, "1a1", .. args]);

        Assert.DoesNotContain("canary", result.AssertOneLineError(exitCode), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubernetesEnvironment_CattleOnlyByDefault_IsRefused()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(Request("registry.example.com:5000/app"), Command, "1a5");

        result.AssertOneLineError(3);
    }

    [Fact]
    public async Task EndlessStdin_IsRefusedAtTheBound()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunInShellAsync("< /dev/zero", TimeSpan.FromSeconds(60), Command, "1a1");

        Assert.Contains("larger than 64 KiB", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedStdin_SaysToPipeARequest()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunInShellAsync("<&-", TimeSpan.FromSeconds(60), Command, "1a1");

        Assert.Contains("reads the kubelet's CredentialProviderRequest on stdin", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintConfig_BindsStoreUserEnvironmentAndDuration()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var yaml = await _cli.SucceedAsync(Command, "prod", "--print-config", "--as", "bob", "--cache-duration", "30s");

        var expected = $"""
            apiVersion: kubelet.config.k8s.io/v1
            kind: CredentialProviderConfig
            providers:
              - name: "registries"
                apiVersion: credentialprovider.kubelet.k8s.io/v1
                matchImages:
                  - "docker.io"
                  - "quay.io"
                  - "registry.example.com:5000"
                defaultCacheDuration: "30s"
                args:
                  - "kubelet-credential-provider"
                  - "1a1"
                  - "--store"
                  - "{_cli.StorePath}"
                  - "--as"
                  - "bob"
                  - "--cache-duration"
                  - "30s"

            """;
        Assert.Equal(expected, yaml);
        Assert.DoesNotContain("canary", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintConfig_ReadOnlyMember_IsRefused()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync(Command, "1a1", "--print-config", "--as", "reader");

        result.AssertOneLineError(3);
    }

    [Fact]
    public async Task Native_WithoutPrintConfig_Exit2()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync(Request("registry.example.com:5000/app"), Command, "1a1", "--native");

        Assert.Contains("--native goes with --print-config", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintConfig_ThenRunTheArgs_AnswersAsTheKubeletWould()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var yaml = await _cli.SucceedAsync(Command, "prod", "--print-config");
        var args = yaml.Split('\n').SkipWhile(l => l.Trim() != "args:").Skip(1)
            .Where(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<string>(l.TrimStart()[2..])!)
            .ToArray();

        var stdout = await _cli.SucceedWithInputAsync(Request("registry.example.com:5000/app"), args);

        Assert.Equal("deployer", JsonDocument.Parse(stdout).RootElement.GetProperty("auth").GetProperty("registry.example.com:5000").GetProperty("username").GetString());
    }

    [Fact]
    public async Task Help_SaysWhatTheKubeletGetsWhenDenied()
    {
        var help = await _cli.SucceedAsync(Command, "--help");

        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains("--print-config", help, StringComparison.Ordinal);
        Assert.Contains("exits with 3", help, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath));
    }

    private static string Request(string image)
        => JsonSerializer.Serialize(new Dictionary<string, string> { ["apiVersion"] = "credentialprovider.kubelet.k8s.io/v1", ["kind"] = "CredentialProviderRequest", ["image"] = image });

    public void Dispose() => _cli.Dispose();
}
