using System.Text;
using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>docker-config --format: containers auth.json and k3s registries.yaml through the real program.</summary>
public sealed class DockerConfigFormatTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task ContainersAuth_PrintsAuthsKeyedAsPodmanDoes()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var json = await _cli.SucceedAsync("docker-config", "1a1", "--format", "containers-auth");

        var auths = JsonDocument.Parse(json).RootElement.GetProperty("auths");
        Assert.Equal(["docker.io", "registry.example.com:5000"], auths.EnumerateObject().Select(p => p.Name));
        var auth = Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!));
        Assert.Equal("deployer:" + SeededStore.Canary, auth);
        Assert.DoesNotContain("email", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task K3s_WithAnInstalledCa_WritesAuthAndCaFile()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var certs = _cli.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(certs, "registry.example.com:5000"));
        await File.WriteAllTextAsync(Path.Combine(certs, "registry.example.com:5000", "ca.crt"), "-----BEGIN CERTIFICATE-----\n");

        var yaml = await _cli.SucceedAsync("docker-config", "1a1", "--format", "k3s", "--certs-dir", certs);

        var expected = $"""
            configs:
              "docker.io":
                auth:
                  username: "u"
                  password: "canary-Pa55:word/+é \"q\""
              "registry.example.com:5000":
                auth:
                  username: "deployer"
                  password: "canary-Pa55:word/+é \"q\""
                tls:
                  ca_file: "{certs}/registry.example.com:5000/ca.crt"

            """;
        Assert.Equal(expected, yaml);
    }

    [Fact]
    public async Task K3s_ToAFile_IsOwnerOnlyAndTheJsonSummaryHasNoPassword()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedWithInputAsync("canary-one-label", "registry", "add", "1a1", "--address", "myregistry", "--email", "ops@example.com", "--username", "local", "--password-stdin");
        var file = _cli.Combine("rancher", "registries.yaml");

        var summary = await _cli.SucceedAsync("docker-config", "1a1", "--format", "k3s", "--certs-dir", _cli.Combine("none"), "--output", file, "--json");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains("password: \"canary-one-label\"", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var root = JsonDocument.Parse(summary).RootElement;
        Assert.Equal("k3s", root.GetProperty("format").GetString());
        Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("myregistry", StringComparison.Ordinal));
        Assert.Contains("no per-registry mirror-only", root.GetProperty("limits").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainersAuth_OneLabelHost_NoteOnStderr()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedWithInputAsync("canary-one-label", "registry", "add", "1a1", "--address", "myregistry", "--email", "ops@example.com", "--username", "local", "--password-stdin");

        var result = await _cli.RunAsync("docker-config", "1a1", "--format", "containers-auth");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("registries: note: myregistry:", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FormatKubernetes_IsTheSameAsTheShortForm()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var longForm = await _cli.SucceedAsync("docker-config", "1a1", "--format", "kubernetes", "--name", "pull");
        var shortForm = await _cli.SucceedAsync("docker-config", "1a1", "--kubernetes", "--name", "pull");
        var both = await _cli.SucceedAsync("docker-config", "1a1", "--kubernetes", "--format", "kubernetes", "--name", "pull");

        Assert.Equal(shortForm, longForm);
        Assert.Equal(shortForm, both);
    }

    [Fact]
    public async Task FormatDocker_IsTheDefault()
    {
        _cli.CopyStoreFrom(seed.Cli);

        Assert.Equal(await _cli.SucceedAsync("docker-config", "1a1"), await _cli.SucceedAsync("docker-config", "1a1", "--format", "docker"));
    }

    [Theory]
    [InlineData("docker-config", "1a1", "--format", "podman")]
    [InlineData("docker-config", "1a1", "--kubernetes", "--format", "k3s")]
    [InlineData("docker-config", "1a1", "--kubernetes", "--format", "docker")]
    [InlineData("docker-config", "1a1", "--format", "k3s", "--name", "x")]
    [InlineData("docker-config", "1a1", "--format", "containers-auth", "--certs-dir", "/tmp")]
    [InlineData("docker-config", "1a1", "--certificates-directory", "/tmp")]
    [InlineData("docker-config", "1a1", "--format", "k3s", "--as", "reader")]
    public async Task BadCombination_OneLineOnStderr_NoPassword(params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync(args);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("canary", result.AssertOneLineError(result.ExitCode), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_StatesWhatEachFormatCannotExpress()
    {
        var help = await _cli.SucceedAsync("docker-config", "--help");

        Assert.Contains("containers-auth", help, StringComparison.Ordinal);
        Assert.Contains("no per-registry mirror-only", help, StringComparison.Ordinal);
        Assert.Contains("e-mails are left out", help, StringComparison.Ordinal);
        Assert.Contains("--certs-dir", help, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
