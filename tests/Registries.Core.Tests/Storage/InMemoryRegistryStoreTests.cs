using Registries.Core.Storage;
using Registries.Core.Storage.Conformance;

namespace Registries.Core.Tests.Storage;

public sealed class InMemoryRegistryStoreTests : RegistryStoreConformanceTests
{
    [Fact]
    public async Task ListRegistriesByAddressAsync_NothingChanged_ReturnsTheSameListWithoutCopying()
    {
        var store = new InMemoryRegistryStore();
        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var address = RegistryAddress.Parse("registry.example.com");
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(address), Credential());

        var first = await store.ListRegistriesByAddressAsync(environment.Id, address);
        var second = await store.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.Parse("REGISTRY.example.com"));

        // The resolution path hands out the stored list itself: constant time, no allocation.
        Assert.Same(first, second);
    }

    [Fact]
    public async Task CreateEnvironmentAsync_Identifiers_FollowRancherStyle()
    {
        var store = new InMemoryRegistryStore();

        var environment = await store.CreateEnvironmentAsync("a", OrchestrationKind.Cattle, Members());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), Credential());

        Assert.Equal("1a1", environment.Id);
        Assert.Equal("1r2", added.Registry.Id);
        Assert.Equal(2, added.Registry.Sequence);
    }

    protected override ValueTask<IRegistryStore> CreateStoreAsync() => ValueTask.FromResult<IRegistryStore>(new InMemoryRegistryStore());
}
