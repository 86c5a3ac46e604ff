namespace Registries.Core;

// The registry addresses recently made from image references.
// Parsing a reference that names a registry seen lately reuses its address, which saves two allocations and the port
// parsing per reference.
internal static class RegistryAddressCache
{
    // A table indexed by a cheap mix of the domain's length and four of its characters, two slots per mix. 256 slots
    // (2 KiB) so that a process naming a hundred registries or more still finds most of them; 16 single slots and a mix
    // of the end characters only thrashed on the benchmarks' 147 registries. Slots are replaced, never locked: a race
    // only costs an extra allocation.
    private static readonly RegistryAddress?[] Recent = new RegistryAddress?[256];

    // The address of a domain that the reference grammar has already validated. Docker Hub and Quay.io are the
    // well-known instances, so references to them take no slot and allocate no address.
    public static RegistryAddress GetOrAdd(ReadOnlySpan<char> domain)
    {
        if (domain.SequenceEqual(RegistryAddress.DockerHubHost))
        {
            return RegistryAddress.DockerHub;
        }

        if (domain.SequenceEqual(RegistryAddress.QuayHost))
        {
            return RegistryAddress.Quay;
        }

        // Two slots per domain (an even one and its odd neighbour), so that two registries that mix to the same
        // place do not keep replacing each other; a new address goes to a free slot, else replaces the older pick.
        var slot = Slot(domain) & ~1;
        var first = Volatile.Read(ref Recent[slot]);
        if (first is not null && domain.SequenceEqual(first.ToString()))
        {
            return first;
        }

        var second = Volatile.Read(ref Recent[slot + 1]);
        if (second is not null && domain.SequenceEqual(second.ToString()))
        {
            return second;
        }

        var created = RegistryAddressParser.FromReferenceDomain(domain);

        // The even slot always holds the newest address, the odd one the one before it.
        if (first is not null)
        {
            Volatile.Write(ref Recent[slot + 1], first);
        }

        Volatile.Write(ref Recent[slot], created);
        return created;
    }

    private static int Slot(ReadOnlySpan<char> domain)
    {
        var n = domain.Length;
        var mix = (uint)n;
        mix = (mix * 31) + domain[0];
        mix = (mix * 31) + domain[n >> 2];
        mix = (mix * 31) + domain[n >> 1];
        mix = (mix * 31) + domain[n - 1];

        // Fibonacci hashing: the top bits of the product spread neighbouring values over the table.
        return (int)((mix * 0x9E3779B1u) >> 24);
    }
}
