using Registries.Core.Events;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

// Registry event observers are best effort: they run after the commit, and what they throw goes to the failure
// handler, never to the caller (who would otherwise retry an operation that already happened).
public sealed partial class RegistryServiceTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AddRegistryAsync_ObserverThrows_SucceedsStoresOnceAndReportsTheFailure(bool afterAwait)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var throwing = new ThrowingEventObserver(afterAwait);
        var recording = new RecordingEventObserver();
        var failures = new RecordingFailureHandler();
        var service = new RegistryService(seeded.Store, observers: [throwing, recording], failureHandler: failures).As(Member);

        // An entry for an address that has one: Added, then Overridden, each failing in the first observer.
        var added = await service.AddRegistryAsync(seeded.EnvironmentId, RegistryAddress.Parse("registry.example.com"), Credential("newer"));

        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.AddRegistryAsync)));
        var stored = await seeded.Store.Inner.ListRegistriesByAddressAsync(seeded.EnvironmentId, added.Address);
        Assert.Equal([seeded.ActiveId, added.Id], stored.Select(r => r.Registry.Id));
        Assert.Equal(
            [(RegistryEventKind.Added, added.Id), (RegistryEventKind.Overridden, seeded.ActiveId)],
            recording.Events.Select(e => (e.Kind, e.Registry.Id)));
        Assert.Equal(2, failures.Failures.Count);
        for (var i = 0; i < 2; i++)
        {
            var failure = failures.Failures[i];
            Assert.Same(throwing, failure.Observer);
            Assert.Same(throwing.Thrown[i], failure.Exception);
            Assert.Same(recording.Events[i], failure.RegistryEvent);
            Assert.Null(failure.Resolution);
            Assert.Equal(Member, failure.RegistryEvent!.Caller);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeactivateRegistryAsync_ObserverThrows_SucceedsStoresOnceAndReportsTheFailure(bool afterAwait)
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var throwing = new ThrowingEventObserver(afterAwait);
        var recording = new RecordingEventObserver();
        var failures = new RecordingFailureHandler();
        var service = new RegistryService(seeded.Store, observers: [throwing, recording], failureHandler: failures).As(Owner);

        var deactivated = await service.DeactivateRegistryAsync(seeded.EnvironmentId, seeded.ActiveId);

        Assert.Equal(RegistryState.Inactive, deactivated.State);
        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.UpdateRegistryAsync)));
        var stored = await seeded.Store.Inner.GetRegistryAsync(seeded.EnvironmentId, seeded.ActiveId);
        Assert.Equal((RegistryState.Inactive, deactivated.Version), (stored!.Registry.State, stored.Registry.Version));
        var failure = Assert.Single(failures.Failures);
        Assert.Same(throwing, failure.Observer);
        Assert.Same(Assert.Single(throwing.Thrown), failure.Exception);
        Assert.Equal((RegistryEventKind.Deactivated, seeded.ActiveId, Owner), (failure.RegistryEvent!.Kind, failure.RegistryEvent.Registry.Id, failure.RegistryEvent.Caller));
        Assert.Equal(RegistryEventKind.Deactivated, Assert.Single(recording.Events).Kind);
    }

    [Fact]
    public async Task ChangeOperations_EveryObserverThrowsAndTheHandlerThrowsToo_AllSucceedAndOtherObserversStillRun()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var recording = new RecordingEventObserver();
        var handler = new ThrowingFailureHandler();
        var service = new RegistryService(seeded.Store, observers: [new ThrowingEventObserver(false), recording, new ThrowingEventObserver(true)], failureHandler: handler).As(Owner);
        var id = seeded.EnvironmentId;

        var added = await service.AddRegistryAsync(id, RegistryAddress.DockerHub, Credential());
        await service.EditRegistryAsync(id, added.Id, Credential("edited"));
        await service.DeactivateRegistryAsync(id, added.Id);
        await service.ActivateRegistryAsync(id, added.Id);
        await service.DeactivateRegistryAsync(id, added.Id);
        var deleted = await service.DeleteRegistryAsync(id, added.Id);

        Assert.Equal(RegistryState.Removed, deleted.State);
        Assert.Equal(
            [RegistryEventKind.Added, RegistryEventKind.Edited, RegistryEventKind.Deactivated, RegistryEventKind.Activated, RegistryEventKind.Deactivated, RegistryEventKind.Deleted],
            recording.Events.Select(e => e.Kind));
        Assert.Equal(12, handler.Calls);
        Assert.Equal(1, seeded.Store.Count(nameof(CountingStore.AddRegistryAsync)));
        Assert.Equal(5, seeded.Store.Count(nameof(CountingStore.UpdateRegistryAsync)));
    }

    [Fact]
    public async Task AddRegistryAsync_ObserverThrowsAndNoHandler_Succeeds()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var service = new RegistryService(seeded.Store, observers: [new ThrowingEventObserver(true)]).As(Owner);

        var added = await service.AddRegistryAsync(seeded.EnvironmentId, RegistryAddress.DockerHub, Credential());

        Assert.Equal(RegistryState.Active, (await seeded.Store.Inner.GetRegistryAsync(seeded.EnvironmentId, added.Id))!.Registry.State);
    }

    [Fact]
    public async Task ResolveAsync_ResolutionObserverThrows_AnswerUnchangedAndReportedToTheHandler()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var throwing = new ThrowingResolutionObserver();
        var recording = new RecordingResolutionObserver();
        var failures = new RecordingFailureHandler();
        var observed = new RegistryService(seeded.Store, resolutionObservers: [throwing, recording], failureHandler: failures).As(Member);
        var plain = new RegistryService(seeded.Store).As(Member);
        var image = ImageReference.Parse("registry.example.com/app:1");

        var answer = await observed.ResolveAsync(seeded.EnvironmentId, image);
        var expected = await plain.ResolveAsync(seeded.EnvironmentId, image);

        Assert.Equal(
            (expected.Outcome, expected.RegistryId, expected.Username, expected.Password!.Reveal()),
            (answer.Outcome, answer.RegistryId, answer.Username, answer.Password!.Reveal()));
        var failure = Assert.Single(failures.Failures);
        Assert.Same(throwing, failure.Observer);
        Assert.Same(Assert.Single(throwing.Thrown), failure.Exception);
        Assert.Same(Assert.Single(recording.Resolutions), failure.Resolution);
        Assert.Null(failure.RegistryEvent);
        Assert.Equal((ResolutionOutcome.Authenticated, seeded.EnvironmentId, image), (failure.Resolution!.Outcome, failure.Resolution.EnvironmentId, failure.Resolution.Image));
    }
}
