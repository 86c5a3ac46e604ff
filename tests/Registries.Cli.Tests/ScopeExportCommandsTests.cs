using System.Text;
using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>Scopes where credentials leave the library, through the CLI: docker-config per format (notes on stderr,
/// --strict), import of namespace keys, and the credential helper's install note.</summary>
public sealed class ScopeExportCommandsTests : IDisposable
{
    private const string Host = "registry.example.com:5000";
    private const string Canary = "CANARY-scope-export-p4ss";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task DockerConfig_PathAndPatternEntries_HostKeyOnStdoutNotesOnStderr()
    {
        await ArrangeAsync();

        var result = await _cli.RunAsync("docker-config", "prod");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.Equal([Host], document.RootElement.GetProperty("auths").EnumerateObject().Select(p => p.Name));
        var notes = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(notes, n => n.Contains("note: " + Host + "/team: not exported", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("note: *.corp.example: not exported", StringComparison.Ordinal));
        AssertNoCanary(result.Stderr);
    }

    [Fact]
    public async Task DockerConfigStrict_InexpressibleEntries_ExitThreeNothingWritten()
    {
        await ArrangeAsync();
        var file = _cli.Combine("out", "config.json");

        var result = await _cli.RunAsync("docker-config", "prod", "--strict", "--output", file);

        var error = result.AssertOneLineError(3);
        Assert.Contains(Host + "/team", error, StringComparison.Ordinal);
        Assert.Contains("*.corp.example", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        AssertNoCanary(error);
    }

    [Fact]
    public async Task DockerConfigContainersAuth_PathEntry_HostSlashPathKeyAndJsonSummary()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await AddAsync("host", "--address", Host);
        await AddAsync("robot", "--address", Host, "--path", "team");
        var file = _cli.Combine("auth.json");

        var summary = JsonDocument.Parse(await _cli.SucceedAsync("docker-config", "prod", "--format", "containers-auth", "--strict", "--output", file, "--json")).RootElement;

        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var auths = document.RootElement.GetProperty("auths");
        Assert.Equal("robot:" + Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty(Host + "/team").GetProperty("auth").GetString()!)));
        Assert.Equal("host:" + Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty(Host).GetProperty("auth").GetString()!)));
        Assert.Contains(Host + "/team", summary.ToString(), StringComparison.Ordinal);
        AssertNoCanary(summary.ToString());
    }

    [Fact]
    public async Task DockerConfigKubernetesStrict_PathAndPattern_Exported()
    {
        await ArrangeAsync();

        var secret = JsonDocument.Parse(await _cli.SucceedAsync("docker-config", "prod", "--format", "kubernetes", "--strict")).RootElement;

        var config = Encoding.UTF8.GetString(Convert.FromBase64String(secret.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!));
        using var document = JsonDocument.Parse(config);
        Assert.Equal(["*.corp.example", Host, Host + "/team/"], document.RootElement.GetProperty("auths").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Import_NamespaceKey_BecomesAPathScopedEntry()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var config = _cli.Combine("auth.json");
        await File.WriteAllTextAsync(config, "{\"auths\": {\"" + Host + "/team\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("robot:" + Canary)) + "\"}}}");

        var report = await _cli.SucceedAsync("registry", "import", "prod", "--docker-config", config, "--default-email", "ops@example.com");
        var list = JsonDocument.Parse(await _cli.SucceedAsync("registry", "list", "prod", "--json")).RootElement;
        var teamB = await _cli.SucceedAsync("resolve", "prod", Host + "/team-b/app");

        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal(Host + "/team", entry.GetProperty("scope").GetString());
        Assert.Equal("team", entry.GetProperty("path").GetString());
        Assert.Contains("anonymous", teamB, StringComparison.Ordinal);
        AssertNoCanary(report + list + teamB);
    }

    [Fact]
    public async Task CredentialHelperInstall_PathEntry_NotedAsNotServed()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await AddAsync("host", "--address", Host);
        await AddAsync("robot", "--address", Host, "--path", "team");

        var bin = Directory.CreateDirectory(_cli.Combine("bin")).FullName;

        var result = await _cli.RunAsync("credential-helper", "install", "prod", "--dir", bin);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("note: " + Host + "/team: not served by the helper", result.Stderr, StringComparison.Ordinal);
        AssertNoCanary(result.Stderr + result.Stdout);
    }

    public void Dispose() => _cli.Dispose();

    private async Task ArrangeAsync()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await AddAsync("host", "--address", Host);
        await AddAsync("robot", "--address", Host, "--path", "team");
        await AddAsync("corp", "--address", "*.corp.example");
    }

    private async Task AddAsync(string username, params string[] scope)
        => await _cli.SucceedWithInputAsync(Canary, ["registry", "add", "prod", .. scope, "--email", "e@example.com", "--username", username, "--password-stdin"]);

    private static void AssertNoCanary(string text)
    {
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary)), text, StringComparison.Ordinal);
    }
}
