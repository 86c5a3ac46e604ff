using System.Text.Json;
using Registries.Core.Interop;

namespace Registries.Core.Interop.Tests;

/// <summary>docker asks a credential helper per server, so the helper answers the host-level resolution: a path-scoped
/// entry is never what it hands out.</summary>
public sealed class DockerCredentialHelperScopeTests
{
    private const string Host = "registry.example.com:5000";
    private const string TeamPassword = "team-canary-4Jm";

    [Fact]
    public async Task Get_HostWithANewerTeamEntry_AnswersTheHostLevelCredential()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", "host-pw");
        await DockerConfigExportScopeTests.AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);

        var (exit, output) = await GetAsync(domain, Host);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        using var document = JsonDocument.Parse(output);
        Assert.Equal("host-user", document.RootElement.GetProperty("Username").GetString());
        Assert.Equal("host-pw", document.RootElement.GetProperty("Secret").GetString());
    }

    [Fact]
    public async Task Get_HostWithOnlyATeamEntry_IsNotFoundNotWidened()
    {
        var domain = await Domain.CreateAsync();
        await DockerConfigExportScopeTests.AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);

        var (exit, output) = await GetAsync(domain, Host + "/team");

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Equal(DockerCredentialHelper.CredentialsNotFoundMessage, output.Trim());
        Assert.DoesNotContain(TeamPassword, output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> GetAsync(Domain domain, string serverUrl)
    {
        var helper = new DockerCredentialHelper(domain.Service, domain.EnvironmentId);
        using var input = new StringReader(serverUrl);
        using var output = new StringWriter();
        using var diagnostics = new StringWriter();
        var exit = await helper.RunAsync("get", input, output, diagnostics);
        return (exit, output.ToString());
    }
}
