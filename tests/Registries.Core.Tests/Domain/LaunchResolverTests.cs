using Registries.Core.Events;
using Registries.Core.Storage;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>The platform's launch path (no caller): address resolution and best-effort resolution observers.</summary>
public sealed class LaunchResolverTests
{
    [Fact]
    public async Task ResolveAsync_Address_AnswersEveryOutcomeWithoutAnImage()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var resolver = new LaunchResolver(seeded.Store);

        var authenticated = await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Parse("registry.example.com"));
        var denied = await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Quay);
        var anonymous = await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.DockerHub);

        Assert.Equal((ResolutionOutcome.Authenticated, seeded.ActiveId, "active", Canary), (authenticated.Outcome, authenticated.RegistryId, authenticated.Username, authenticated.Password!.Reveal()));
        Assert.Equal((ResolutionOutcome.Denied, seeded.InactiveId), (denied.Outcome, denied.RegistryId));
        Assert.Equal(ResolutionOutcome.Anonymous, anonymous.Outcome);
        Assert.All(new[] { authenticated, denied, anonymous }, r => Assert.Null(r.Image));
        Assert.Same(RegistryAddress.DockerHub, anonymous.Address);
    }

    [Fact]
    public async Task ResolveAsync_AddressInUnknownEnvironment_ThrowsEnvironmentNotFound()
    {
        var resolver = new LaunchResolver(new InMemoryRegistryStore());

        var error = await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => resolver.ResolveAsync("1a999", RegistryAddress.Quay).AsTask());

        Assert.Equal("1a999", error.EnvironmentId);
        await Assert.ThrowsAsync<ArgumentNullException>(() => resolver.ResolveAsync("1a999", (RegistryAddress)null!).AsTask());
    }

    [Theory]
    [InlineData("image")]
    [InlineData("address")]
    public async Task ResolveAsync_ObserverThrows_AnswerUnchangedReportedAndOtherObserversStillRun(string by)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var before = new RecordingResolutionObserver();
        var throwing = new ThrowingResolutionObserver();
        var after = new RecordingResolutionObserver();
        var failures = new RecordingFailureHandler();
        var observed = new LaunchResolver(seeded.Store, null, [before, throwing, after], failures);
        var plain = new LaunchResolver(seeded.Store);

        async Task<CredentialResolution> Resolve(LaunchResolver resolver, RegistryAddress address) => by == "image"
            ? await resolver.ResolveAsync(seeded.EnvironmentId, ImageReference.Parse(address + "/team/app:1"))
            : await resolver.ResolveAsync(seeded.EnvironmentId, address);

        foreach (var address in new[] { RegistryAddress.Parse("registry.example.com"), RegistryAddress.Quay, RegistryAddress.Parse("gcr.io") })
        {
            var answer = await Resolve(observed, address);
            var expected = await Resolve(plain, address);

            Assert.Equal(
                (expected.Outcome, expected.RegistryId, expected.Username, expected.Password?.Reveal(), expected.Reason),
                (answer.Outcome, answer.RegistryId, answer.Username, answer.Password?.Reveal(), answer.Reason));
        }

        Assert.Equal([ResolutionOutcome.Authenticated, ResolutionOutcome.Denied, ResolutionOutcome.Anonymous], before.Resolutions.Select(r => r.Outcome));
        Assert.Equal(before.Resolutions, after.Resolutions);
        Assert.Equal(3, failures.Failures.Count);
        Assert.All(failures.Failures, f => Assert.Same(throwing, f.Observer));
        Assert.Equal(throwing.Thrown, failures.Failures.Select(f => f.Exception));
        Assert.Equal(before.Resolutions, failures.Failures.Select(f => f.Resolution));
    }

    [Fact]
    public async Task ResolveAsync_ObserverAndHandlerBothThrow_AnswerIsReturned()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var handler = new ThrowingFailureHandler();
        var recording = new RecordingResolutionObserver();
        var resolver = new LaunchResolver(seeded.Store, null, [new ThrowingResolutionObserver(), recording], handler);

        var resolution = await resolver.ResolveAsync(seeded.EnvironmentId, "registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(1, handler.Calls);
        Assert.Single(recording.Resolutions);
    }

    [Fact]
    public async Task ResolveAsync_ObserverThrowsAndNoHandler_AnswerIsReturned()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var resolver = new LaunchResolver(seeded.Store, null, [new ThrowingResolutionObserver()]);

        var resolution = await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Quay);

        Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
    }

    [Fact]
    public async Task ResolveAsync_Observer_IsToldTheEnvironmentAndWhatWasResolved()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var recording = new RecordingResolutionObserver();
        var resolver = new LaunchResolver(seeded.Store, null, [recording]);
        var image = ImageReference.Parse("registry.example.com/app:1");

        await resolver.ResolveAsync(seeded.EnvironmentId, image);
        await resolver.ResolveAsync(seeded.EnvironmentId, RegistryAddress.Quay);

        Assert.Equal(
            [(seeded.EnvironmentId, (ImageReference?)image, "registry.example.com", (string?)seeded.ActiveId), (seeded.EnvironmentId, null, "quay.io", seeded.InactiveId)],
            recording.Resolutions.Select(r => (r.EnvironmentId, r.Image, r.Address.ToString(), r.MatchedRegistry?.Id)));
        Assert.Contains("inactive", recording.Resolutions[1].Reason, StringComparison.Ordinal);
    }
}
