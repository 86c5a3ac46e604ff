namespace Registries.Core.Interop;

/// <summary>How much of a scope an environment's policy lets launch: all of it, some of it, or none.</summary>
internal enum PolicyReach
{
    /// <summary>No rule refuses an image of the scope.</summary>
    Allowed,

    /// <summary>Some images of the scope are denied, some are not.</summary>
    Partial,

    /// <summary>Every image of the scope is denied.</summary>
    Denied,
}

/// <summary>What a policy says of a whole scope (an entry's, a mirror's upstream), when a file is keyed by scope and
/// never sees an image: <see cref="Rule"/> names the rule that decided, <see cref="Reason"/> says it in words.</summary>
internal readonly record struct ScopeVerdict(PolicyReach Reach, PolicyRule? Rule, string? Reason);

/// <summary>Decides what a <see cref="RegistryPolicy"/> says of every image of a scope, by the policy's own rules
/// (<see cref="RegistryPolicy.Evaluate(ImageReference)"/>): a deny rule that covers an image wins; with allow rules, an
/// image no allow rule covers is denied; a digest-only allow rule denies images named by tag.</summary>
/// <remarks>Scopes are compared on <c>/</c> boundaries and per DNS label, as rules match images; a host pattern stands
/// for every host it matches. Pure; no I/O.</remarks>
internal static class ScopePolicy
{
    // A label no registry host is expected to have: a pattern's '*'s replaced by it name one host the pattern matches
    // and no narrower pattern with a concrete label in that place matches.
    private const string AnyLabel = "x--registries-any-label";

    /// <summary>Judges a scope.</summary>
    public static ScopeVerdict Judge(RegistryPolicy policy, RegistryScope scope)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(scope);
        if (policy.IsEmpty)
        {
            return new ScopeVerdict(PolicyReach.Allowed, null, null);
        }

        if (scope.IsHostLevel && !scope.Address.IsPattern)
        {
            // A whole concrete address: what the policy says of an address when no image is known.
            var decision = policy.EvaluateAddress(scope.Address);
            if (!decision.IsAllowed)
            {
                return new ScopeVerdict(PolicyReach.Denied, decision.Rule, decision.Reason);
            }
        }
        else
        {
            var deny = MostSpecific(policy.Rules.Where(r => r.Effect == PolicyEffect.Deny && CoversWhole(r.Scope, scope)));
            if (deny is not null)
            {
                return new ScopeVerdict(PolicyReach.Denied, deny, $"the environment's policy denies '{deny.Scope}'");
            }

            if (policy.HasAllowRules && !policy.Rules.Any(r => r.Effect == PolicyEffect.Allow && Overlaps(r.Scope, scope)))
            {
                return new ScopeVerdict(PolicyReach.Denied, null, $"no allow rule of the environment's policy covers an image of '{scope}'");
            }
        }

        var narrowerDeny = MostSpecific(policy.Rules.Where(r => r.Effect == PolicyEffect.Deny && Overlaps(r.Scope, scope)));
        if (narrowerDeny is not null)
        {
            return new ScopeVerdict(PolicyReach.Partial, narrowerDeny, $"the environment's policy denies '{narrowerDeny.Scope}'");
        }

        if (policy.HasAllowRules)
        {
            var digestOnly = MostSpecific(policy.Rules.Where(r => r.Effect == PolicyEffect.Allow && r.DigestOnly && Overlaps(r.Scope, scope)));
            if (digestOnly is not null)
            {
                return new ScopeVerdict(PolicyReach.Partial, digestOnly, $"the environment's policy allows '{digestOnly.Scope}' by digest only");
            }

            if (!policy.Rules.Any(r => r.Effect == PolicyEffect.Allow && CoversWhole(r.Scope, scope)))
            {
                var allowed = policy.Rules.Where(r => r.Effect == PolicyEffect.Allow && Overlaps(r.Scope, scope)).Select(r => $"'{r.Scope}'");
                return new ScopeVerdict(PolicyReach.Partial, null, $"the environment's policy allows only {string.Join(", ", allowed)} of it");
            }
        }

        return new ScopeVerdict(PolicyReach.Allowed, null, null);
    }

    /// <summary>Whether a rule's scope covers every image of another scope.</summary>
    internal static bool CoversWhole(RegistryScope rule, RegistryScope scope)
        => AddressCoversAll(rule.Address, scope.Address) && (rule.IsHostLevel || (!scope.IsHostLevel && rule.CoversPath(scope.Path)));

    /// <summary>Whether a rule's scope covers some image of another scope.</summary>
    internal static bool Overlaps(RegistryScope rule, RegistryScope scope)
        => AddressesOverlap(rule.Address, scope.Address)
            && (rule.IsHostLevel || scope.IsHostLevel || rule.CoversPath(scope.Path) || scope.CoversPath(rule.Path));

    private static bool AddressCoversAll(RegistryAddress rule, RegistryAddress address)
        => !address.IsPattern
            ? rule.Covers(address)
            : rule.Equals(address) || (rule.IsPattern && rule.Covers(AnyHostOf(address)));

    private static bool AddressesOverlap(RegistryAddress a, RegistryAddress b) => (a.IsPattern, b.IsPattern) switch
    {
        (false, false) => a.Equals(b),
        (true, false) => a.Covers(b),
        (false, true) => b.Covers(a),
        _ => a.Equals(b) || a.Covers(AnyHostOf(b)) || b.Covers(AnyHostOf(a)),
    };

    private static RegistryAddress AnyHostOf(RegistryAddress pattern)
        => RegistryAddress.Parse(pattern.ToString().Replace("*", AnyLabel, StringComparison.Ordinal));

    private static PolicyRule? MostSpecific(IEnumerable<PolicyRule> rules)
        => rules.OrderByDescending(r => r.Scope, Comparer<RegistryScope>.Create(static (a, b) => a.CompareSpecificity(b))).FirstOrDefault();
}
