namespace Registries.Core.Events;

/// <summary>A change to a registry entry, for audit logs and other observers. Never carries a secret.</summary>
public sealed class RegistryEvent
{
    /// <summary>Initializes a new event.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="registry">The entry after the change.</param>
    /// <param name="caller">The user who made the change.</param>
    public RegistryEvent(RegistryEventKind kind, Registry registry, string caller)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(caller);
        Kind = kind;
        Registry = registry;
        Caller = caller;
    }

    /// <summary>Gets what happened.</summary>
    public RegistryEventKind Kind { get; }

    /// <summary>Gets the entry after the change (no password).</summary>
    public Registry Registry { get; }

    /// <summary>Gets the caller who made the change.</summary>
    public string Caller { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Registry.Address} ({Registry.Id}) in {Registry.EnvironmentId} by {Caller}";
}
