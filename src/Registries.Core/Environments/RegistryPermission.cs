namespace Registries.Core;

/// <summary>What a caller may do in an environment; which roles grant each is documented on <see cref="RegistryEnvironment.HasPermission"/>.</summary>
public enum RegistryPermission
{
    /// <summary>See the environment and its members (every member).</summary>
    ReadEnvironment,

    /// <summary>List and read registry entries, without passwords (every member).</summary>
    ReadRegistries,

    /// <summary>Add, edit, deactivate, activate and delete registry entries (Owners and Members).</summary>
    ManageRegistries,

    /// <summary>Use the environment's credentials: resolve images and addresses, pull, export (Owners and Members).</summary>
    UseCredentials,

    /// <summary>Add members and change their roles (Owners).</summary>
    ManageMembers,
}

// The one table from roles to permissions.
internal static class RegistryPermissions
{
    public static bool Grants(EnvironmentRole role, RegistryPermission permission) => permission switch
    {
        RegistryPermission.ReadEnvironment or RegistryPermission.ReadRegistries => true,
        RegistryPermission.ManageRegistries or RegistryPermission.UseCredentials => role is EnvironmentRole.Owner or EnvironmentRole.Member,
        RegistryPermission.ManageMembers => role is EnvironmentRole.Owner,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, "Unknown permission: use ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers."),
    };

    // The words of PermissionDeniedException's message ("... may not {operation}").
    public static string Describe(RegistryPermission permission) => permission switch
    {
        RegistryPermission.ReadEnvironment => "read the environment",
        RegistryPermission.ReadRegistries => "list registries",
        RegistryPermission.ManageRegistries => "manage registries",
        RegistryPermission.UseCredentials => "use the environment's credentials",
        RegistryPermission.ManageMembers => "manage members",
        _ => permission.ToString(),
    };
}
