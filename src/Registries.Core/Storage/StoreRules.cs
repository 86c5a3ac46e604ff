namespace Registries.Core.Storage;

/// <summary>Checks that store implementations share, so that every store refuses the same misuse.</summary>
public static class StoreRules
{
    /// <summary>Throws when an update would change what never changes: identifier, environment, scope (address and path) or sequence.</summary>
    /// <param name="current">The stored entry.</param>
    /// <param name="changed">The entry to write.</param>
    /// <exception cref="ArgumentException">An immutable part differs.</exception>
    public static void EnsureImmutablePartsUnchanged(Registry current, Registry changed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(changed);
        if (!string.Equals(current.Id, changed.Id, StringComparison.Ordinal)
            || !string.Equals(current.EnvironmentId, changed.EnvironmentId, StringComparison.Ordinal)
            || !current.Scope.Equals(changed.Scope)
            || current.Sequence != changed.Sequence)
        {
            throw new ArgumentException($"The scope, environment and order of registry '{current.Id}' never change; add a new registry entry instead.", nameof(changed));
        }
    }

    /// <summary>Returns a copy of <paramref name="registry"/> with another version; a store calls it when it writes.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="version">The version the store assigns (1 for a new entry, one more on each write).</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The version is below 1.</exception>
    public static Registry WithVersion(Registry registry, long version)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return new(registry.Id, registry.EnvironmentId, registry.Scope, registry.State, registry.Email, registry.Username, registry.Sequence, version, registry.Source, registry.ExpiresAt);
    }

    /// <summary>Returns a copy of <paramref name="environment"/> with another version; a store calls it when it writes.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="version">The version the store assigns (1 for a new environment, one more on each write).</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The version is below 1.</exception>
    public static RegistryEnvironment WithVersion(RegistryEnvironment environment, long version)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new(environment.Id, environment.Name, environment.Orchestration, environment.Members, version, environment.Policy, environment.Mirrors);
    }

    /// <summary>Selects the effective entry among the entries of one scope: the most recently added one that is not removed.</summary>
    /// <param name="entriesForAddress">The entries of one scope (see <see cref="Registry.Scope"/>) in one environment, in any order.</param>
    /// <returns>The effective entry, or <see langword="null"/> when every entry is removed or there is none.</returns>
    /// <remarks>"Most recently added" is the highest <see cref="Registry.Sequence"/>, the order the store assigned; never a clock.</remarks>
    public static StoredRegistry? SelectEffective(IReadOnlyList<StoredRegistry> entriesForAddress)
    {
        ArgumentNullException.ThrowIfNull(entriesForAddress);
        StoredRegistry? effective = null;
        for (var i = 0; i < entriesForAddress.Count; i++)
        {
            var entry = entriesForAddress[i];
            if (entry.Registry.State != RegistryState.Removed
                && (effective is null || entry.Registry.Sequence > effective.Registry.Sequence))
            {
                effective = entry;
            }
        }

        return effective;
    }

    /// <summary>Selects the effective entry of every scope among entries: per scope, the most recently added one that is not removed.</summary>
    /// <param name="entries">Entries of one environment, of any scopes, in any order.</param>
    /// <returns>The effective entries, one per scope that has one, in no particular order.</returns>
    public static IReadOnlyList<StoredRegistry> SelectEffectivePerScope(IReadOnlyList<StoredRegistry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var effective = new Dictionary<RegistryScope, StoredRegistry>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Registry.State != RegistryState.Removed
                && (!effective.TryGetValue(entry.Registry.Scope, out var current) || entry.Registry.Sequence > current.Registry.Sequence))
            {
                effective[entry.Registry.Scope] = entry;
            }
        }

        return [.. effective.Values];
    }
}
