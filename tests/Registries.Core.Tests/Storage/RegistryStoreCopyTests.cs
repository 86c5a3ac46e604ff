using Registries.Core.Storage;
using Registries.Core.Tests.Domain;

namespace Registries.Core.Tests.Storage;

public sealed class RegistryStoreCopyTests
{
    private const string Canary = DomainFixture.Canary;
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");

    [Fact]
    public async Task CopyAsync_TwoInMemoryStores_KeepsEnvironmentsMembersStatesAndOrder()
    {
        var (source, seeded) = await SeedAsync();
        var target = new InMemoryRegistryStore();

        var result = await RegistryStoreCopy.CopyAsync(source, target);

        Assert.Equal(3, result.EnvironmentCount);
        Assert.Equal(6, result.RegistryCount);
        var production = (await target.GetEnvironmentAsync(result.EnvironmentIds[seeded.ProductionId]))!;
        Assert.Equal("production", production.Name);
        Assert.Equal(OrchestrationKind.Cattle, production.Orchestration);
        Assert.Equal(EnvironmentRole.Owner, production.RoleOf(DomainFixture.Owner));
        Assert.Equal(EnvironmentRole.Member, production.RoleOf(DomainFixture.Member));
        Assert.Equal(EnvironmentRole.ReadOnly, production.RoleOf(DomainFixture.Reader));
        var kubernetes = (await target.GetEnvironmentAsync(result.EnvironmentIds[seeded.KubernetesId]))!;
        Assert.Equal(OrchestrationKind.Kubernetes, kubernetes.Orchestration);

        var listed = await target.ListRegistriesAsync(production.Id);
        Assert.Equal(["old", "quay", "gone", "new"], listed.Select(r => r.Registry.Username));
        Assert.Equal([RegistryState.Active, RegistryState.Inactive, RegistryState.Removed, RegistryState.Active], listed.Select(r => r.Registry.State));
        Assert.Null(listed[2].Password);
        Assert.True(listed.Select(r => r.Registry.Sequence).SequenceEqual(listed.Select(r => r.Registry.Sequence).Order()));
    }

    [Fact]
    public async Task CopyAsync_NewestEntry_WinsInTheTargetWithItsPassword()
    {
        var (source, seeded) = await SeedAsync();
        var target = new InMemoryRegistryStore();

        var result = await RegistryStoreCopy.CopyAsync(source, target);

        var copyId = result.EnvironmentIds[seeded.ProductionId];
        var resolved = CredentialResolver.Resolve(Example, await target.ListRegistriesByAddressAsync(copyId, Example));
        Assert.Equal(ResolutionOutcome.Authenticated, resolved.Outcome);
        Assert.Equal("new", resolved.Username);
        Assert.Equal(Canary, resolved.Password!.Reveal());
        Assert.Equal(result.RegistryIds[seeded.NewId], resolved.RegistryId);
        var quay = CredentialResolver.Resolve(RegistryAddress.Quay, await target.ListRegistriesByAddressAsync(copyId, RegistryAddress.Quay));
        Assert.Equal(ResolutionOutcome.Denied, quay.Outcome);
    }

    [Fact]
    public async Task CopyAsync_OrderAcrossEnvironments_IsTheSourceOrder()
    {
        var (source, _) = await SeedAsync();
        var target = new InMemoryRegistryStore();

        var result = await RegistryStoreCopy.CopyAsync(source, target);

        var sourceOrder = await AllBySequenceAsync(source);
        var targetOrder = await AllBySequenceAsync(target);
        Assert.Equal(sourceOrder.Select(r => result.RegistryIds[r.Id]), targetOrder.Select(r => r.Id));
    }

    [Fact]
    public async Task CopyAsync_Result_MapsEverySourceIdToATargetId()
    {
        var (source, _) = await SeedAsync();
        var target = new InMemoryRegistryStore();

        var result = await RegistryStoreCopy.CopyAsync(source, target);

        var sourceEnvironments = await source.ListEnvironmentsAsync();
        Assert.Equal(sourceEnvironments.Select(e => e.Id).Order(StringComparer.Ordinal), result.EnvironmentIds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((await target.ListEnvironmentsAsync()).Select(e => e.Id).Order(StringComparer.Ordinal), result.EnvironmentIds.Values.Order(StringComparer.Ordinal));
        Assert.Equal((await AllBySequenceAsync(source)).Select(r => r.Id).Order(StringComparer.Ordinal), result.RegistryIds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((await AllBySequenceAsync(target)).Select(r => r.Id).Order(StringComparer.Ordinal), result.RegistryIds.Values.Order(StringComparer.Ordinal));

        // The target assigns its own ids: environments are created before any entry, so at least one id differs.
        Assert.Contains(result.RegistryIds, pair => pair.Key != pair.Value);
    }

    [Fact]
    public async Task CopyAsync_RemovedEntry_KeepsItsPlaceWithoutAnySecret()
    {
        var (source, seeded) = await SeedAsync();
        var target = new CountingStore(new InMemoryRegistryStore());
        var written = new List<StoredRegistry>();
        var recording = new RecordingStore(target, written);

        var result = await RegistryStoreCopy.CopyAsync(source, recording);

        var removedCopy = result.RegistryIds[seeded.GoneId];
        var update = Assert.Single(written, r => r.Registry.Id == removedCopy);
        Assert.Equal(RegistryState.Removed, update.Registry.State);
        Assert.Null(update.Password);
        Assert.Null((await target.GetRegistryAsync(result.EnvironmentIds[seeded.ProductionId], removedCopy))!.Password);
    }

    [Fact]
    public async Task CopyAsync_TargetNotEmpty_IsRefusedAndWritesNothing()
    {
        var (source, _) = await SeedAsync();
        var inner = new InMemoryRegistryStore();
        await inner.CreateEnvironmentAsync("already-here", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["bob"] = EnvironmentRole.Owner });
        var target = new CountingStore(inner);

        var error = await Assert.ThrowsAsync<RegistryRuleException>(() => RegistryStoreCopy.CopyAsync(source, target));

        Assert.Contains("not empty", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, target.Count(nameof(IRegistryStore.CreateEnvironmentAsync)) + target.Count(nameof(IRegistryStore.AddRegistryAsync)) + target.Count(nameof(IRegistryStore.UpdateRegistryAsync)) + target.Count(nameof(IRegistryStore.UpdateEnvironmentAsync)));
        Assert.Single(await inner.ListEnvironmentsAsync());
    }

    [Fact]
    public async Task CopyAsync_SourceIntoItself_IsRefused()
    {
        var (source, _) = await SeedAsync();

        await Assert.ThrowsAsync<RegistryRuleException>(() => RegistryStoreCopy.CopyAsync(source, source));
    }

    [Fact]
    public async Task CopyAsync_EmptySource_CopiesNothing()
    {
        var result = await RegistryStoreCopy.CopyAsync(new InMemoryRegistryStore(), new InMemoryRegistryStore());

        Assert.Equal(0, result.EnvironmentCount);
        Assert.Equal(0, result.RegistryCount);
    }

    [Fact]
    public async Task CopyAsync_PolicyAndMirrors_CopiedInOrderWithEveryFlag()
    {
        var (source, seeded) = await SeedWithPolicyAsync();
        var target = new InMemoryRegistryStore();

        var result = await RegistryStoreCopy.CopyAsync(source, target);

        var original = (await source.GetEnvironmentAsync(seeded.ProductionId))!;
        var copy = (await target.GetEnvironmentAsync(result.EnvironmentIds[seeded.ProductionId]))!;
        Assert.Equal(["deny *.evil.example", "allow registry.example.com:5000/team (digest only)", "allow docker.io/library"], copy.Policy.Rules.Select(r => r.ToString()));
        Assert.Equal(original.Policy, copy.Policy);
        Assert.Equal(original.Mirrors, copy.Mirrors);
        Assert.Equal(["mirror.example.com:5000", "10.0.0.5:5000"], copy.Mirrors.All.Select(m => m.Address.ToString()));
        Assert.Equal("^library/(.*) -> hub/${1}", copy.Mirrors.All[0].Rewrite?.ToString());
        Assert.True(copy.Mirrors.All[1].MirrorOnly);

        // The environments without rules or mirrors stay so; members came along with the policy.
        Assert.True((await target.GetEnvironmentAsync(result.EnvironmentIds[seeded.KubernetesId]))!.Policy.IsEmpty);
        Assert.Equal(EnvironmentRole.ReadOnly, copy.RoleOf(DomainFixture.Reader));
    }

    [Fact]
    public async Task CopyAsync_TargetThatDropsThePolicy_FailsVerificationNamingTheDifference()
    {
        var (source, _) = await SeedWithPolicyAsync();
        var target = new TamperingStore(new InMemoryRegistryStore()) { DropPolicyAndMirrors = true };

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => RegistryStoreCopy.CopyAsync(source, target));

        Assert.Contains("the policy differs (deny *.evil.example; ", error.Message, StringComparison.Ordinal);
        Assert.Contains(" vs no rules)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyAsync_TargetThatDropsStateChanges_FailsVerificationNamingTheDifference()
    {
        var (source, _) = await SeedAsync();
        var target = new TamperingStore(new InMemoryRegistryStore()) { IgnoreStateChanges = true };

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => RegistryStoreCopy.CopyAsync(source, target));

        Assert.Contains("the state differs (Inactive vs Active)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyAsync_TargetThatGivesBackAnotherPassword_FailsVerificationWithoutShowingEither()
    {
        var (source, _) = await SeedAsync();
        var target = new TamperingStore(new InMemoryRegistryStore()) { ReplacePasswordsOnResolution = true };

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => RegistryStoreCopy.CopyAsync(source, target));

        Assert.Contains("the resolved password differs", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TamperingStore.OtherPassword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyAsync_TargetFailing_PassesTheStoreErrorOn()
    {
        var (source, _) = await SeedAsync();
        var target = new TamperingStore(new InMemoryRegistryStore()) { FailOnAdd = 3 };

        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => RegistryStoreCopy.CopyAsync(source, target));

        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyAsync_Canary_NeverInTheResultOrItsText()
    {
        var (source, _) = await SeedAsync();

        var result = await RegistryStoreCopy.CopyAsync(source, new InMemoryRegistryStore());

        var text = result.ToString();
        Assert.Equal("Copied 3 environment(s) and 6 registry entries, verified.", text);
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(result.EnvironmentIds.Concat(result.RegistryIds), pair => pair.Key.Contains(Canary, StringComparison.Ordinal) || pair.Value.Contains(Canary, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CopyAsync_Cancelled_ThrowsAndWritesNothing()
    {
        var (source, _) = await SeedAsync();
        var target = new CountingStore(new InMemoryRegistryStore());
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RegistryStoreCopy.CopyAsync(source, target, cancellation.Token));

        Assert.Equal(0, target.Total);
    }

    [Fact]
    public async Task CopyAsync_CancelledMidway_StopsBeforeTheNextWrite()
    {
        var (source, _) = await SeedAsync();
        using var cancellation = new CancellationTokenSource();
        var target = new TamperingStore(new InMemoryRegistryStore()) { OnAdd = count => { if (count == 2) { cancellation.Cancel(); } } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RegistryStoreCopy.CopyAsync(source, target, cancellation.Token));

        Assert.Equal(2, target.Adds);
    }

    [Fact]
    public async Task CopyAsync_NullStore_Throws()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => RegistryStoreCopy.CopyAsync(null!, new InMemoryRegistryStore()));
        await Assert.ThrowsAsync<ArgumentNullException>(() => RegistryStoreCopy.CopyAsync(new InMemoryRegistryStore(), null!));
    }

    // Three environments, written in an interleaved order so that the store's global sequence differs from "all of one
    // environment, then the next": production has an overridden entry, an inactive one, a removed one and the newest.
    private static async Task<(InMemoryRegistryStore Store, SeededIds Ids)> SeedAsync()
    {
        var store = new InMemoryRegistryStore();
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add(OrchestrationKind.Kubernetes);
        var owner = new RegistryService(store, options).As(DomainFixture.Owner);
        var production = await owner.CreateEnvironmentAsync("production");
        await owner.SetMemberAsync(production.Id, DomainFixture.Member, EnvironmentRole.Member);
        await owner.SetMemberAsync(production.Id, DomainFixture.Reader, EnvironmentRole.ReadOnly);
        await owner.AddRegistryAsync(production.Id, Example, DomainFixture.Credential("old", "old-" + Canary));
        var staging = await owner.CreateEnvironmentAsync("staging");
        await owner.AddRegistryAsync(staging.Id, RegistryAddress.DockerHub, DomainFixture.Credential("hub", Canary));
        var quay = await owner.AddRegistryAsync(production.Id, RegistryAddress.Quay, DomainFixture.Credential("quay", Canary));
        await owner.DeactivateRegistryAsync(production.Id, quay.Id);
        var gone = await owner.AddRegistryAsync(production.Id, Example, DomainFixture.Credential("gone", Canary));
        await owner.DeactivateRegistryAsync(production.Id, gone.Id);
        await owner.DeleteRegistryAsync(production.Id, gone.Id);
        var kubernetes = await owner.CreateEnvironmentAsync("cluster", OrchestrationKind.Kubernetes);
        await owner.AddRegistryAsync(kubernetes.Id, Example, DomainFixture.Credential("k8s", Canary));
        var newest = await owner.AddRegistryAsync(production.Id, Example, DomainFixture.Credential("new", Canary));
        return (store, new SeededIds(production.Id, kubernetes.Id, gone.Id, newest.Id));
    }

    // The seeded store, and production given rules (a deny pattern, a digest-only path, official images) and two Docker
    // Hub mirrors (a rewrite, then a mirror-only one).
    private static async Task<(InMemoryRegistryStore Store, SeededIds Ids)> SeedWithPolicyAsync()
    {
        var (store, seeded) = await SeedAsync();
        var owner = new RegistryService(store).As(DomainFixture.Owner);
        await owner.SetPolicyRuleAsync(seeded.ProductionId, PolicyRule.Deny(RegistryScope.ParseScope("*.evil.example")));
        await owner.SetPolicyRuleAsync(seeded.ProductionId, PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000/team"), digestOnly: true));
        await owner.SetPolicyRuleAsync(seeded.ProductionId, PolicyRule.Allow(RegistryScope.ParseScope("docker.io/library")));
        await owner.AddMirrorAsync(seeded.ProductionId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com:5000"), MirrorRewrite.Parse("^library/(.*)", "hub/${1}")));
        await owner.AddMirrorAsync(seeded.ProductionId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("10.0.0.5:5000"), mirrorOnly: true));
        return (store, seeded);
    }

    private static async Task<List<Registry>> AllBySequenceAsync(IRegistryStore store)
    {
        var all = new List<Registry>();
        foreach (var environment in await store.ListEnvironmentsAsync())
        {
            all.AddRange((await store.ListRegistriesAsync(environment.Id)).Select(r => r.Registry));
        }

        return all.OrderBy(r => r.Sequence).ToList();
    }

    private sealed record SeededIds(string ProductionId, string KubernetesId, string GoneId, string NewId);

    /// <summary>Passes every call on and records what was given to <see cref="UpdateRegistryAsync"/>.</summary>
    private sealed class RecordingStore(IRegistryStore inner, List<StoredRegistry> updates) : TamperingStore(inner)
    {
        public override ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
        {
            updates.Add(record);
            return base.UpdateRegistryAsync(record, cancellationToken);
        }
    }

    /// <summary>A store that breaks one rule on purpose, the way a faulty implementation would, to show that the copy's
    /// verification (or its error handling) catches it.</summary>
    private class TamperingStore(IRegistryStore inner) : IRegistryStore
    {
        public const string OtherPassword = "not-what-was-written";

        public bool IgnoreStateChanges { get; init; }

        public bool ReplacePasswordsOnResolution { get; init; }

        public bool DropPolicyAndMirrors { get; init; }

        public int FailOnAdd { get; init; }

        public Action<int>? OnAdd { get; init; }

        public int Adds { get; private set; }

        public ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
            => inner.CreateEnvironmentAsync(name, orchestration, members, cancellationToken);

        public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
            => inner.GetEnvironmentAsync(environmentId, cancellationToken);

        public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
            => inner.ListEnvironmentsAsync(cancellationToken);

        public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
            => inner.UpdateEnvironmentAsync(DropPolicyAndMirrors ? environment.WithPolicy(RegistryPolicy.Empty).WithMirrors(RegistryMirrors.Empty) : environment, cancellationToken);

        public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
        {
            Adds++;
            OnAdd?.Invoke(Adds);
            return Adds == FailOnAdd
                ? ValueTask.FromException<StoredRegistry>(new RegistryStoreException("The target failed: disk full."))
                : inner.AddRegistryAsync(environmentId, scope, credential, cancellationToken);
        }

        public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
            => inner.GetRegistryAsync(environmentId, registryId, cancellationToken);

        public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
            => inner.ListRegistriesAsync(environmentId, cancellationToken);

        public async ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
        {
            var records = await inner.ListRegistriesByAddressAsync(environmentId, address, cancellationToken);
            return ReplacePasswordsOnResolution
                ? records.Select(r => r.Password is null ? r : new StoredRegistry(r.Registry, new RegistrySecret(OtherPassword))).ToList()
                : records;
        }

        public virtual async ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
        {
            if (IgnoreStateChanges && record.Registry.State == RegistryState.Inactive)
            {
                // Claims the write and keeps the entry Active: the listing then disagrees with the source.
                return (await inner.GetRegistryAsync(record.Registry.EnvironmentId, record.Registry.Id, cancellationToken))!;
            }

            return await inner.UpdateRegistryAsync(record, cancellationToken);
        }
    }
}
