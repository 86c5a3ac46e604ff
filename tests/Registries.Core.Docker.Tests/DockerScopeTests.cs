using Registries.Core.Engine;
using Registries.Core.Storage;

namespace Registries.Core.Docker.Tests;

/// <summary>Path-scoped credentials through the real dockerd and registry: the deciding entry's credential is the one
/// the Engine sends, and an inactive path entry denies with no fallback to the host's.</summary>
/// <remarks>The host-level entry has a wrong password and the <c>team</c> entry the right one, so which credential
/// reached the registry shows in whether the pull succeeds.</remarks>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerScopeTests : IAsyncLifetime
{
    private const string WrongPassword = "Wrong-Host-Canary-5Tq";
    private readonly DockerEngineFixture _docker;
    private readonly DockerImageEngine _engine;
    private readonly InMemoryRegistryStore _store = new();
    private readonly RegistryService _registries;
    private readonly ImagePullService _pulls;
    private ImageReference _team = null!;
    private ImageReference _teamB = null!;

    public DockerScopeTests(DockerEngineFixture docker)
    {
        _docker = docker;
        _engine = new DockerImageEngine(docker.EngineOptions);
        _registries = new RegistryService(_store).As("alice");
        _pulls = new ImagePullService(new LaunchResolver(_store), _engine);
    }

    [Fact]
    public async Task EnsureImageAsync_TeamImage_PullsWithTheTeamEntryOverAWrongHostEntry()
    {
        var (environment, team, _) = await ArrangeAsync();

        var result = await _pulls.EnsureImageAsync(environment, _team);

        Assert.True(result.Pulled);
        Assert.Equal(team.Id, result.Resolution!.RegistryId);
        Assert.True(await _docker.IsPresentAsync(_team));
    }

    [Fact]
    public async Task EnsureImageAsync_TeamBImage_GetsTheHostEntryAndItsUnauthorized()
    {
        var (environment, _, host) = await ArrangeAsync();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, _teamB).AsTask());

        // team-b is not under team: the '/' boundary holds, so the host's (wrong) credential is the one sent.
        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains(host.Id, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, error.ToString(), StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(_teamB));
    }

    [Fact]
    public async Task EnsureImageAsync_TeamEntryDeactivated_DeniedWithoutFallbackToTheHost()
    {
        var (environment, team, host) = await ArrangeAsync();
        await _registries.DeactivateRegistryAsync(environment, team.Id);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, _team).AsTask());

        // Denied by the rules before the engine is asked (an attempt with the host's wrong password would be Unauthorized).
        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.Contains(team.Id, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Id, error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(_team));
    }

    public async Task InitializeAsync()
    {
        _team = await _docker.PushUniqueAsync("scope", "team/hello");
        _teamB = await _docker.PushUniqueAsync("scope", "team-b/hello");
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _docker.RemoveAsync(_team);
            await _docker.RemoveAsync(_teamB);
        }
        finally
        {
            _engine.Dispose();
        }
    }

    // The host entry is added last: the path entry decides for team/... because it is more specific, not newer.
    private async Task<(string EnvironmentId, Registry Team, Registry Host)> ArrangeAsync()
    {
        var services = _docker.Services;
        var environment = (await _registries.CreateEnvironmentAsync("scope-" + Guid.NewGuid().ToString("N")[..6])).Id;
        var team = await _registries.AddRegistryAsync(environment, RegistryScope.Parse(services.Registry, "team"), new RegistryCredential("ops@example.com", services.User, services.Password));
        var host = await _registries.AddRegistryAsync(environment, RegistryAddress.Parse(services.Registry), new RegistryCredential("ops@example.com", services.User, WrongPassword));
        return (environment, team, host);
    }
}
