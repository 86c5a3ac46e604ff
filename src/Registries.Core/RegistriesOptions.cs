namespace Registries.Core;

/// <summary>Options of the registry rules.</summary>
public sealed class RegistriesOptions
{
    /// <summary>Gets the orchestration kinds in which registries may be used. The default is Cattle only, as in Rancher.</summary>
    /// <remarks>Add <see cref="OrchestrationKind.Kubernetes"/> (for example) to widen the set; it must not be empty.</remarks>
    public ISet<OrchestrationKind> SupportedOrchestrations { get; } = new HashSet<OrchestrationKind> { OrchestrationKind.Cattle };

    /// <summary>Gets or sets how many times an operation is retried after a concurrency conflict before the conflict is reported.</summary>
    /// <remarks>Each retry reads the entry again and checks the rules again. The default is 3; 0 reports every conflict.</remarks>
    public int ConcurrencyRetries { get; set; } = 3;
}
