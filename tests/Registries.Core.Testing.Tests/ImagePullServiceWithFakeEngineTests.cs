using Registries.Core.Engine;

namespace Registries.Core.Testing.Tests;

/// <summary>What a consumer's test looks like: a seeded store, the fake engine and the real <see cref="ImagePullService"/>.</summary>
public sealed class ImagePullServiceWithFakeEngineTests
{
    private const string Canary = "E2E-Canary:p@ss/+=\"é€";
    private static readonly ImageReference App = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

    [Fact]
    public async Task EnsureImageAsync_Authenticated_PullsWithTheSeededCredentialAndRecordsIt()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com:5000", "ci", Canary));
        var engine = new FakeImageEngine().RequireCredentials("registry.example.com:5000", "ci", Canary);
        var pulls = registries.CreatePullService(engine);

        var result = await pulls.EnsureImageAsync(registries.EnvironmentId("prod"), App);

        Assert.True(result.Pulled);
        var pull = Assert.Single(engine.Pulls);
        Assert.True(pull.Succeeded);
        Assert.Equal(ResolutionOutcome.Authenticated, pull.Outcome);
        Assert.Equal(registries.RegistryId("prod", "registry.example.com:5000"), pull.RegistryId);
        Assert.Equal("ci", pull.Username);
        Assert.Equal(Canary, pull.Resolution.Password!.Reveal());
        Assert.True(engine.Contains(App));
    }

    [Fact]
    public async Task EnsureImageAsync_Denied_IsRefusedAndNothingIsRecordedAsPulled()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com:5000", "ci", Canary, state: RegistryState.Inactive));
        var engine = new FakeImageEngine();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), App).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.Contains(registries.RegistryId("prod", "registry.example.com:5000"), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(engine.Pulls);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public async Task EnsureImageAsync_ImagePresent_IsUsedAsItIsWithoutAPullEvenWhenTheRegistryIsInactive()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com:5000", "ci", Canary, state: RegistryState.Inactive));
        var engine = new FakeImageEngine().AddImage(App);

        var result = await registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), App);

        Assert.False(result.Pulled);
        Assert.Null(result.Resolution);
        Assert.Empty(engine.Pulls);
        Assert.Equal(1, engine.ExistenceChecks);
    }

    [Fact]
    public async Task EnsureImageAsync_AlwaysPullWhilePresent_PullsAgain()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed.Environment("prod", owner: "alice"));
        var engine = new FakeImageEngine().AddImage(App);

        var result = await registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), App, alwaysPull: true);

        Assert.True(result.Pulled);
        Assert.Equal(ResolutionOutcome.Anonymous, Assert.Single(engine.Pulls).Outcome);
    }

    [Fact]
    public async Task EnsureImageAsync_SeededPasswordIsNotTheRegistrys_IsUnauthorizedAndTheWrongPasswordIsRecorded()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com:5000", "ci", "stale-password"));
        var engine = new FakeImageEngine().RequireCredentials("registry.example.com:5000", "ci", Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), App).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.DoesNotContain("stale-password", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("stale-password", Assert.Single(engine.Pulls).Resolution.Password!.Reveal());
        Assert.Empty(engine.SuccessfulPulls);
    }

    [Fact]
    public async Task EnsureImageAsync_NoCredentialForAPrivateRegistry_IsUnauthorizedAnonymously()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed.Environment("prod", owner: "alice"));
        var engine = new FakeImageEngine().RequireCredentials("registry.example.com:5000", "ci", Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => registries.CreatePullService(engine).EnsureImageAsync(registries.EnvironmentId("prod"), App).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Equal(ResolutionOutcome.Anonymous, Assert.Single(engine.Pulls).Outcome);
    }
}
