using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The real skopeo (containers/image) reads the exported containers auth.json.</summary>
[Trait("Category", "Integration")]
public sealed class ContainersAuthIntegrationTests
{
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task WriteContainersAuthAsync_SymbolPassword_SkopeoInspectsWithAuthfile()
    {
        using var directory = new TestDirectory("registries-containers-auth-");
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(_services.Registry, _services.SymbolUser, _services.SymbolPassword);
        var authfile = directory.Combine("containers", "auth.json");
        await (await domain.Exporter().ExportAsync(domain.EnvironmentId)).WriteContainersAuthAsync(authfile);

        var result = await SkopeoInspectAsync(directory, ["--authfile", authfile]);

        Assert.True(result.ExitCode == 0, $"skopeo failed: {result.Error}");
        using var document = JsonDocument.Parse(result.Output);
        Assert.StartsWith("sha256:", document.RootElement.GetProperty("Digest").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkopeoInspect_WithoutTheExport_IsRefused()
    {
        using var directory = new TestDirectory("registries-containers-auth-");

        var result = await SkopeoInspectAsync(directory, []);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    // HOME and XDG_RUNTIME_DIR point into the test's folder, so that no auth file of the machine's is found by default.
    private async Task<ProcessResult> SkopeoInspectAsync(TestDirectory directory, string[] authArguments)
    {
        var certs = directory.Combine("skopeo-certs");
        Directory.CreateDirectory(certs);
        File.Copy(_services.RegistryCa, Path.Combine(certs, "ca.crt"), overwrite: true);
        var home = directory.Combine("home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_RUNTIME_DIR"] = home,
            ["XDG_CONFIG_HOME"] = home,
            ["REGISTRY_AUTH_FILE"] = null,
            ["DOCKER_CONFIG"] = null,
        };
        return await Processes.RunAsync(
            _services.Skopeo,
            ["inspect", .. authArguments, "--cert-dir", certs, $"docker://{_services.Registry}/{_services.Image}"],
            environment,
            timeout: TimeSpan.FromSeconds(60));
    }
}
