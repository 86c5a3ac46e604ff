namespace Registries.Core.Storage;

/// <summary>What <see cref="RegistryStoreCopy.CopyAsync"/> copied: how many environments and registry entries, and
/// which target identifier each source identifier became.</summary>
/// <remarks>Immutable; holds identifiers and counts only, never a credential. The target store assigns its own
/// identifiers (the store port cannot choose them), so a platform that kept source identifiers elsewhere translates them
/// through <see cref="EnvironmentIds"/> and <see cref="RegistryIds"/>.</remarks>
public sealed class RegistryStoreCopyResult
{
    internal RegistryStoreCopyResult(IReadOnlyDictionary<string, string> environmentIds, IReadOnlyDictionary<string, string> registryIds)
    {
        EnvironmentIds = environmentIds;
        RegistryIds = registryIds;
    }

    /// <summary>Gets the number of environments copied.</summary>
    public int EnvironmentCount => EnvironmentIds.Count;

    /// <summary>Gets the number of registry entries copied, removed ones included.</summary>
    public int RegistryCount => RegistryIds.Count;

    /// <summary>Gets the target identifier of every source environment, keyed by the source identifier.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentIds { get; }

    /// <summary>Gets the target identifier of every source registry entry, keyed by the source identifier.</summary>
    /// <remarks>A separate map from <see cref="EnvironmentIds"/>: a store may give an environment and an entry the same
    /// identifier.</remarks>
    public IReadOnlyDictionary<string, string> RegistryIds { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"Copied {EnvironmentCount} environment(s) and {RegistryCount} registry entr{(RegistryCount == 1 ? "y" : "ies")}, verified.";
}
