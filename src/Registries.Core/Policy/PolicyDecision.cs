namespace Registries.Core;

/// <summary>What an environment's <see cref="RegistryPolicy"/> says about one image: allowed or not, the rule that
/// decided, and the rules it weighed.</summary>
/// <remarks>Immutable. Never carries a secret: a policy has none.</remarks>
public sealed class PolicyDecision
{
    private static readonly PolicyDecision NoRules = new(true, null, [], null);

    private PolicyDecision(bool isAllowed, PolicyRule? rule, IReadOnlyList<PolicyRule> weighed, string? reason)
    {
        IsAllowed = isAllowed;
        Rule = rule;
        Weighed = weighed;
        Reason = reason;
    }

    /// <summary>Gets a value indicating whether the image may launch.</summary>
    public bool IsAllowed { get; }

    /// <summary>Gets the rule that decided: the most specific deny rule that covers the image, else the most specific
    /// allow rule that covers it; <see langword="null"/> when no rule covers it (allowed when the policy has no allow
    /// rule, denied when it has).</summary>
    public PolicyRule? Rule { get; }

    /// <summary>Gets every rule whose scope covers the image, most specific first (deny before allow among equally
    /// specific ones): what <c>resolve --explain</c> shows.</summary>
    public IReadOnlyList<PolicyRule> Weighed { get; }

    /// <summary>Gets why the image is denied, naming the rule; <see langword="null"/> when it is allowed.</summary>
    public string? Reason { get; }

    internal static PolicyDecision AllowedWithoutRules => NoRules;

    internal static PolicyDecision Allowed(PolicyRule? rule, IReadOnlyList<PolicyRule> weighed) => new(true, rule, weighed, null);

    internal static PolicyDecision Denied(PolicyRule? rule, IReadOnlyList<PolicyRule> weighed, string reason) => new(false, rule, weighed, reason);

    /// <inheritdoc/>
    public override string ToString() => IsAllowed
        ? Rule is null ? "allowed (no rule)" : $"allowed by {Rule}"
        : $"denied: {Reason}";
}
