using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary><c>export ENV --format containerd-hosts --output DIR</c>: the mirrors as a certs.d tree, notes on stderr,
/// --strict, the --json summary, and the usage errors.</summary>
public sealed class ContainerdHostsCommandTests : IDisposable
{
    private const string Canary = "CANARY-containerd-cli-p4ss";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Export_WithoutOutput_UsageErrorNamingOutputDir()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunAsync("export", "prod", "--format", "containerd-hosts");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--output DIR", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_OutputIsAFile_ExitTwoAndTheFileKept()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var file = _cli.Combine("certs.d");
        await File.WriteAllTextAsync(file, "a file");

        var result = await _cli.RunAsync("export", "prod", "--format", "containerd-hosts", "--output", file);

        Assert.Contains("is a file", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal("a file", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Export_Mirrors_TreeWrittenJsonSummaryNoSecret()
    {
        await ArrangeAsync();
        await _cli.SucceedAsync("mirror", "add", "prod", "registry.example.com:5000", "cache.example.com", "--rewrite", "^(.*)$", "upstream/$1");
        var tree = _cli.Combine("certs.d");
        var certificates = _cli.Combine("certs");
        Directory.CreateDirectory(Path.Combine(certificates, "mirror.example.com"));
        await File.WriteAllTextAsync(Path.Combine(certificates, "mirror.example.com", "ca.crt"), "x");

        var result = await _cli.RunAsync("--json", "export", "prod", "--format", "containerd-hosts", "--output", tree, "--certs-dir", certificates, "--strict");

        Assert.True(result.ExitCode == 0, result.Stderr);
        using var summary = JsonDocument.Parse(result.Stdout);
        Assert.Equal(["docker.io", "registry.example.com:5000"], summary.RootElement.GetProperty("registries").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(
            [Path.Combine(tree, "docker.io", "hosts.toml"), Path.Combine(tree, "registry.example.com:5000", "hosts.toml")],
            summary.RootElement.GetProperty("files").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(summary.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("credentials not written", StringComparison.Ordinal));
        var hub = await File.ReadAllTextAsync(Path.Combine(tree, "docker.io", "hosts.toml"));
        Assert.Contains("server = \"https://registry-1.docker.io\"", hub, StringComparison.Ordinal);
        Assert.Contains($"[host.\"https://mirror.example.com\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \"{certificates}/mirror.example.com/ca.crt\"\n", hub, StringComparison.Ordinal);
        var rewritten = await File.ReadAllTextAsync(Path.Combine(tree, "registry.example.com:5000", "hosts.toml"));
        Assert.Contains("[host.\"https://cache.example.com/v2/upstream\"]\n  capabilities = [\"pull\", \"resolve\"]\n  override_path = true\n", rewritten, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr + hub + rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_RewriteNotAPrefix_NoteOnStderrAndStrictRefusesWithNothingWritten()
    {
        await ArrangeAsync();
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "hub-cache.example.com", "--rewrite", "^library/(.*)$", "dockerhub/library/$1");
        var tree = _cli.Combine("certs.d");

        var strict = await _cli.RunAsync("export", "prod", "--format", "containerd-hosts", "--output", tree, "--strict");

        Assert.Contains("hub-cache.example.com", strict.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.False(Directory.Exists(tree));

        var lenient = await _cli.RunAsync("export", "prod", "--format", "containerd-hosts", "--output", tree);

        Assert.Equal(0, lenient.ExitCode);
        Assert.Equal(string.Empty, lenient.Stdout);
        Assert.Contains("note: docker.io -> hub-cache.example.com: left out:", lenient.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hub-cache", await File.ReadAllTextAsync(Path.Combine(tree, "docker.io", "hosts.toml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ReadOnlyMember_WritesTheTree()
    {
        await ArrangeAsync();
        await _cli.SucceedAsync("env", "member", "add", "prod", "reader", "--role", "readonly");
        _cli.User = "reader";
        var tree = _cli.Combine("certs.d");

        var result = await _cli.RunAsync("export", "prod", "--format", "containerd-hosts", "--output", tree);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(tree, "docker.io", "hosts.toml")));
    }

    [Fact]
    public async Task Export_CertsDirWithDockerFormat_UsageError()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunAsync("export", "prod", "--format", "docker", "--certs-dir", "/tmp");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--format containerd-hosts", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private async Task ArrangeAsync()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--address", "mirror.example.com", "--email", "ops@example.com", "--username", "robot", "--password-stdin");
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com");
    }
}

/// <summary>The tree the CLI writes, read by the real containerd: <c>ctr images pull --hosts-dir</c> inside a network
/// namespace of the test's own, through a real mirror registry, with a rewrite, and back to the upstream when the
/// mirror stops.</summary>
[Trait("Category", "Integration")]
public sealed class ContainerdHostsCommandIntegrationTests : IDisposable
{
    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task CtrPull_TreeExportedByTheCli_MirrorRewriteAndFallback()
    {
        await using var sandbox = await ContainerdSandbox.StartAsync(_services);
        var (upstream, mirror, certificates) = await sandbox.StartUpstreamAndMirrorAsync("test/mirror-only:1.0", "cache/test/rewritten:1.0");
        await sandbox.StartContainerdAsync();
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("mirror", "add", "prod", ContainerdSandbox.Upstream, ContainerdSandbox.Mirror);
        await _cli.SucceedAsync("mirror", "add", "prod", "127.0.0.1:5002", ContainerdSandbox.Mirror, "--rewrite", "(.*)", "cache/$1");
        var tree = sandbox.Directory.Combine("certs.d");
        await _cli.SucceedAsync("export", "prod", "--format", "containerd-hosts", "--output", tree, "--certs-dir", certificates, "--strict");
        var mirrorUser = ContainerdSandbox.MirrorUser + ":" + ContainerdSandbox.MirrorPassword;

        var onlyOnMirror = await sandbox.PullAsync(tree, mirrorUser, $"{ContainerdSandbox.Upstream}/test/mirror-only:1.0");
        var rewritten = await sandbox.PullAsync(tree, mirrorUser, "127.0.0.1:5002/test/rewritten:1.0");
        await sandbox.StopAsync(mirror);
        var fallback = await sandbox.PullAsync(tree, _services.User + ":" + _services.Password, $"{ContainerdSandbox.Upstream}/{_services.OtherImage}");

        Assert.True(onlyOnMirror.ExitCode == 0, "through the mirror: " + onlyOnMirror.Error);
        Assert.True(rewritten.ExitCode == 0, "through the rewrite: " + rewritten.Error);
        Assert.Contains("/v2/cache/test/rewritten/manifests/1.0", mirror.Log, StringComparison.Ordinal);
        Assert.True(fallback.ExitCode == 0, "back to the upstream: " + fallback.Error);
        Assert.Contains("/v2/" + _services.OtherImage.Replace(":", "/manifests/", StringComparison.Ordinal), upstream.Log, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
