namespace Registries.Core;

/// <summary>The role of a member in an environment.</summary>
public enum EnvironmentRole
{
    /// <summary>Manages the environment, its members and its registries.</summary>
    Owner,

    /// <summary>Manages registries and launches containers.</summary>
    Member,

    /// <summary>May list registries; may not change them or use their credentials.</summary>
    ReadOnly,
}
