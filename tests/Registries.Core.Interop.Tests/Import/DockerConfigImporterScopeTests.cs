using System.Text;

namespace Registries.Core.Interop.Tests;

/// <summary>Namespace keys (<c>host/path</c>, as podman login writes them) import as path-scoped entries, never widened.</summary>
public sealed class DockerConfigImporterScopeTests
{
    private const string DefaultEmail = "import@example.com";

    [Fact]
    public async Task ImportAsync_HostSlashPathKey_AddsAPathScopedEntry()
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"registry.example.com:5000/team/sub\": {\"auth\": \"" + B64("team:pw") + "\"}}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Imported, entry.Status);
        Assert.Equal(RegistryScope.Parse("registry.example.com:5000", "team/sub"), entry.Scope);
        var registry = Assert.Single(await domain.Service.ListRegistriesAsync(domain.EnvironmentId)).Registry;
        Assert.Equal("team/sub", registry.Path);

        // Not widened: the host has no credential of its own, and only team/sub images get this one.
        Assert.Equal(ResolutionOutcome.Anonymous, (await domain.ResolveAsync("registry.example.com:5000")).Outcome);
        Assert.Equal(ResolutionOutcome.Anonymous, (await domain.Service.ResolveAsync(domain.EnvironmentId, ImageReference.Parse("registry.example.com:5000/team/other"))).Outcome);
        var team = await domain.Service.ResolveAsync(domain.EnvironmentId, ImageReference.Parse("registry.example.com:5000/team/sub/app"));
        Assert.Equal(("team", "pw"), (team.Username, team.Password!.Reveal()));
    }

    [Fact]
    public async Task ImportAsync_PathKeyTwice_SecondIsUnchangedEvenBesideAHostEntry()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("quay.io", "host", "host-pw");
        var json = "{\"auths\": {\"quay.io/team\": {\"auth\": \"" + B64("team:pw") + "\"}}}";
        var importer = Importer(domain);

        var first = await importer.ImportAsync(domain.EnvironmentId, json, DefaultEmail);
        var second = await importer.ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(first.Entries).Status);
        Assert.Equal(DockerConfigImportStatus.Unchanged, Assert.Single(second.Entries).Status);
        Assert.Equal(2, (await domain.Service.ListRegistriesAsync(domain.EnvironmentId)).Count);
        Assert.Equal("host", (await domain.ResolveAsync("quay.io")).Username);
    }

    [Fact]
    public async Task ImportAsync_PathKeyWithTheHostsCredential_IsImportedNotUnchanged()
    {
        // The host's entry answering for team/... is not the path's own entry.
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("quay.io", "same", "pw");
        var json = "{\"auths\": {\"quay.io/team\": {\"auth\": \"" + B64("same:pw") + "\"}}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(result.Entries).Status);
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/")]
    [InlineData("registry.example.com/v2/")]
    [InlineData("http://registry.example.com/v1")]
    public async Task ImportAsync_DockersUrlForms_StayHostLevel(string key)
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"" + key + "\": {\"auth\": \"" + B64("u:p") + "\"}}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Imported, entry.Status);
        Assert.True(entry.Scope!.IsHostLevel);
    }

    [Fact]
    public async Task ImportAsync_InvalidPath_FailsWithThePathsMessage()
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"registry.example.com/Team\": {\"auth\": \"" + B64("u:secret-canary") + "\"}}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.Contains("repository path", entry.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-canary", entry.Reason, StringComparison.Ordinal);
        Assert.Empty(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ImportAsync_CredHelperKeyWithAPath_RefusedNotWidened()
    {
        var domain = await Domain.CreateAsync();
        const string json = "{\"credHelpers\": {\"registry.example.com/team\": \"never-run\"}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.Contains("per registry host", entry.Reason, StringComparison.Ordinal);
        Assert.Empty(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    private static DockerConfigImporter Importer(Domain domain) => Domain.Importer(domain.Service);

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
