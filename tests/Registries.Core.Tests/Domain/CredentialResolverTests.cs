using Registries.Core.Storage;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>The pure decision (no I/O) from a list of entries; its callers' paths are in LaunchResolverTests and RegistryServiceTests.</summary>
public sealed class CredentialResolverTests
{
    [Fact]
    public async Task Resolve_AddressFromEntries_SelectsTheNewestNotRemovedEntry()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var address = RegistryAddress.Parse("registry.example.com");
        var service = new RegistryService(seeded.Store).As(Owner);
        var newer = await service.AddRegistryAsync(seeded.EnvironmentId, address, Credential("newer", "newer-password"));
        var entries = await seeded.Store.Inner.ListRegistriesByAddressAsync(seeded.EnvironmentId, address);

        var resolution = CredentialResolver.Resolve(address, entries.Reverse().ToArray());

        Assert.Equal(newer.Id, resolution.RegistryId);
        Assert.Equal("newer-password", resolution.Password!.Reveal());
        Assert.Null(resolution.Image);
        Assert.Equal(newer.Id, StoreRules.SelectEffective(entries)!.Registry.Id);
        Assert.Equal(ResolutionOutcome.Anonymous, CredentialResolver.Resolve(address, []).Outcome);
    }
}
