using Registries.Core.Storage;

namespace Registries.Core.Testing.Tests;

public sealed class RegistriesSeedTests
{
    private const string Canary = "Seed-Canary:p/+=\"é€";

    [Fact]
    public async Task CreateAsync_EnvironmentMembersAndRegistries_AreWhatTheServiceSees()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice", members: new Dictionary<string, EnvironmentRole> { ["bob"] = EnvironmentRole.Member })
            .Member("prod", "carol", EnvironmentRole.ReadOnly)
            .Environment("staging", owner: "bob")
            .Registry("prod", "registry.example.com:5000", "ci", Canary)
            .Registry("prod", RegistryAddress.DockerHub, "hub-user", "hub-pass", email: "hub@example.com"));

        var prod = registries.EnvironmentId("prod");
        var environment = await registries.As("carol").GetEnvironmentAsync(prod);
        var entries = await registries.As("bob").ListRegistriesAsync(prod);

        Assert.Equal("prod", environment.Name);
        Assert.Equal(EnvironmentRole.Owner, environment.RoleOf("alice"));
        Assert.Equal(EnvironmentRole.Member, environment.RoleOf("bob"));
        Assert.Equal(EnvironmentRole.ReadOnly, environment.RoleOf("carol"));
        Assert.Equal(2, entries.Count);
        Assert.Equal(registries.RegistryId("prod", "registry.example.com:5000"), entries[0].Registry.Id);
        Assert.Equal("ci@example.com", entries[0].Registry.Email);
        Assert.Equal("hub@example.com", entries[1].Registry.Email);
        Assert.Equal(registries.RegistryId("prod", RegistryAddress.DockerHub), registries.RegistryId("prod", "index.docker.io"));
        Assert.Equal(["prod", "staging"], registries.EnvironmentIds.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(registries.EnvironmentIds["staging"], (await registries.As("bob").GetEnvironmentByIdOrNameAsync("staging")).Id);
        Assert.IsType<InMemoryRegistryStore>(registries.Store);
    }

    [Fact]
    public async Task Registry_Scopes_PathAndPatternSeededAndFoundByScope()
    {
        var seeded = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", "alice")
            .Registry("prod", "registry.example.com", "host", "host-pw")
            .Registry("prod", RegistryScope.Parse("registry.example.com", "team"), "robot", "robot-pw")
            .Registry("prod", RegistryScope.Parse("*.corp.example"), "corp", "corp-pw", RegistryState.Inactive));

        var team = await seeded.Resolver.ResolveAsync(seeded.EnvironmentId("prod"), "registry.example.com/team/app");
        var other = await seeded.Resolver.ResolveAsync(seeded.EnvironmentId("prod"), "registry.example.com/other/app");
        var corp = await seeded.Resolver.ResolveAsync(seeded.EnvironmentId("prod"), "eu.corp.example/app");

        Assert.Equal(seeded.RegistryId("prod", RegistryScope.Parse("registry.example.com", "team")), team.RegistryId);
        Assert.Equal(seeded.RegistryId("prod", "registry.example.com"), other.RegistryId);
        Assert.Equal((ResolutionOutcome.Denied, seeded.RegistryId("prod", RegistryScope.Parse("*.corp.example"))), (corp.Outcome, corp.RegistryId));
        Assert.Throws<ArgumentException>(() => seeded.RegistryId("prod", RegistryScope.Parse("registry.example.com", "nope")));
    }

    [Fact]
    public async Task CreateAsync_AuthenticatedResolution_CarriesTheSeededPassword()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com:5000", "ci", Canary));

        var resolution = await registries.As("alice").ResolveAsync(registries.EnvironmentId("prod"), ImageReference.Parse("registry.example.com:5000/team/app:1.0"));

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(registries.RegistryId("prod", "registry.example.com:5000"), resolution.RegistryId);
        Assert.Equal(Canary, resolution.Password!.Reveal());
    }

    [Fact]
    public async Task Registry_Inactive_DeniesAndRemovedIsNotConfigured()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "inactive.example.com", "ci", Canary, state: RegistryState.Inactive)
            .Registry("prod", "removed.example.com", "ci", Canary, state: RegistryState.Removed, name: "gone"));
        var prod = registries.EnvironmentId("prod");

        var inactive = await registries.Resolver.ResolveAsync(prod, "inactive.example.com/team/app");
        var removed = await registries.Resolver.ResolveAsync(prod, "removed.example.com/team/app");
        var gone = await registries.As("alice").GetRegistryAsync(prod, registries.RegistryId("gone"));

        Assert.Equal(ResolutionOutcome.Denied, inactive.Outcome);
        Assert.Equal(registries.RegistryId("prod", "inactive.example.com"), inactive.RegistryId);
        Assert.Equal(ResolutionOutcome.Anonymous, removed.Outcome);
        Assert.Equal(RegistryState.Removed, gone.Registry.State);
    }

    [Fact]
    public async Task Registry_SameAddressTwice_TheLaterOverridesAndIsTheOneFoundByAddress()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "registry.example.com", "old", "old-pass", name: "old")
            .Registry("prod", "registry.example.com", "new", "new-pass", name: "new"));

        var resolution = await registries.Resolver.ResolveAsync(registries.EnvironmentId("prod"), "registry.example.com/team/app");

        Assert.Equal(registries.RegistryId("new"), registries.RegistryId("prod", "registry.example.com"));
        Assert.NotEqual(registries.RegistryId("old"), registries.RegistryId("new"));
        Assert.Equal(registries.RegistryId("new"), resolution.RegistryId);
        Assert.Equal("new", resolution.Username);
    }

    [Fact]
    public async Task CreateAsync_OwnStore_SeedsThatStoreAndKeepsWhatItHeld()
    {
        var store = new InMemoryRegistryStore();
        var existing = await new RegistryService(store).As("zoe").CreateEnvironmentAsync("existing");

        var registries = await RegistriesSeed.CreateAsync(store, seed => seed.Environment("prod", owner: "alice").Registry("prod", "quay.io", "q", Canary));

        Assert.Same(store, registries.Store);
        Assert.NotNull(await store.GetEnvironmentAsync(registries.EnvironmentId("prod")));
        Assert.NotNull(await store.GetEnvironmentAsync(existing.Id));
        Assert.Single(await store.ListRegistriesAsync(registries.EnvironmentId("prod")));
    }

    [Fact]
    public async Task CreateAsync_RegistryInKubernetes_IsRefusedUnlessTheOptionsSupportIt()
    {
        await Assert.ThrowsAsync<UnsupportedOrchestrationException>(() => RegistriesSeed.CreateAsync(seed => seed
            .Environment("k8s", owner: "alice", orchestration: OrchestrationKind.Kubernetes)
            .Registry("k8s", "quay.io", "q", Canary)));

        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add(OrchestrationKind.Kubernetes);
        var registries = await RegistriesSeed.CreateAsync(
            seed => seed.Environment("k8s", owner: "alice", orchestration: OrchestrationKind.Kubernetes).Registry("k8s", "quay.io", "q", Canary),
            options);

        Assert.Equal(OrchestrationKind.Kubernetes, (await registries.As("alice").GetEnvironmentAsync(registries.EnvironmentId("k8s"))).Orchestration);
    }

    [Fact]
    public async Task Builder_UnknownOrDuplicateNames_FailAtOnceWithWhatWasSeeded()
    {
        var unknown = await Assert.ThrowsAsync<ArgumentException>("environment", () => RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("production", "quay.io", "q", Canary)));
        var duplicate = await Assert.ThrowsAsync<ArgumentException>("name", () => RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Environment("prod", owner: "bob")));
        var duplicateRegistry = await Assert.ThrowsAsync<ArgumentException>("name", () => RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "quay.io", "q", Canary, name: "q")
            .Registry("prod", "docker.io", "d", Canary, name: "q")));
        var badAddress = await Assert.ThrowsAsync<RegistryAddressFormatException>(() => RegistriesSeed.CreateAsync(seed => seed
            .Environment("prod", owner: "alice")
            .Registry("prod", "https://registry.example.com", "q", Canary)));

        Assert.Contains("No environment 'production'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'prod'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("already seeded", duplicate.Message, StringComparison.Ordinal);
        Assert.Contains("already used", duplicateRegistry.Message, StringComparison.Ordinal);
        Assert.Contains("registry.example.com", badAddress.Message, StringComparison.Ordinal);
        foreach (var error in new Exception[] { unknown, duplicate, duplicateRegistry, badAddress })
        {
            Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lookups_UnknownNames_ThrowWithWhatWasSeeded()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed.Environment("prod", owner: "alice").Registry("prod", "quay.io", "q", Canary));

        var environment = Assert.Throws<ArgumentException>("name", () => registries.EnvironmentId("staging"));
        var named = Assert.Throws<ArgumentException>("name", () => registries.RegistryId("nope"));
        var byAddress = Assert.Throws<ArgumentException>("address", () => registries.RegistryId("prod", "docker.io"));

        Assert.Contains("'prod'", environment.Message, StringComparison.Ordinal);
        Assert.Contains("name: \"nope\"", named.Message, StringComparison.Ordinal);
        Assert.Contains("prod quay.io", byAddress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Service_HasNoCaller_UntilOneIsBound()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed.Environment("prod", owner: "alice"));

        await Assert.ThrowsAsync<MissingCallerException>(() => registries.Service.ListEnvironmentsAsync().AsTask());
        Assert.Single(await registries.As("alice").ListEnvironmentsAsync());
        Assert.Empty(await registries.As("mallory").ListEnvironmentsAsync());
    }

    [Fact]
    public async Task ToString_SeedAndResult_NeverShowAPassword()
    {
        RegistriesSeedBuilder? builder = null;
        var registries = await RegistriesSeed.CreateAsync(seed =>
        {
            builder = seed;
            seed.Environment("prod", owner: "alice").Registry("prod", "quay.io", "q", Canary);
        });

        Assert.DoesNotContain(Canary, builder!.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, registries.ToString(), StringComparison.Ordinal);
        Assert.Contains("prod=" + registries.EnvironmentId("prod"), registries.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_NullArguments_Throw()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("seed", () => RegistriesSeed.CreateAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("store", () => RegistriesSeed.CreateAsync(null!, _ => { }));
    }
}
