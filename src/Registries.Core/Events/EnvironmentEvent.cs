namespace Registries.Core.Events;

/// <summary>A change to an environment's policy or mirrors, for audit logs and other observers
/// (<see cref="IRegistryEventObserver.OnEnvironmentEventAsync"/>). Never carries a secret: policies and mirrors have none.</summary>
/// <remarks>Immutable. Told after the change is stored, never for a change that left the environment as it was.</remarks>
public sealed class EnvironmentEvent
{
    private EnvironmentEvent(EnvironmentEventKind kind, string environmentId, string caller, PolicyRule? rule, RegistryMirror? mirror)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(caller);
        Kind = kind;
        EnvironmentId = environmentId;
        Caller = caller;
        Rule = rule;
        Mirror = mirror;
    }

    /// <summary>Gets what happened.</summary>
    public EnvironmentEventKind Kind { get; }

    /// <summary>Gets the environment that changed.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the caller who made the change.</summary>
    public string Caller { get; }

    /// <summary>Gets the rule set (the new one) or removed (the one the scope had), for a policy change; otherwise <see langword="null"/>.</summary>
    public PolicyRule? Rule { get; }

    /// <summary>Gets the mirror added (the new one) or removed (the one there was), for a mirror change; otherwise <see langword="null"/>.</summary>
    public RegistryMirror? Mirror { get; }

    /// <summary>Creates the event of a policy change.</summary>
    /// <param name="kind"><see cref="EnvironmentEventKind.PolicyRuleSet"/> or <see cref="EnvironmentEventKind.PolicyRuleRemoved"/>.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="caller">The caller who made the change.</param>
    /// <param name="rule">The rule set, or the rule removed.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not a policy change.</exception>
    public static EnvironmentEvent OfPolicy(EnvironmentEventKind kind, string environmentId, string caller, PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (kind is not (EnvironmentEventKind.PolicyRuleSet or EnvironmentEventKind.PolicyRuleRemoved))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A policy change is PolicyRuleSet or PolicyRuleRemoved.");
        }

        return new EnvironmentEvent(kind, environmentId, caller, rule, null);
    }

    /// <summary>Creates the event of a mirror change.</summary>
    /// <param name="kind"><see cref="EnvironmentEventKind.MirrorAdded"/> or <see cref="EnvironmentEventKind.MirrorRemoved"/>.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="caller">The caller who made the change.</param>
    /// <param name="mirror">The mirror added, or the mirror removed.</param>
    /// <returns>The event.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The kind is not a mirror change.</exception>
    public static EnvironmentEvent OfMirror(EnvironmentEventKind kind, string environmentId, string caller, RegistryMirror mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        if (kind is not (EnvironmentEventKind.MirrorAdded or EnvironmentEventKind.MirrorRemoved))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A mirror change is MirrorAdded or MirrorRemoved.");
        }

        return new EnvironmentEvent(kind, environmentId, caller, null, mirror);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {(object?)Rule ?? Mirror} in {EnvironmentId} by {Caller}";
}
