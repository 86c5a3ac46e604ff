using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>export --format registries-conf|policy-json through the real program: no secret, every member, 0644.</summary>
public sealed class ContainersPolicyExportCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task PolicyJson_WithoutRules_AcceptsAnything_AndHoldsNoSecret()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync("export", "prod", "--format", "policy-json", "--strict");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("{\n  \"default\": [\n    {\n      \"type\": \"insecureAcceptAnything\"\n    }\n  ]\n}\n", result.Stdout);
        Assert.Empty(result.Stderr);
        Assert.DoesNotContain("canary", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistriesConf_AReadOnlyMember_MayExportIt()
    {
        _cli.CopyStoreFrom(seed.Cli);
        _cli.User = "reader";

        var toml = await _cli.SucceedAsync("docker-config", "prod", "--format", "registries-conf");

        Assert.StartsWith("# containers-registries.conf(5), version 2", toml, StringComparison.Ordinal);
        Assert.DoesNotContain("[[registry]]", toml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_WithJson_WritesTheFile0644_AndPrintsTheSummary()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var file = _cli.Combine("etc", "containers", "policy.json");

        var stdout = await _cli.SucceedAsync("--json", "export", "prod", "--format", "policy-json", "--output", file);

        using var summary = JsonDocument.Parse(stdout);
        Assert.Equal(file, summary.RootElement.GetProperty("path").GetString());
        Assert.Equal("policy-json", summary.RootElement.GetProperty("format").GetString());
        Assert.Equal(0, summary.RootElement.GetProperty("notes").GetArrayLength());
        Assert.Contains("policy.json", summary.RootElement.GetProperty("limits").GetString(), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task UnknownFormat_NamesTheContainersFormats()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync("export", "prod", "--format", "registries.conf");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("registries-conf", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
