using Registries.Core.Events;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

public sealed partial class RegistryServiceTests
{
    [Theory]
    [InlineData("docker.io", RegistryKind.DockerHub)]
    [InlineData("index.docker.io", RegistryKind.DockerHub)]
    [InlineData("quay.io", RegistryKind.Quay)]
    [InlineData("registry.example.com:5000", RegistryKind.Custom)]
    [InlineData("[fe80::1]:5000", RegistryKind.Custom)]
    public async Task AddRegistryAsync_AnyKind_IsActiveWithKindFromAddress(string address, RegistryKind kind)
    {
        var f = await CreateAsync();

        var registry = await f.AddAsync(address);

        Assert.Equal(RegistryState.Active, registry.State);
        Assert.Equal(kind, registry.Kind);
        Assert.Equal(RegistryAddress.Parse(address), registry.Address);
        Assert.Equal(1, registry.Version);
        Assert.Equal("deploy", registry.Username);
        Assert.Equal("ops@example.com", registry.Email);
    }

    [Fact]
    public async Task AddRegistryAsync_SameAddressTwice_NewestIsEffectiveAndOlderIsOverridden()
    {
        var f = await CreateAsync();
        var first = await f.AddAsync("registry.example.com:5000", "alice", "first");
        var second = await f.AddAsync("Registry.Example.COM:5000", "bob", "second");

        var list = await f.Service.As(Owner).ListRegistriesAsync(f.EnvironmentId);
        var resolution = await f.ResolveAsync("registry.example.com:5000/team/app:1.0");

        Assert.Equal([first.Id, second.Id], list.Select(e => e.Registry.Id));
        Assert.True(list[0].IsOverridden);
        Assert.False(list[0].IsEffective);
        Assert.True(list[1].IsEffective);
        Assert.True(second.Sequence > first.Sequence);
        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal("bob", resolution.Username);
        Assert.Equal("second", resolution.Password!.Reveal());
        Assert.Equal(second.Id, resolution.RegistryId);
        Assert.Equal(
            [(RegistryEventKind.Added, first.Id), (RegistryEventKind.Added, second.Id), (RegistryEventKind.Overridden, first.Id)],
            f.Events.Select(e => (e.Kind, e.Registry.Id)));
    }

    [Fact]
    public async Task ResolveAsync_NoEntryForAddress_IsAnonymous()
    {
        var f = await CreateAsync();
        await f.AddAsync("quay.io");

        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Anonymous, resolution.Outcome);
        Assert.Null(resolution.RegistryId);
        Assert.Null(resolution.Password);
        Assert.True(resolution.IsAllowed);
    }

    [Fact]
    public async Task ResolveAsync_PortIsPartOfTheAddress_OtherPortIsAnonymous()
    {
        var f = await CreateAsync();
        await f.AddAsync("registry.example.com:5000");

        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("registry.example.com/app")).Outcome);
        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("registry.example.com:5001/app")).Outcome);
        Assert.Equal(ResolutionOutcome.Authenticated, (await f.ResolveAsync("registry.example.com:5000/app")).Outcome);
    }

    [Theory]
    [InlineData("ubuntu")]
    [InlineData("ubuntu:22.04")]
    [InlineData("library/ubuntu")]
    [InlineData("docker.io/library/ubuntu")]
    [InlineData("index.docker.io/library/ubuntu")]
    [InlineData("myorg/private-app:2")]
    public async Task ResolveAsync_DockerHubStyleReferences_UseTheDockerHubEntry(string image)
    {
        var f = await CreateAsync();
        var hub = await f.AddAsync("docker.io", "hubuser");
        await f.AddAsync("quay.io", "quayuser");

        var resolution = await f.ResolveAsync(image);

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(hub.Id, resolution.RegistryId);
        Assert.Equal("hubuser", resolution.Username);
        Assert.True(resolution.Address.IsDockerHub);
    }

    [Fact]
    public async Task ResolveAsync_QuayImage_UsesTheQuayEntry()
    {
        var f = await CreateAsync();
        await f.AddAsync("docker.io", "hubuser");
        var quay = await f.AddAsync("quay.io", "quayuser");

        var resolution = await f.ResolveAsync("quay.io/coreos/etcd:v3.5");

        Assert.Equal(quay.Id, resolution.RegistryId);
        Assert.Equal("quayuser", resolution.Username);
    }

    [Fact]
    public async Task DeactivateRegistryAsync_EffectiveEntry_DeniesWithoutFallbackToOlderActiveEntry()
    {
        var f = await CreateAsync();
        var older = await f.AddAsync("registry.example.com", "old");
        var newer = await f.AddAsync("registry.example.com", "new");

        var deactivated = await f.Service.As(Member).DeactivateRegistryAsync(f.EnvironmentId, newer.Id);
        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(RegistryState.Inactive, deactivated.State);
        Assert.Equal(RegistryState.Active, (await f.Service.As(Owner).GetRegistryAsync(f.EnvironmentId, older.Id)).Registry.State);
        Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
        Assert.False(resolution.IsAllowed);
        Assert.Equal(newer.Id, resolution.RegistryId);
        Assert.Null(resolution.Password);
        Assert.Null(resolution.Username);
        Assert.Contains("inactive", resolution.Reason, StringComparison.Ordinal);
        Assert.Contains(newer.Id, resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteRegistryAsync_NewestAfterDeactivation_OlderBecomesEffectiveAgain()
    {
        var f = await CreateAsync();
        var older = await f.AddAsync("registry.example.com", "old", "old-password");
        var newer = await f.AddAsync("registry.example.com", "new");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, newer.Id);

        var removed = await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, newer.Id);
        var resolution = await f.ResolveAsync("registry.example.com/app");
        var list = await f.Service.As(Reader).ListRegistriesAsync(f.EnvironmentId);

        Assert.Equal(RegistryState.Removed, removed.State);
        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(older.Id, resolution.RegistryId);
        Assert.Equal("old-password", resolution.Password!.Reveal());
        Assert.True(list.Single(e => e.Registry.Id == older.Id).IsEffective);
        var removedEntry = list.Single(e => e.Registry.Id == newer.Id);
        Assert.False(removedEntry.IsEffective);
        Assert.False(removedEntry.IsOverridden);
    }

    [Fact]
    public async Task DeleteRegistryAsync_ErasesTheSecretInTheStore()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);

        await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id);

        var record = await f.Store.GetRegistryAsync(f.EnvironmentId, registry.Id);
        Assert.NotNull(record);
        Assert.Null(record.Password);
        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("registry.example.com/app")).Outcome);
    }

    [Fact]
    public async Task DeleteRegistryAsync_ActiveEntry_IsRefusedWithDeactivateFirst()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");

        var error = await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id).AsTask());

        Assert.Contains("deactivate it first", error.Message, StringComparison.Ordinal);
        Assert.Equal(RegistryState.Active, error.State);
        Assert.Equal(RegistryState.Active, (await f.Service.As(Owner).GetRegistryAsync(f.EnvironmentId, registry.Id)).Registry.State);
    }

    [Fact]
    public async Task StateTransitions_OnlyTheAllowedOnesSucceed()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");

        await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).ActivateRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
        await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id);
        await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
        await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).ActivateRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
        await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id).AsTask());
    }

    [Fact]
    public async Task ActivateRegistryAsync_ByAnotherMember_UsesTheStoredPasswordAgain()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com", "owner-user", "owner-password", actor: Owner);
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        Assert.Equal(ResolutionOutcome.Denied, (await f.ResolveAsync("registry.example.com/app")).Outcome);

        var activated = await f.Service.As(Member).ActivateRegistryAsync(f.EnvironmentId, registry.Id);
        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(RegistryState.Active, activated.State);
        Assert.Equal("owner-password", resolution.Password!.Reveal());
        Assert.Equal(
            [RegistryEventKind.Added, RegistryEventKind.Deactivated, RegistryEventKind.Activated],
            f.Events.Select(e => e.Kind));
        Assert.Equal(Member, f.Events[^1].Caller);
    }

    [Fact]
    public async Task EditRegistryAsync_ChangesCredentialButNeverTheAddressAndKeepsTheState()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com:5000", "old", "old-password");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);

        var edited = await f.Service.As(Member).EditRegistryAsync(f.EnvironmentId, registry.Id, Credential("new", "new-password", "new@example.com"));

        Assert.Equal(registry.Address, edited.Address);
        Assert.Equal(registry.Sequence, edited.Sequence);
        Assert.Equal(RegistryState.Inactive, edited.State);
        Assert.Equal("new", edited.Username);
        Assert.Equal("new@example.com", edited.Email);
        await f.Service.As(Owner).ActivateRegistryAsync(f.EnvironmentId, registry.Id);
        var resolution = await f.ResolveAsync("registry.example.com:5000/app");
        Assert.Equal("new-password", resolution.Password!.Reveal());
        Assert.Equal(RegistryEventKind.Edited, f.Events.Single(e => e.Kind == RegistryEventKind.Edited).Kind);
    }

    [Fact]
    public async Task EditRegistryAsync_RemovedEntry_IsRefused()
    {
        var f = await CreateAsync();
        var registry = await f.AddAsync("registry.example.com");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, registry.Id);
        await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, registry.Id);

        var error = await Assert.ThrowsAsync<InvalidRegistryStateException>(() => f.Service.As(Owner).EditRegistryAsync(f.EnvironmentId, registry.Id, Credential()).AsTask());

        Assert.Equal(RegistryState.Removed, error.State);
        Assert.Contains("add a new credential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryEntryRemoved_AddressIsNotConfigured()
    {
        var f = await CreateAsync();
        var a = await f.AddAsync("registry.example.com");
        var b = await f.AddAsync("registry.example.com");
        foreach (var id in new[] { b.Id, a.Id })
        {
            await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, id);
            await f.Service.As(Owner).DeleteRegistryAsync(f.EnvironmentId, id);
        }

        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("registry.example.com/app")).Outcome);
        Assert.All(await f.Service.As(Owner).ListRegistriesAsync(f.EnvironmentId), e => Assert.False(e.IsEffective));
    }

    [Fact]
    public async Task DeactivatingAnOverriddenEntry_DoesNotChangeResolution()
    {
        var f = await CreateAsync();
        var older = await f.AddAsync("registry.example.com", "old");
        await f.AddAsync("registry.example.com", "new");

        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, older.Id);

        Assert.Equal("new", (await f.ResolveAsync("registry.example.com/app")).Username);
    }

    [Fact]
    public async Task AddAfterDeactivation_NewCredentialIsUsedFromThatMoment()
    {
        var f = await CreateAsync();
        var old = await f.AddAsync("registry.example.com", "old");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, old.Id);
        Assert.Equal(ResolutionOutcome.Denied, (await f.ResolveAsync("registry.example.com/app")).Outcome);

        await f.AddAsync("registry.example.com", "new");

        Assert.Equal("new", (await f.ResolveAsync("registry.example.com/app")).Username);
    }

    [Theory]
    [InlineData(OrchestrationKind.Kubernetes)]
    [InlineData(OrchestrationKind.Swarm)]
    [InlineData(OrchestrationKind.Mesos)]
    public async Task RegistryOperations_InNonCattleEnvironment_AreRefusedNamingTheKind(OrchestrationKind kind)
    {
        var f = await CreateAsync(kind);

        var add = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.AddAsync("quay.io"));
        var list = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.Service.As(Owner).ListRegistriesAsync(f.EnvironmentId).AsTask());
        var resolve = await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => f.ResolveAsync("ubuntu").AsTask());

        foreach (var error in new[] { add, list, resolve })
        {
            Assert.Equal(kind, error.Orchestration);
            Assert.Contains(kind.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("Cattle", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RegistryOperations_KubernetesAllowedByOptions_Work()
    {
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add(OrchestrationKind.Kubernetes);
        var f = await CreateAsync(OrchestrationKind.Kubernetes, options);

        await f.AddAsync("quay.io", "k8s");

        Assert.Equal("k8s", (await f.ResolveAsync("quay.io/org/app")).Username);
    }

    [Fact]
    public async Task GetEnvironmentAsync_EnvironmentOperationsWorkInAnyOrchestration()
    {
        var f = await CreateAsync(OrchestrationKind.Kubernetes);

        var environment = await f.Service.As(Reader).GetEnvironmentAsync(f.EnvironmentId);

        Assert.Equal(OrchestrationKind.Kubernetes, environment.Orchestration);
        Assert.Equal(EnvironmentRole.ReadOnly, environment.RoleOf(Reader));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_CreatorIsOwnerAndOnlyMembersSeeIt()
    {
        var f = await CreateAsync();
        var other = await f.Service.As(Outsider).CreateEnvironmentAsync("outsider's");

        var forOwner = await f.Service.As(Owner).ListEnvironmentsAsync();
        var forOutsider = await f.Service.As(Outsider).ListEnvironmentsAsync();

        Assert.Equal([f.EnvironmentId], forOwner.Select(e => e.Id));
        Assert.Equal([other.Id], forOutsider.Select(e => e.Id));
        Assert.Equal(EnvironmentRole.Owner, other.RoleOf(Outsider));
        Assert.Equal(OrchestrationKind.Cattle, other.Orchestration);
    }

    [Fact]
    public async Task SetMemberAsync_LastOwnerCannotBeDemoted()
    {
        var f = await CreateAsync();

        await Assert.ThrowsAsync<RegistryRuleException>(() => f.Service.As(Owner).SetMemberAsync(f.EnvironmentId, Owner, EnvironmentRole.Member).AsTask());
        await f.Service.As(Owner).SetMemberAsync(f.EnvironmentId, Member, EnvironmentRole.Owner);
        var environment = await f.Service.As(Owner).SetMemberAsync(f.EnvironmentId, Owner, EnvironmentRole.Member);

        Assert.Equal(EnvironmentRole.Member, environment.RoleOf(Owner));
        Assert.Equal(EnvironmentRole.Owner, environment.RoleOf(Member));
    }

    [Fact]
    public async Task UnknownRegistryId_AndRegistryOfAnotherEnvironment_AreNotFound()
    {
        var f = await CreateAsync();
        var other = await f.Service.As(Owner).CreateEnvironmentAsync("staging");
        var elsewhere = await f.Service.As(Owner).AddRegistryAsync(other.Id, RegistryAddress.Quay, Credential());

        await Assert.ThrowsAsync<RegistryNotFoundException>(() => f.Service.As(Owner).GetRegistryAsync(f.EnvironmentId, "1r999").AsTask());
        await Assert.ThrowsAsync<RegistryNotFoundException>(() => f.Service.As(Owner).GetRegistryAsync(f.EnvironmentId, elsewhere.Id).AsTask());
        await Assert.ThrowsAsync<RegistryNotFoundException>(() => f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, elsewhere.Id).AsTask());
        Assert.Equal(RegistryState.Active, (await f.Service.As(Owner).GetRegistryAsync(other.Id, elsewhere.Id)).Registry.State);
    }

    [Fact]
    public async Task Environments_AreIsolated_ResolutionNeverCrossesEnvironments()
    {
        var f = await CreateAsync();
        var other = await f.Service.As(Owner).CreateEnvironmentAsync("staging");
        await f.Service.As(Owner).AddRegistryAsync(other.Id, RegistryAddress.Quay, Credential("staging-user"));

        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("quay.io/org/app")).Outcome);
        Assert.Equal("staging-user", (await f.Resolver.ResolveAsync(other.Id, ImageReference.Parse("quay.io/org/app"))).Username);
    }
}
