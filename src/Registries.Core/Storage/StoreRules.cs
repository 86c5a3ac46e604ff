namespace Registries.Core.Storage;

/// <summary>Checks that store implementations share, so that every store refuses the same misuse.</summary>
public static class StoreRules
{
    /// <summary>Throws when an update would change what never changes: identifier, environment, address or sequence.</summary>
    /// <param name="current">The stored entry.</param>
    /// <param name="changed">The entry to write.</param>
    /// <exception cref="ArgumentException">An immutable part differs.</exception>
    public static void EnsureImmutablePartsUnchanged(Registry current, Registry changed)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(changed);
        if (!string.Equals(current.Id, changed.Id, StringComparison.Ordinal)
            || !string.Equals(current.EnvironmentId, changed.EnvironmentId, StringComparison.Ordinal)
            || !current.Address.Equals(changed.Address)
            || current.Sequence != changed.Sequence)
        {
            throw new ArgumentException($"The address, environment and order of registry '{current.Id}' never change; add a new registry entry instead.", nameof(changed));
        }
    }
}
