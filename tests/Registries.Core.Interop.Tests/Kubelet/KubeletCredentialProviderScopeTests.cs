using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Registries.Core.Interop.Tests;

/// <summary>The kubelet provider answers per image, so path-scoped and pattern entries decide as they do everywhere.</summary>
public sealed class KubeletCredentialProviderScopeTests
{
    private const string Host = "registry.example.com:5000";
    private const string HostPassword = "host-canary-2Lp";
    private const string TeamPassword = "team-canary-6Hd";

    [Theory]
    [InlineData(Host + "/team/app", "team-user", TeamPassword)]
    [InlineData(Host + "/team/sub/app:1.0", "team-user", TeamPassword)]
    [InlineData(Host + "/team-b/app", "host-user", HostPassword)]
    [InlineData(Host + "/other", "host-user", HostPassword)]
    public async Task ProvideAsync_TeamPathEntry_AnswersForTeamImagesOnly(string image, string username, string password)
    {
        var domain = await ArrangeAsync();

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse(image)));

        using var document = JsonDocument.Parse(response.ToJson());
        var auth = document.RootElement.GetProperty("auth").GetProperty(Host);
        Assert.Equal((username, password), (auth.GetProperty("username").GetString(), auth.GetProperty("password").GetString()));

        // Cached per registry, the team answer would serve team-b (and the reverse): the registry has a path entry.
        Assert.Equal("Image", document.RootElement.GetProperty("cacheKeyType").GetString());
        Assert.Equal(KubeletCredentialResponse.ImageCacheKeyType, response.CacheKey);
    }

    [Fact]
    public async Task ProvideAsync_RegistryWithoutPathEntries_CachesPerRegistry()
    {
        var domain = await ArrangeAsync();
        await domain.AddAsync("quay.io", "quay-user", HostPassword);

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse("quay.io/org/app")));

        Assert.Equal(KubeletCredentialResponse.CacheKeyType, response.CacheKey);
    }

    [Fact]
    public async Task ProvideAsync_TeamEntryInactive_DeniedWithoutTheHostCredential()
    {
        var domain = await ArrangeAsync();
        var team = (await domain.Service.ListRegistriesAsync(domain.EnvironmentId)).Single(e => e.Registry.Path == "team").Registry;
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, team.Id);

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse(Host + "/team/app")));

        Assert.Equal(ResolutionOutcome.Denied, response.Outcome);
        Assert.Equal(team.Id, response.Resolution.RegistryId);
        Assert.DoesNotContain(HostPassword, response.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvideAsync_PatternEntry_AnswersForAConcreteHostKeyedByIt()
    {
        var domain = await Domain.CreateAsync();
        await DockerConfigExportScopeTests.AddScopedAsync(domain, "*.corp.example", null, "pattern-user", TeamPassword);

        var response = await Provider(domain).ProvideAsync(domain.EnvironmentId, KubeletCredentialRequest.For(ImageReference.Parse("eu.corp.example/app")));

        Assert.Equal(ResolutionOutcome.Authenticated, response.Outcome);
        Assert.Equal("eu.corp.example", response.AuthKey);
        Assert.Equal(KubeletCredentialResponse.CacheKeyType, response.CacheKey);
    }

    [Fact]
    public async Task CreateConfigurationAsync_PathsAndPatterns_MatchImagesInTheKubeletsSyntax()
    {
        var domain = await ArrangeAsync();
        await DockerConfigExportScopeTests.AddScopedAsync(domain, "*.corp.example", null, "pattern-user", TeamPassword);
        await DockerConfigExportScopeTests.AddScopedAsync(domain, "docker.io", "acme", "hub-user", TeamPassword);

        var configuration = await Provider(domain).CreateConfigurationAsync(domain.EnvironmentId, "registries", []);

        var matchImages = configuration.Split('\n')
            .SkipWhile(l => l.Trim() != "matchImages:").Skip(1)
            .TakeWhile(l => l.StartsWith("      - ", StringComparison.Ordinal))
            .Select(l => l.Trim()[2..])
            .ToArray();
        Assert.Equal(["\"*.corp.example\"", "\"docker.io/acme\"", "\"" + Host + "\"", "\"" + Host + "/team\""], matchImages);
        Assert.DoesNotContain(TeamPassword, configuration, StringComparison.Ordinal);
    }

    // A host entry and a newer team entry on the same registry.
    private static async Task<Domain> ArrangeAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(Host, "host-user", HostPassword);
        await DockerConfigExportScopeTests.AddScopedAsync(domain, Host, "team", "team-user", TeamPassword);
        return domain;
    }

    private static KubeletCredentialProvider Provider(Domain domain)
        => new(domain.Service, Options.Create(new KubeletCredentialProviderOptions()));
}
