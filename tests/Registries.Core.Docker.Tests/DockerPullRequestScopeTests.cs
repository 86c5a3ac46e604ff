namespace Registries.Core.Docker.Tests;

/// <summary>The AuthConfig of a pull decided by a path-scoped or host-pattern entry: that entry's credential, sent for the image's own registry host.</summary>
public sealed class DockerPullRequestScopeTests
{
    [Theory]
    [InlineData("eu.corp.example/app:1", "pattern-user", "eu.corp.example")]
    [InlineData("eu.corp.example:5000/team/app", "port-pattern-user", "eu.corp.example:5000")]
    [InlineData("registry.example.com/team/app", "team-user", "registry.example.com")]
    [InlineData("registry.example.com/team/sub/app", "sub-user", "registry.example.com")]
    [InlineData("registry.example.com/team-b/app", "host-user", "registry.example.com")]
    public async Task From_ScopedEntryDecides_ItsCredentialForTheImagesHostNeverThePattern(string reference, string username, string serverAddress)
    {
        var store = new Storage.InMemoryRegistryStore();
        var service = new RegistryService(store).As("alice");
        var environment = (await service.CreateEnvironmentAsync("scopes")).Id;
        await AddAsync(service, environment, "*.corp.example", null, "pattern-user");
        await AddAsync(service, environment, "*.corp.example:5000", null, "port-pattern-user");
        await AddAsync(service, environment, "registry.example.com", "team", "team-user");
        await AddAsync(service, environment, "registry.example.com", "team/sub", "sub-user");

        // The host entry is the newest: specificity, not recency, decides between scopes.
        await AddAsync(service, environment, "registry.example.com", null, "host-user");
        var resolution = await new LaunchResolver(store).ResolveAsync(environment, reference);

        var request = DockerPullRequest.From(resolution);

        Assert.Equal(username, request.AuthConfig!.Username);
        Assert.Equal(username + "-pw", request.AuthConfig.Password);
        Assert.Equal(serverAddress, request.AuthConfig.ServerAddress);
        Assert.DoesNotContain("*", request.AuthConfig.ServerAddress, StringComparison.Ordinal);
    }

    private static async Task AddAsync(RegistryService service, string environment, string address, string? path, string username)
        => await service.AddRegistryAsync(environment, RegistryScope.Parse(address, path), new RegistryCredential("ops@example.com", username, username + "-pw"));
}
