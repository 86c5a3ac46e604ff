namespace Registries.Core;

/// <summary>A registry entry as a listing shows it: the entry, and whether it is the one used for its address.</summary>
public sealed class RegistryEntry
{
    /// <summary>Initializes a new listing entry.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="isEffective">Whether it is the effective entry for its address.</param>
    public RegistryEntry(Registry registry, bool isEffective)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        IsEffective = isEffective;
    }

    /// <summary>Gets the entry (no password).</summary>
    public Registry Registry { get; }

    /// <summary>Gets a value indicating whether this is the entry used for its address (the newest one that is not Removed).</summary>
    public bool IsEffective { get; }

    /// <summary>Gets a value indicating whether a newer entry for the same address overrides this one (listed, never used).</summary>
    public bool IsOverridden => !IsEffective && Registry.State != RegistryState.Removed;

    /// <inheritdoc/>
    public override string ToString() => IsEffective ? Registry + " [effective]" : IsOverridden ? Registry + " [overridden]" : Registry.ToString();
}
