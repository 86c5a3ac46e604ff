namespace Registries.Core.Events;

/// <summary>What happened to a registry entry.</summary>
public enum RegistryEventKind
{
    /// <summary>A credential was added.</summary>
    Added,

    /// <summary>The entry stopped being the effective one because a newer entry was added for its address.</summary>
    Overridden,

    /// <summary>The credential (e-mail, username, password) was changed.</summary>
    Edited,

    /// <summary>The entry was deactivated.</summary>
    Deactivated,

    /// <summary>The entry was activated again.</summary>
    Activated,

    /// <summary>The entry was deleted and its secret erased.</summary>
    Deleted,
}
