namespace Registries.Core;

/// <summary>An operation was refused by the rules: a role, a state or the orchestration does not allow it.</summary>
public class RegistryRuleException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What was refused and what to do instead.</param>
    public RegistryRuleException(string message)
        : base(message)
    {
    }
}
