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

    [Fact]
    public async Task DockerConfig_OneLabelHost_IsExportedUnderItsName()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedWithInputAsync("canary-one-label", "registry", "add", "1a1", "--address", "myregistry", "--email", "ops@example.com", "--username", "local", "--password-stdin");
        var file = _cli.Combine("config.json");

        var printed = await _cli.SucceedAsync("docker-config", "1a1");
        var written = await _cli.SucceedAsync("docker-config", "1a1", "--output", file, "--json");
        var secret = await _cli.SucceedAsync("docker-config", "1a1", "--kubernetes");

        var auth = JsonDocument.Parse(printed).RootElement.GetProperty("auths").GetProperty("myregistry").GetProperty("auth").GetString()!;
        Assert.Equal("local:canary-one-label", Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
        Assert.Equal(printed.TrimEnd('\n'), (await File.ReadAllTextAsync(file)).TrimEnd('\n'));
        Assert.Contains("myregistry", JsonDocument.Parse(written).RootElement.GetProperty("registries").EnumerateArray().Select(a => a.GetString()));
        Assert.DoesNotContain("canary", written, StringComparison.Ordinal);
        var data = JsonDocument.Parse(secret).RootElement.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!;
        Assert.True(JsonDocument.Parse(Convert.FromBase64String(data)).RootElement.GetProperty("auths").TryGetProperty("myregistry", out _));
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
