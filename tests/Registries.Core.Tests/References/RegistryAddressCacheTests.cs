using Registries.Core;

namespace Registries.Core.Tests.References;

// The addresses recently made from image references: reused, and the well-known ones never copied.
[Collection(ReferencesCollection.Name)]
public class RegistryAddressCacheTests
{
    [Fact]
    public void GetOrAdd_WellKnownHosts_AreTheStaticInstances()
    {
        Assert.Same(RegistryAddress.DockerHub, RegistryAddressCache.GetOrAdd("docker.io"));
        Assert.Same(RegistryAddress.Quay, RegistryAddressCache.GetOrAdd("quay.io"));
    }

    [Fact]
    public void GetOrAdd_SameDomainTwice_ReusesTheAddress()
    {
        var first = RegistryAddressCache.GetOrAdd("cache-test.example.com:5000");

        Assert.Same(first, RegistryAddressCache.GetOrAdd("cache-test.example.com:5000"));
        Assert.Equal(5000, first.Port);
    }

    [Fact]
    public void GetOrAdd_ManyRegistries_KeepsTheTwoLatestOfEachSlot()
    {
        // More registries than slots: whatever was replaced, the latest address of a domain is always returned again.
        for (var i = 0; i < 600; i++)
        {
            var domain = $"registry-{i}.example.com";
            var address = RegistryAddressCache.GetOrAdd(domain);
            Assert.Equal(domain, address.ToString());
            Assert.Same(address, RegistryAddressCache.GetOrAdd(domain));
        }
    }
}
