using Registries.Core.Engine;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>Pulls through a mirror with the real dockerd: the shared registry is the upstream, and each test starts a
/// private distribution registry of its own (its own user and password) as the mirror, stops it when it needs it down,
/// and disposes it.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerMirrorTests : IAsyncLifetime
{
    private const string Owner = "alice";
    private readonly DockerEngineFixture _docker;
    private readonly DockerImageEngine _engine;
    private readonly InMemoryRegistryStore _store = new();
    private readonly RegistryService _registries;
    private readonly ImagePullService _pulls;
    private readonly List<ImageReference> _images = [];
    private DistributionRegistry _mirror = null!;

    public DockerMirrorTests(DockerEngineFixture docker)
    {
        _docker = docker;
        _engine = new DockerImageEngine(docker.EngineOptions);
        _registries = new RegistryService(_store).As(Owner);
        _pulls = new ImagePullService(new LaunchResolver(_store), _engine);
    }

    private TestServices Services => _docker.Services;

    [Fact]
    public async Task EnsureImageAsync_ImageOnlyTheMirrorHas_ArrivesUnderTheUpstreamNameWithTheMirrorsOwnCredential()
    {
        var repository = "mirrored/only-" + Guid.NewGuid().ToString("N")[..8];
        var onMirror = await _docker.PushToAsync(_mirror.Address, _mirror.User, _mirror.Password, repository, "1.0");
        var image = Track(ImageReference.Parse($"{Services.Registry}/{repository}:1.0"));
        Track(onMirror);
        var environment = await EnvironmentAsync(withMirrorCredential: true);

        var result = await _pulls.EnsureImageAsync(environment, image);

        Assert.True(result.Pulled);
        Assert.Equal(_mirror.Address, result.PulledFrom!.Mirror!.Address.ToString());
        Assert.Equal(onMirror, result.PulledFrom.Image);
        Assert.Equal(_mirror.User, result.PulledWith!.Username);
        Assert.True(await _docker.IsPresentAsync(image));
        Assert.False(await _docker.IsPresentAsync(onMirror));
        Assert.Empty(await _docker.ListAsync(onMirror.Name));
        Assert.Equal([$"{image.Name}:1.0"], await _docker.ListAsync(image.Name));
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorWithoutItsCredential_IsRefusedThereAndTheUpstreamLacksIt()
    {
        var repository = "mirrored/needs-credential-" + Guid.NewGuid().ToString("N")[..8];
        await _docker.PushToAsync(_mirror.Address, _mirror.User, _mirror.Password, repository, "1.0");
        var image = Track(ImageReference.Parse($"{Services.Registry}/{repository}:1.0"));
        var environment = await EnvironmentAsync(withMirrorCredential: false);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.NotFound, error.Error);
        Assert.Equal([ImagePullError.Unauthorized, ImagePullError.NotFound], error.Attempts.Select(a => a.Error));
        Assert.Equal(_mirror.Address, error.Attempts[0].Source.Mirror!.Address.ToString());
        Assert.True(error.Attempts[1].Source.IsUpstream);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorStopped_FallsBackToTheUpstream()
    {
        var image = Track(await _docker.PushUniqueAsync("mirror-down"));
        var environment = await EnvironmentAsync(withMirrorCredential: true);
        await _mirror.StopAsync();

        var result = await _pulls.EnsureImageAsync(environment, image);

        Assert.True(result.Pulled);
        Assert.True(result.PulledFrom!.IsUpstream);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal(ImagePullError.RegistryUnreachable, attempt.Error);
        Assert.Contains(_mirror.Address, attempt.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_mirror.Password, attempt.Reason, StringComparison.Ordinal);
        Assert.True(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorOnlyAndMirrorStopped_FailsWithTheMirrorsReasonAndNeverPullsTheUpstream()
    {
        var image = Track(await _docker.PushUniqueAsync("mirror-only"));
        var environment = await EnvironmentAsync(withMirrorCredential: true, mirrorOnly: true);
        await _mirror.StopAsync();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.MirrorsFailed, error.Error);
        var attempt = Assert.Single(error.Attempts);
        Assert.Equal(ImagePullError.RegistryUnreachable, attempt.Error);
        Assert.Contains(_mirror.Address, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_mirror.Password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Services.Password, error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_PolicyDeniesAnImageWhoseRegistryHasAnActiveCredential_NothingIsPulled()
    {
        // The image is on the upstream and on the mirror, the upstream's entry is active: the policy alone refuses it.
        var image = Track(await _docker.PushUniqueAsync("policy-denied"));
        Track(await _docker.PushToAsync(_mirror.Address, _mirror.User, _mirror.Password, image.Repository, image.Tag!));
        var environment = await EnvironmentAsync(withMirrorCredential: true);
        var scope = RegistryScope.ParseScope($"{Services.Registry}/{image.Repository}");
        await _registries.SetPolicyRuleAsync(environment, PolicyRule.Deny(scope));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.StartsWith($"Pulling {image} is prohibited: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(scope.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Empty(error.Attempts);
        Assert.False(await _docker.IsPresentAsync(image));
        Assert.Empty(await _docker.ListAsync(image.Name));
        Assert.Empty(await _docker.ListAsync($"{_mirror.Address}/{image.Repository}"));
    }

    [Fact]
    public async Task TagAsyncAndUntagAsync_PresentImage_AddAndTakeOffOnlyThatName()
    {
        var image = Track(await _docker.PushUniqueAsync("names"));
        var environment = (await _registries.CreateEnvironmentAsync("names-" + Guid.NewGuid().ToString("N")[..8])).Id;
        await _registries.AddRegistryAsync(environment, RegistryAddress.Parse(Services.Registry), new RegistryCredential("ops@example.com", Services.User, Services.Password));
        await _pulls.EnsureImageAsync(environment, image);
        var other = Track(ImageReference.Parse($"example.com/names/copy:{image.Tag}"));

        await _engine.TagAsync(image, other);
        var removed = await _engine.UntagAsync(other);
        var again = await _engine.UntagAsync(other);

        Assert.True(removed);
        Assert.False(again);
        Assert.True(await _docker.IsPresentAsync(image));
        Assert.False(await _docker.IsPresentAsync(other));
        var missing = await Assert.ThrowsAsync<ImagePullException>(() => _engine.TagAsync(ImageReference.Parse("example.com/names/absent:1"), other).AsTask());
        Assert.Equal(ImagePullError.NotFound, missing.Error);
        await Assert.ThrowsAsync<ArgumentException>(() => _engine.TagAsync(image, other.WithDigest("sha256:" + new string('a', 64))).AsTask());
    }

    public async Task InitializeAsync() => _mirror = await DistributionRegistry.StartAsync(Services);

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var image in _images)
            {
                await _docker.RemoveAsync(image);
            }
        }
        finally
        {
            _engine.Dispose();
            await _mirror.DisposeAsync();
        }
    }

    // An environment whose upstream (the shared registry) has its credential and the test's mirror, optionally with the
    // mirror's own credential and mirror-only.
    private async Task<string> EnvironmentAsync(bool withMirrorCredential, bool mirrorOnly = false)
    {
        var environment = (await _registries.CreateEnvironmentAsync("mirrors-" + Guid.NewGuid().ToString("N")[..8])).Id;
        await _registries.AddRegistryAsync(environment, RegistryAddress.Parse(Services.Registry), new RegistryCredential("ops@example.com", Services.User, Services.Password));
        if (withMirrorCredential)
        {
            await _registries.AddRegistryAsync(environment, RegistryAddress.Parse(_mirror.Address), new RegistryCredential("ops@example.com", _mirror.User, _mirror.Password));
        }

        await _registries.AddMirrorAsync(environment, RegistryMirror.Create(RegistryAddress.Parse(Services.Registry), RegistryAddress.Parse(_mirror.Address), mirrorOnly: mirrorOnly));
        return environment;
    }

    private ImageReference Track(ImageReference image)
    {
        _images.Add(image);
        return image;
    }
}
