namespace Registries.Core;

/// <summary>The state of a registry entry.</summary>
public enum RegistryState
{
    /// <summary>The credential may be used (when the entry is the effective one for its address).</summary>
    Active,

    /// <summary>Pulls from the address are prohibited while this entry is the effective one.</summary>
    Inactive,

    /// <summary>Deleted: the secret is erased and the entry is never used again.</summary>
    Removed,
}
