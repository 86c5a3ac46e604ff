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

    // The one list of rules: the DI package's validator (ValidateOnStart) and the constructors that take the options
    // directly both report these messages.
    internal List<string> Problems()
    {
        var failures = new List<string>();
        if (SupportedOrchestrations.Count == 0)
        {
            failures.Add("RegistriesOptions.SupportedOrchestrations is empty: keep at least Cattle, or registries cannot be used anywhere.");
        }

        foreach (var kind in SupportedOrchestrations)
        {
            if (!Enum.IsDefined(kind))
            {
                failures.Add($"RegistriesOptions.SupportedOrchestrations contains {(int)kind}, which is not an orchestration kind: use Cattle, Kubernetes, Swarm or Mesos.");
            }
        }

        if (ConcurrencyRetries is < 0 or > 100)
        {
            failures.Add($"RegistriesOptions.ConcurrencyRetries is {ConcurrencyRetries}: give a number from 0 to 100.");
        }

        return failures;
    }

    // The orchestration rule every registry operation and resolution applies, with or without a caller.
    internal void EnsureSupported(RegistryEnvironment environment)
    {
        if (!SupportedOrchestrations.Contains(environment.Orchestration))
        {
            throw new UnsupportedOrchestrationException(environment.Id, environment.Orchestration, SupportedOrchestrations.Order());
        }
    }

    internal void ThrowIfInvalid()
    {
        if (Problems() is { Count: > 0 } failures)
        {
            throw new ArgumentException(string.Join(" ", failures), "options");
        }
    }
}
