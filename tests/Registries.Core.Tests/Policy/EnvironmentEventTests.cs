using Registries.Core.Events;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Core.Tests.Policy;

/// <summary>Policy and mirror changes reach the registry event observers as environment events, after the store
/// write, once per change, never for a change that changed nothing or was refused.</summary>
public sealed class EnvironmentEventTests
{
    private const string Owner = "olivia";
    private const string Member = "marcus";

    private static readonly RegistryAddress Upstream = RegistryAddress.DockerHub;
    private static readonly RegistryAddress MirrorAddress = RegistryAddress.Parse("mirror.example.com:5000");

    [Fact]
    public async Task PolicyChanges_EachStoredChangeIsOneEvent_NoOpAndRefusedAreNone()
    {
        var (service, recorder, _, environmentId) = await CreateAsync();
        var owner = service.As(Owner);
        var scope = RegistryScope.ParseScope("registry.example.com/team");

        await owner.SetPolicyRuleAsync(environmentId, PolicyRule.Allow(scope));
        await owner.SetPolicyRuleAsync(environmentId, PolicyRule.Allow(scope));
        await owner.SetPolicyRuleAsync(environmentId, PolicyRule.Allow(scope, digestOnly: true));
        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await service.As(Member).SetPolicyRuleAsync(environmentId, PolicyRule.Deny(scope)));
        await owner.RemovePolicyRuleAsync(environmentId, scope);
        await Assert.ThrowsAsync<RegistryRuleException>(async () => await owner.RemovePolicyRuleAsync(environmentId, scope));

        Assert.Collection(
            recorder.EnvironmentEvents,
            set =>
            {
                Assert.Equal(EnvironmentEventKind.PolicyRuleSet, set.Kind);
                Assert.Equal(PolicyRule.Allow(scope), set.Rule);
                Assert.Null(set.Mirror);
                Assert.Equal(environmentId, set.EnvironmentId);
                Assert.Equal(Owner, set.Caller);
            },
            replaced => Assert.Equal(PolicyRule.Allow(scope, digestOnly: true), replaced.Rule),
            removed =>
            {
                Assert.Equal(EnvironmentEventKind.PolicyRuleRemoved, removed.Kind);
                Assert.Equal(PolicyRule.Allow(scope, digestOnly: true), removed.Rule);
            });
        Assert.Empty(recorder.Events);
    }

    [Fact]
    public async Task MirrorChanges_AddedAndRemovedCarryTheMirror()
    {
        var (service, recorder, _, environmentId) = await CreateAsync();
        var owner = service.As(Owner);
        var mirror = RegistryMirror.Create(Upstream, MirrorAddress, MirrorRewrite.Parse("^library/(.*)", "hub/$1"));

        await owner.AddMirrorAsync(environmentId, mirror);
        await owner.AddMirrorAsync(environmentId, mirror);
        await owner.RemoveMirrorAsync(environmentId, Upstream, MirrorAddress);
        await Assert.ThrowsAsync<RegistryRuleException>(async () => await owner.RemoveMirrorAsync(environmentId, Upstream, MirrorAddress));

        Assert.Collection(
            recorder.EnvironmentEvents,
            added =>
            {
                Assert.Equal(EnvironmentEventKind.MirrorAdded, added.Kind);
                Assert.Equal(mirror, added.Mirror);
                Assert.Null(added.Rule);
            },
            removed =>
            {
                Assert.Equal(EnvironmentEventKind.MirrorRemoved, removed.Kind);
                Assert.Equal(mirror, removed.Mirror);
                Assert.Contains("mirror.example.com:5000", removed.ToString(), StringComparison.Ordinal);
            });
    }

    [Fact]
    public async Task Event_IsToldAfterTheWrite_TheObserverReadsTheChange()
    {
        var store = new InMemoryRegistryStore();
        var seen = new List<RegistryPolicy>();
        var observer = new ReadingObserver(store, seen);
        var service = new RegistryService(store, observers: [observer]);
        var environment = await service.As(Owner).CreateEnvironmentAsync("production");

        await service.As(Owner).SetPolicyRuleAsync(environment.Id, PolicyRule.Deny(RegistryScope.ParseScope("quay.io")));

        var policy = Assert.Single(seen);
        Assert.Equal(PolicyRule.Deny(RegistryScope.ParseScope("quay.io")), Assert.Single(policy.Rules));
    }

    [Fact]
    public async Task ObserverThrows_ChangeStored_FailureHandedOverWithTheEvent_OthersStillTold()
    {
        var store = new InMemoryRegistryStore();
        var throwing = new ThrowingEventObserver();
        var recorder = new RecordingEventObserver();
        var failures = new RecordingFailureHandler();
        var service = new RegistryService(store, observers: [throwing, recorder], failureHandler: failures);
        var environment = await service.As(Owner).CreateEnvironmentAsync("production");
        var mirror = RegistryMirror.Create(Upstream, MirrorAddress, mirrorOnly: true);

        var changed = await service.As(Owner).AddMirrorAsync(environment.Id, mirror);

        Assert.Equal(mirror, Assert.Single(changed.Mirrors.All));
        Assert.Equal(mirror, Assert.Single((await store.GetEnvironmentAsync(environment.Id))!.Mirrors.All));
        var failure = Assert.Single(failures.Failures);
        Assert.Same(throwing, failure.Observer);
        Assert.Equal(EnvironmentEventKind.MirrorAdded, failure.EnvironmentEvent!.Kind);
        Assert.Null(failure.RegistryEvent);
        Assert.Null(failure.Resolution);
        Assert.Contains("MirrorAdded", failure.ToString(), StringComparison.Ordinal);
        Assert.Single(recorder.EnvironmentEvents);
    }

    [Fact]
    public async Task ObserverWithoutEnvironmentEvents_KeepsWorking()
    {
        var store = new InMemoryRegistryStore();
        var old = new RegistryOnlyObserver();
        var service = new RegistryService(store, observers: [old]);
        var environment = await service.As(Owner).CreateEnvironmentAsync("production");

        await service.As(Owner).SetPolicyRuleAsync(environment.Id, PolicyRule.Deny(RegistryScope.ParseScope("quay.io")));
        await service.As(Owner).AddRegistryAsync(environment.Id, RegistryAddress.Quay, new RegistryCredential("ops@example.com", "deploy", "s3cret"));

        Assert.Equal(1, old.Count);
    }

    [Fact]
    public void Factories_RefuseAKindOfTheOtherChange()
    {
        var rule = PolicyRule.Deny(RegistryScope.ParseScope("quay.io"));
        var mirror = RegistryMirror.Create(Upstream, MirrorAddress);

        Assert.Throws<ArgumentOutOfRangeException>(() => EnvironmentEvent.OfPolicy(EnvironmentEventKind.MirrorAdded, "e", Owner, rule));
        Assert.Throws<ArgumentOutOfRangeException>(() => EnvironmentEvent.OfMirror(EnvironmentEventKind.PolicyRuleSet, "e", Owner, mirror));
        Assert.Throws<ArgumentNullException>(() => EnvironmentEvent.OfPolicy(EnvironmentEventKind.PolicyRuleSet, "e", Owner, null!));
    }

    private static async Task<(RegistryService Service, RecordingEventObserver Recorder, InMemoryRegistryStore Store, string EnvironmentId)> CreateAsync()
    {
        var store = new InMemoryRegistryStore();
        var recorder = new RecordingEventObserver();
        var service = new RegistryService(store, observers: [recorder]);
        var environment = await service.As(Owner).CreateEnvironmentAsync("production");
        await service.As(Owner).SetMemberAsync(environment.Id, Member, EnvironmentRole.Member);
        return (service, recorder, store, environment.Id);
    }

    private sealed class ReadingObserver(IRegistryStore store, List<RegistryPolicy> seen) : IRegistryEventObserver
    {
        public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public async ValueTask OnEnvironmentEventAsync(EnvironmentEvent environmentEvent, CancellationToken cancellationToken = default)
            => seen.Add((await store.GetEnvironmentAsync(environmentEvent.EnvironmentId, cancellationToken))!.Policy);
    }

    private sealed class RegistryOnlyObserver : IRegistryEventObserver
    {
        public int Count { get; private set; }

        public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
        {
            Count++;
            return ValueTask.CompletedTask;
        }
    }
}
