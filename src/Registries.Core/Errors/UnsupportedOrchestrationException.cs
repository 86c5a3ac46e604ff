namespace Registries.Core;

/// <summary>Registries are not supported in an environment of this orchestration kind.</summary>
public sealed class UnsupportedOrchestrationException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="orchestration">The environment's orchestration kind.</param>
    /// <param name="supported">The kinds that are supported.</param>
    public UnsupportedOrchestrationException(string environmentId, OrchestrationKind orchestration, IEnumerable<OrchestrationKind> supported)
        : base($"Environment '{environmentId}' uses {orchestration} orchestration; registries are supported only in {string.Join(", ", supported ?? [])} environments.")
    {
        EnvironmentId = environmentId;
        Orchestration = orchestration;
    }

    /// <summary>Gets the environment.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the environment's orchestration kind.</summary>
    public OrchestrationKind Orchestration { get; }
}
