namespace Registries.Core.Interop;

/// <summary>What happened to one entry of an imported Docker config.</summary>
public enum DockerConfigImportStatus
{
    /// <summary>The credential was added and is now the effective one for its address.</summary>
    Imported,

    /// <summary>The address's effective credential already had the same username and password: nothing was added.</summary>
    Unchanged,

    /// <summary>The entry could not be read or was not accepted; <see cref="DockerConfigImportEntry.Reason"/> says why.</summary>
    Failed,
}
