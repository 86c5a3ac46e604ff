namespace Registries.Core;

/// <summary>The kind of a registry, which follows from its address.</summary>
public enum RegistryKind
{
    /// <summary>Docker Hub (<c>docker.io</c>).</summary>
    DockerHub,

    /// <summary>Quay.io (<c>quay.io</c>).</summary>
    Quay,

    /// <summary>Any other registry address.</summary>
    Custom,
}
