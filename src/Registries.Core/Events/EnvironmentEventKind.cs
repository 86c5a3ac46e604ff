namespace Registries.Core.Events;

/// <summary>What changed in an environment's policy or mirrors.</summary>
public enum EnvironmentEventKind
{
    /// <summary>A scope was given a policy rule (added, or replacing the scope's rule).</summary>
    PolicyRuleSet,

    /// <summary>A scope's policy rule was removed.</summary>
    PolicyRuleRemoved,

    /// <summary>A mirror was added (or replaced in place: same upstream and address, another rewrite or mirror-only flag).</summary>
    MirrorAdded,

    /// <summary>A mirror was removed.</summary>
    MirrorRemoved,
}
