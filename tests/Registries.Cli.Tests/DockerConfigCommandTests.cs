using System.Text;
using System.Text.Json;
using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

public sealed class DockerConfigCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task DockerConfig_EffectiveActiveCredentials_PrintsConfigJsonWithThePassword()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var config = await _cli.SucceedAsync("docker-config", "1a1");

        Snapshot.Match(config);
        var auths = JsonDocument.Parse(config).RootElement.GetProperty("auths");
        var auth = Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!));
        Assert.Equal("deployer:" + SeededStore.Canary, auth);
        Assert.False(auths.TryGetProperty("quay.io", out _));
    }

    [Fact]
    public async Task DockerConfig_Kubernetes_PrintsTheSecretManifest()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var secret = await _cli.SucceedAsync("docker-config", "1a1", "--kubernetes", "--name", "pull-secret", "--namespace", "apps", "--as", "bob");

        Snapshot.Match(secret);
    }

    [Fact]
    public async Task DockerConfig_EditedWithCrLf_StoresThePasswordWithoutTheLineEnding()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedWithInputAsync("new pass\r\n", "registry", "edit", "1a1", "1r3", "--email", "ops@example.com", "--username", "deployer2", "--password-stdin");

        var config = await _cli.SucceedAsync("docker-config", "1a1");

        var auth = JsonDocument.Parse(config).RootElement.GetProperty("auths").GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!;
        Assert.Equal("deployer2:new pass", Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
    }

    [Theory]
    [InlineData(2, "docker-config")]
    [InlineData(2, "docker-config", "1a9")]
    [InlineData(2, "docker-config", "1a1", "--as", "mallory")]
    [InlineData(3, "docker-config", "1a1", "--as", "reader")]
    [InlineData(3, "docker-config", "1a5")]
    [InlineData(2, "docker-config", "1a1", "--name", "x")]
    [InlineData(2, "docker-config", "1a1", "--kubernetes", "--name", "Bad_Name")]
    [InlineData(2, "docker-config", "1a1", "--kubernetes", "--namespace", "-bad-")]
    public async Task BadInput_OneLineOnStderr_NoPassword(int exitCode, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(args);

        Assert.DoesNotContain("canary", result.AssertOneLineError(exitCode), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
