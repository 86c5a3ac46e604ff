using Registries.Core.Engine;
using Registries.Core.Testing;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

public sealed class ImagePullServiceTests
{
    [Fact]
    public async Task EnsureImageAsync_ImagePresent_IsUsedWhateverTheRegistryState()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        var engine = new FakeImageEngine().AddImage("registry.example.com/app:1");

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app:1"));

        Assert.False(result.Pulled);
        Assert.Null(result.Resolution);
        Assert.Empty(engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_DeniedAndMissing_ThrowsDeniedBeforeAnyPull()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        var engine = new FakeImageEngine();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app:1")).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.Contains("prohibited", error.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_AlwaysPull_PullsEvenWhenPresentAndStillHonoursDenied()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com", "deploy", "pw");
        var engine = new FakeImageEngine().AddImage("registry.example.com/app:1");
        var service = new ImagePullService(f.Resolver, engine);

        var result = await service.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app:1"), alwaysPull: true);
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        var denied = await Assert.ThrowsAsync<ImagePullException>(() => service.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app:1"), alwaysPull: true).AsTask());

        Assert.True(result.Pulled);
        Assert.Equal(ResolutionOutcome.Authenticated, Assert.Single(engine.Pulls).Outcome);
        Assert.Equal(ImagePullError.Denied, denied.Error);
        Assert.Single(engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_MissingAndUnconfigured_PullsAnonymously()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine();

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("alpine"));

        Assert.True(result.Pulled);
        Assert.Equal(ResolutionOutcome.Anonymous, result.Resolution!.Outcome);
        Assert.Null(Assert.Single(engine.Pulls).Resolution.Password);
    }
}
