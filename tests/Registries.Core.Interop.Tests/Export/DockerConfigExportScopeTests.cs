using System.Text;
using System.Text.Json;

namespace Registries.Core.Interop.Tests;

/// <summary>Path-scoped and host-pattern entries in each export format: written where the format expresses them, listed
/// where it cannot, never widened to the host.</summary>
public sealed class DockerConfigExportScopeTests
{
    private const string Host = "registry.example.com:5000";
    private const string HostPassword = "host-canary-7Qz";
    private const string TeamPassword = "team-canary-9Wx";
    private const string PatternPassword = "pattern-canary-3Kv";

    [Fact]
    public async Task DockerFormat_ScopedEntries_HostKeyOnlyWithHostCredentialAndNotes()
    {
        var domain = await ArrangeAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var auths = DockerConfigExporterTests.ReadAuths(export.ToDockerConfigJson());
        Assert.Equal([Host], auths.Keys);
        Assert.Equal("host-user:" + HostPassword, auths[Host]);
        Assert.Equal([RegistryScope.Parse(Host)], export.GetScopes(DockerConfigFormat.Docker));
        var notes = export.GetNotes(DockerConfigFormat.Docker);
        Assert.Contains(notes, n => n.StartsWith(Host + "/team: not exported", StringComparison.Ordinal) && n.Contains("registry host only", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("*.corp.example: not exported", StringComparison.Ordinal) && n.Contains("no host patterns", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ContainersAuth_PathEntry_HostSlashPathKeyPatternListed()
    {
        var domain = await ArrangeAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var auths = DockerConfigExporterTests.ReadAuths(export.ToContainersAuthJson());
        Assert.Equal([Host, Host + "/team"], auths.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("team-user:" + TeamPassword, auths[Host + "/team"]);
        Assert.Equal("host-user:" + HostPassword, auths[Host]);
        var note = Assert.Single(export.GetNotes(DockerConfigFormat.ContainersAuth));
        Assert.StartsWith("*.corp.example: not exported: a containers auth.json has no host patterns", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_PathAndPattern_KeysInTheKubeletSyntax()
    {
        var domain = await ArrangeAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        using var secret = JsonDocument.Parse(export.ToKubernetesSecretJson("regcred"));
        var config = Encoding.UTF8.GetString(Convert.FromBase64String(secret.RootElement.GetProperty("data").GetProperty(DockerConfigExport.KubernetesSecretKey).GetString()!));
        var auths = DockerConfigExporterTests.ReadAuths(config);

        // The trailing '/' keeps the kubelet's raw prefix match on a '/' boundary: "team/" does not match "team-b/app".
        Assert.Equal(["*.corp.example", Host, Host + "/team/"], auths.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("team-user:" + TeamPassword, auths[Host + "/team/"]);
        Assert.Equal("pattern-user:" + PatternPassword, auths["*.corp.example"]);
        Assert.Empty(export.GetNotes(DockerConfigFormat.Kubernetes));
        export.EnsureExpressible(DockerConfigFormat.Kubernetes);
    }

    [Fact]
    public async Task K3s_ScopedEntries_HostConfigOnly()
    {
        var domain = await ArrangeAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var yaml = await export.ToK3sRegistriesYamlAsync();
        Assert.Contains("\"" + Host + "\":", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("team", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(TeamPassword, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("corp.example", yaml, StringComparison.Ordinal);
        Assert.Equal(2, export.GetNotes(DockerConfigFormat.K3s).Count(n => n.Contains("not exported", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task EnsureExpressible_DockerWithScopedEntries_ThrowsNamingEachScopeWithoutSecrets()
    {
        var domain = await ArrangeAsync();
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var error = Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.Docker));

        Assert.Equal(DockerConfigFormat.Docker, error.Format);
        Assert.Equal(["*.corp.example", Host + "/team"], error.Scopes.Select(s => s.ToString()).Order(StringComparer.Ordinal));
        Assert.IsAssignableFrom<RegistryRuleException>(error);
        AssertNoSecret(error.Message);
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.ContainersAuth));
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.K3s));
    }

    [Fact]
    public async Task EnsureExpressible_HostEntriesOnly_Passes()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", HostPassword);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        foreach (var format in Enum.GetValues<DockerConfigFormat>())
        {
            export.EnsureExpressible(format);
        }
    }

    [Fact]
    public async Task InactivePathEntry_UnderAnExportedHost_NotedAsAWideningAndRefusedWhenStrict()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", HostPassword);
        var team = await AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, team.Id);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        // The host key is what the format can hold; that its tools would send it for team/... is said, not hidden.
        Assert.Equal([Host], DockerConfigExporterTests.ReadAuths(export.ToContainersAuthJson()).Keys);
        var note = Assert.Single(export.GetNotes(DockerConfigFormat.ContainersAuth));
        Assert.StartsWith(Host + "/team: inactive, so its images are denied here", note, StringComparison.Ordinal);
        Assert.Contains("credential of " + Host, note, StringComparison.Ordinal);
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.Docker));
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.Kubernetes));
    }

    [Fact]
    public async Task HostKey_PathEntryAddedLater_KeepsTheHostLevelCredential()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", HostPassword);
        await AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Equal("host-user:" + HostPassword, DockerConfigExporterTests.ReadAuths(export.ToDockerConfigJson())[Host]);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("team-user:" + TeamPassword)), export.ToDockerConfigJson(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerHubPath_ContainersAndKubernetesKeys_UseDockerIo()
    {
        var domain = await Domain.CreateAsync();
        await AddScopedAsync(domain, "docker.io", "team", "team-user", TeamPassword);

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Equal(["docker.io/team"], DockerConfigExporterTests.ReadAuths(export.ToContainersAuthJson()).Keys);
        Assert.Equal([RegistryScope.Parse("docker.io", "team")], export.GetScopes(DockerConfigFormat.Kubernetes));
        Assert.Empty(export.Addresses);
    }

    [Fact]
    public async Task Notes_ToStringAndScopes_NeverHoldASecret()
    {
        var domain = await ArrangeAsync();

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        foreach (var format in Enum.GetValues<DockerConfigFormat>())
        {
            AssertNoSecret(string.Join("\n", export.GetNotes(format)));
        }

        AssertNoSecret(export.ToString());
        AssertNoSecret(string.Join(",", export.Scopes));
    }

    internal static async Task<Registry> AddScopedAsync(Domain domain, string address, string? path, string username, string password)
        => await domain.Service.AddRegistryAsync(domain.EnvironmentId, RegistryScope.Parse(address, path), new RegistryCredential(Domain.Email, username, password));

    // A host entry, a newer path entry on the same host, and a host pattern.
    private static async Task<Domain> ArrangeAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", HostPassword);
        await AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);
        await AddScopedAsync(domain, "*.corp.example", null, "pattern-user", PatternPassword);
        return domain;
    }

    private static void AssertNoSecret(string text)
    {
        foreach (var secret in (string[])[HostPassword, TeamPassword, PatternPassword])
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), text, StringComparison.Ordinal);
        }
    }
}
