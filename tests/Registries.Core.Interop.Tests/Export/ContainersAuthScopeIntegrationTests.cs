using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The real skopeo reads a path-scoped credential from the exported containers auth.json: the <c>team</c> key's
/// right password for <c>team/hello</c>, the host key's wrong one for <c>team-b/hello</c>.</summary>
[Trait("Category", "Integration")]
public sealed class ContainersAuthScopeIntegrationTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Host-Canary-8Rn";
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _directory = new("registries-containers-scope-");

    private string TeamImage => $"{_services.Registry}/team/hello:1.0";

    private string TeamBImage => $"{_services.Registry}/team-b/hello:1.0";

    [Fact]
    public async Task SkopeoInspect_TeamImage_UsesTheTeamKeyOverTheWrongHostKey()
    {
        var authfile = await ExportScopedAsync();

        var result = await SkopeoAsync(["inspect", "--authfile", authfile, .. CertArguments("--cert-dir"), "docker://" + TeamImage]);

        Assert.True(result.ExitCode == 0, $"skopeo failed: {result.Error}");
        using var document = JsonDocument.Parse(result.Output);
        Assert.StartsWith("sha256:", document.RootElement.GetProperty("Digest").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkopeoInspect_TeamBImage_GetsTheHostKeyAndIsRefused()
    {
        var authfile = await ExportScopedAsync();

        var result = await SkopeoAsync(["inspect", "--authfile", authfile, .. CertArguments("--cert-dir"), "docker://" + TeamBImage]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unauthorized", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(WrongPassword, result.Error, StringComparison.Ordinal);
    }

    // Copies the services' test image to team/hello and team-b/hello once for the class, with an auth file of our own
    // export (the right host credential), so no password goes on a command line.
    public async Task InitializeAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(_services.Registry, _services.User, _services.Password);
        var authfile = _directory.Combine("push", "auth.json");
        await (await domain.Exporter().ExportAsync(domain.EnvironmentId)).WriteContainersAuthAsync(authfile);
        foreach (var target in (string[])[TeamImage, TeamBImage])
        {
            var copy = await SkopeoAsync(
                ["copy", "--authfile", authfile, .. CertArguments("--src-cert-dir"), .. CertArguments("--dest-cert-dir"), $"docker://{_services.Registry}/{_services.Image}", "docker://" + target]);
            Assert.True(copy.ExitCode == 0, $"skopeo copy to {target} failed: {copy.Error}");
        }
    }

    public Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    // A host entry with a wrong password and a team entry with the right one, exported as containers auth.json.
    private async Task<string> ExportScopedAsync()
    {
        var domain = await Domain.CreateAsync();
        await DockerConfigExportScopeTests.AddScopedAsync(domain, _services.Registry, "team", _services.User, _services.Password);
        await domain.AddAsync(_services.Registry, _services.User, WrongPassword);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);
        Assert.Empty(export.GetNotes(DockerConfigFormat.ContainersAuth));
        var authfile = _directory.Combine("containers-" + Guid.NewGuid().ToString("N")[..8], "auth.json");
        await export.WriteContainersAuthAsync(authfile);
        return authfile;
    }

    private string[] CertArguments(string option)
    {
        var certs = _directory.Combine("skopeo-certs");
        Directory.CreateDirectory(certs);
        File.Copy(_services.RegistryCa, Path.Combine(certs, "ca.crt"), overwrite: true);
        return [option, certs];
    }

    // HOME and XDG_RUNTIME_DIR point into the test's folder, so that no auth file of the machine's is found by default.
    private async Task<ProcessResult> SkopeoAsync(string[] arguments)
    {
        var home = _directory.Combine("home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = home,
            ["XDG_RUNTIME_DIR"] = home,
            ["XDG_CONFIG_HOME"] = home,
            ["REGISTRY_AUTH_FILE"] = null,
            ["DOCKER_CONFIG"] = null,
        };
        return await Processes.RunAsync(_services.Skopeo, arguments, environment, timeout: TimeSpan.FromSeconds(90));
    }
}
