namespace Registries.Core;

/// <summary>The orchestration an environment uses.</summary>
public enum OrchestrationKind
{
    /// <summary>Rancher's own orchestration; registries are supported here by default.</summary>
    Cattle,

    /// <summary>Kubernetes.</summary>
    Kubernetes,

    /// <summary>Docker Swarm.</summary>
    Swarm,

    /// <summary>Apache Mesos.</summary>
    Mesos,
}
