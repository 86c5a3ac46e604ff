using System.Collections.Immutable;

namespace Registries.Core;

/// <summary>An environment's policy: which images may launch, as allow and deny rules over scopes.</summary>
/// <remarks>
/// <para>No rule: every image is allowed (the seed's behaviour). A deny rule that covers the image wins, however
/// specific an allow rule is. Otherwise, when the policy has allow rules, the most specific allow rule that covers the
/// image decides (a digest-only one allows only an image named by digest), and an image no allow rule covers is
/// denied. The decision names the rule (the most specific of its kind).</para>
/// <para>A scope has at most one rule: setting a rule on a scope replaces the one it had. Rules keep the order in
/// which they were first set. Immutable: the <c>With*</c> methods return a copy. A policy is decided on the image the
/// user asked for, never on the name of a mirror it is pulled through.</para>
/// </remarks>
public sealed class RegistryPolicy : IEquatable<RegistryPolicy>
{
    private RegistryPolicy(ImmutableArray<PolicyRule> rules)
    {
        Rules = rules;
        HasAllowRules = rules.Any(static r => r.Effect == PolicyEffect.Allow);
    }

    /// <summary>Gets the policy without rules, which allows every image.</summary>
    public static RegistryPolicy Empty { get; } = new([]);

    /// <summary>Gets the rules, in the order in which their scopes were first given a rule.</summary>
    public ImmutableArray<PolicyRule> Rules { get; }

    /// <summary>Gets a value indicating whether the policy has no rule (every image is allowed).</summary>
    public bool IsEmpty => Rules.IsEmpty;

    /// <summary>Gets a value indicating whether the policy has an allow rule, so that an image no allow rule covers is denied.</summary>
    public bool HasAllowRules { get; }

    /// <summary>Returns a policy from stored rules.</summary>
    /// <param name="rules">The rules, at most one per scope.</param>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two rules have the same scope.</exception>
    public static RegistryPolicy Create(IEnumerable<PolicyRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var array = rules.ToImmutableArray();
        if (array.IsEmpty)
        {
            return Empty;
        }

        var scopes = new HashSet<RegistryScope>();
        foreach (var rule in array)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
            if (!scopes.Add(rule.Scope))
            {
                throw new ArgumentException($"The scope '{rule.Scope}' has two rules: a scope has at most one.", nameof(rules));
            }
        }

        return new RegistryPolicy(array);
    }

    /// <summary>Returns the rule of a scope, or <see langword="null"/> when it has none.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The rule, or <see langword="null"/>.</returns>
    public PolicyRule? Find(RegistryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        foreach (var rule in Rules)
        {
            if (rule.Scope.Equals(scope))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Returns a copy in which the rule's scope has that rule (added, or replacing the scope's rule in place).</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The copy; this policy when it already holds the rule.</returns>
    public RegistryPolicy WithRule(PolicyRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        for (var i = 0; i < Rules.Length; i++)
        {
            if (Rules[i].Scope.Equals(rule.Scope))
            {
                return Rules[i].Equals(rule) ? this : new RegistryPolicy(Rules.SetItem(i, rule));
            }
        }

        return new RegistryPolicy(Rules.Add(rule));
    }

    /// <summary>Returns a copy without the rule of a scope.</summary>
    /// <param name="scope">The scope.</param>
    /// <returns>The copy; this policy when the scope has no rule.</returns>
    public RegistryPolicy WithoutRule(RegistryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        for (var i = 0; i < Rules.Length; i++)
        {
            if (Rules[i].Scope.Equals(scope))
            {
                return Rules.Length == 1 ? Empty : new RegistryPolicy(Rules.RemoveAt(i));
            }
        }

        return this;
    }

    /// <summary>Decides whether an image may launch.</summary>
    /// <param name="image">The image the user asked for (never a mirror's name for it).</param>
    /// <returns>The decision, with the rule that decided and the rules weighed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public PolicyDecision Evaluate(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (Rules.IsEmpty)
        {
            return PolicyDecision.AllowedWithoutRules;
        }

        List<PolicyRule>? weighed = null;
        foreach (var rule in Rules)
        {
            if (rule.Covers(image))
            {
                (weighed ??= []).Add(rule);
            }
        }

        if (weighed is null)
        {
            return HasAllowRules
                ? PolicyDecision.Denied(null, [], $"no allow rule of the environment's policy covers '{image.Name}' (allowed: {DescribeAllowed()})")
                : PolicyDecision.Allowed(null, []);
        }

        // Most specific first; among equally specific scopes (never the same scope), deny first.
        weighed.Sort(static (a, b) =>
        {
            var specific = b.Scope.CompareSpecificity(a.Scope);
            return specific != 0 ? specific : a.Effect.CompareTo(b.Effect) * -1;
        });

        var deny = weighed.Find(static r => r.Effect == PolicyEffect.Deny);
        if (deny is not null)
        {
            return PolicyDecision.Denied(deny, weighed, $"the environment's policy denies '{deny.Scope}'");
        }

        var allow = weighed[0];
        if (allow.DigestOnly && image.Digest is null)
        {
            return PolicyDecision.Denied(allow, weighed, $"the environment's policy allows '{allow.Scope}' by digest only: name the image by digest ('{image.Name}@sha256:...')");
        }

        return PolicyDecision.Allowed(allow, weighed);
    }

    /// <summary>Decides what can be said of a whole registry address when the image is not known (a credential
    /// helper is asked for a server, never an image): denied only when every image of the address is.</summary>
    /// <param name="address">The registry address.</param>
    /// <returns>Denied when a host-level deny rule covers the address, or when the policy has allow rules and none
    /// could cover an image of the address; otherwise allowed (an image of it may still be denied).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    public PolicyDecision EvaluateAddress(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (Rules.IsEmpty)
        {
            return PolicyDecision.AllowedWithoutRules;
        }

        var weighed = Rules.Where(r => r.Scope.Address.Covers(address)).ToList();
        weighed.Sort(static (a, b) => b.Scope.CompareSpecificity(a.Scope));
        var deny = weighed.Find(static r => r.Effect == PolicyEffect.Deny && r.Scope.IsHostLevel);
        if (deny is not null)
        {
            return PolicyDecision.Denied(deny, weighed, $"the environment's policy denies '{deny.Scope}'");
        }

        if (HasAllowRules && !weighed.Exists(static r => r.Effect == PolicyEffect.Allow))
        {
            return PolicyDecision.Denied(null, weighed, $"no allow rule of the environment's policy covers an image of '{address}' (allowed: {DescribeAllowed()})");
        }

        return PolicyDecision.Allowed(null, weighed);
    }

    private string DescribeAllowed()
    {
        const int Shown = 5;
        var allowed = Rules.Where(static r => r.Effect == PolicyEffect.Allow).Select(static r => r.Scope.ToString()).ToList();
        return allowed.Count <= Shown
            ? string.Join(", ", allowed)
            : string.Join(", ", allowed.Take(Shown)) + $" and {allowed.Count - Shown} more";
    }

    /// <inheritdoc/>
    public bool Equals(RegistryPolicy? other) => other is not null && Rules.SequenceEqual(other.Rules);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryPolicy);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var rule in Rules)
        {
            hash.Add(rule);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => Rules.IsEmpty ? "no rules" : string.Join("; ", Rules);
}
