namespace Registries.Core;

/// <summary>A registry entry as a listing shows it: the entry (a <see cref="Core.Registry"/>, without its password), and
/// whether it is the effective one of its scope or overridden by a newer one.</summary>
public sealed class RegistryListing
{
    /// <summary>Initializes a new listing item.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="isEffective">Whether it is the effective entry for its address.</param>
    public RegistryListing(Registry registry, bool isEffective)
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
