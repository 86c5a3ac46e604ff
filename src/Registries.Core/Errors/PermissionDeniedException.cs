namespace Registries.Core;

/// <summary>The user is a member of the environment, but their role does not allow the operation.</summary>
public sealed class PermissionDeniedException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="user">The user.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="role">The user's role.</param>
    /// <param name="operation">What the user tried to do.</param>
    public PermissionDeniedException(string user, string environmentId, EnvironmentRole role, string operation)
        : this(user, environmentId, role, operation, operation == "manage members" ? EnvironmentRole.Owner : EnvironmentRole.Member)
    {
    }

    // With the weakest role that may: "ask an owner" when only Owners may (members, the policy, the mirrors).
    internal PermissionDeniedException(string user, string environmentId, EnvironmentRole role, string operation, EnvironmentRole required)
        : base($"User '{user}' is {role} in environment '{environmentId}' and may not {operation}; ask an owner{(role == EnvironmentRole.Member || required == EnvironmentRole.Owner ? string.Empty : " or a member")}.")
    {
        User = user;
        EnvironmentId = environmentId;
        Role = role;
    }

    /// <summary>Gets the user.</summary>
    public string User { get; }

    /// <summary>Gets the environment.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the user's role.</summary>
    public EnvironmentRole Role { get; }
}
