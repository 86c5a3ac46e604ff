namespace Registries.Core;

/// <summary>The registry entry is not in a state that allows the operation.</summary>
public sealed class InvalidRegistryStateException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="registryId">The registry entry.</param>
    /// <param name="state">Its current state.</param>
    /// <param name="message">What was refused and what to do instead.</param>
    public InvalidRegistryStateException(string registryId, RegistryState state, string message)
        : base(message)
    {
        RegistryId = registryId;
        State = state;
    }

    /// <summary>Gets the registry entry.</summary>
    public string RegistryId { get; }

    /// <summary>Gets its current state.</summary>
    public RegistryState State { get; }
}
