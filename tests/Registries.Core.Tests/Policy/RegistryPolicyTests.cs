namespace Registries.Core.Tests.Policy;

/// <summary>The policy's semantics, one rule at a time: no rule, deny over allow, the most specific named, the allow
/// list, digest-only, patterns, and what can be said of a whole address.</summary>
public sealed partial class RegistryPolicyTests
{
    private static string Digest => "sha256:" + new string('c', 64);

    [Fact]
    public void Evaluate_NoRule_EverythingAllowedWithoutARule()
    {
        var decision = RegistryPolicy.Empty.Evaluate(Image("registry.example.com/team/app:1"));

        Assert.True(decision.IsAllowed);
        Assert.Null(decision.Rule);
        Assert.Empty(decision.Weighed);
        Assert.Null(decision.Reason);
        Assert.Equal("allowed (no rule)", decision.ToString());
    }

    [Fact]
    public void Evaluate_DenyWinsOverAMoreSpecificAllow_AndIsTheRuleNamed()
    {
        var policy = Policy(Deny("registry.example.com"), Allow("registry.example.com/team/app"));

        var decision = policy.Evaluate(Image("registry.example.com/team/app:1"));

        Assert.False(decision.IsAllowed);
        Assert.Equal(Deny("registry.example.com"), decision.Rule);
        Assert.Equal([Allow("registry.example.com/team/app"), Deny("registry.example.com")], decision.Weighed);
        Assert.Contains("'registry.example.com'", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SeveralDenies_TheMostSpecificIsNamed()
    {
        var policy = Policy(Deny("*.example.com"), Deny("registry.example.com"), Deny("registry.example.com/team"), Allow("registry.example.com/team/app"));

        var decision = policy.Evaluate(Image("registry.example.com/team/app:1"));

        Assert.Equal(Deny("registry.example.com/team"), decision.Rule);
        Assert.Equal(4, decision.Weighed.Count);
        Assert.Equal(Allow("registry.example.com/team/app"), decision.Weighed[0]);
        Assert.Equal(Deny("*.example.com"), decision.Weighed[^1]);
    }

    [Fact]
    public void Evaluate_SeveralAllows_TheMostSpecificDecides()
    {
        var policy = Policy(Allow("registry.example.com"), Allow("registry.example.com/team", digestOnly: true), Allow("*.example.com"));

        var byTag = policy.Evaluate(Image("registry.example.com/team/app:1"));
        var byDigest = policy.Evaluate(Image("registry.example.com/team/app@" + Digest));
        var other = policy.Evaluate(Image("registry.example.com/other:1"));
        var pattern = policy.Evaluate(Image("cache.example.com/other:1"));

        Assert.False(byTag.IsAllowed);
        Assert.Equal(Allow("registry.example.com/team", digestOnly: true), byTag.Rule);
        Assert.Contains("by digest only", byTag.Reason, StringComparison.Ordinal);
        Assert.True(byDigest.IsAllowed);
        Assert.Equal(Allow("registry.example.com/team", digestOnly: true), byDigest.Rule);
        Assert.Equal(Allow("registry.example.com"), other.Rule);
        Assert.True(other.IsAllowed);
        Assert.Equal(Allow("*.example.com"), pattern.Rule);
    }

    [Fact]
    public void Evaluate_AllowList_RefusesWhatNoAllowCovers()
    {
        var policy = Policy(Allow("registry.example.com/team"), Deny("quay.io"));

        var sibling = policy.Evaluate(Image("registry.example.com/team-b/app:1"));
        var elsewhere = policy.Evaluate(Image("alpine"));
        var covered = policy.Evaluate(Image("registry.example.com/team/app:1"));

        Assert.False(sibling.IsAllowed);
        Assert.Null(sibling.Rule);
        Assert.Empty(sibling.Weighed);
        Assert.Contains("no allow rule", sibling.Reason, StringComparison.Ordinal);
        Assert.Contains("registry.example.com/team", sibling.Reason, StringComparison.Ordinal);
        Assert.False(elsewhere.IsAllowed);
        Assert.True(covered.IsAllowed);
    }

    [Fact]
    public void Evaluate_OnlyDenyRules_WhatNoneCoversIsAllowedWithoutARule()
    {
        var policy = Policy(Deny("quay.io"));

        var decision = policy.Evaluate(Image("registry.example.com/app:1"));

        Assert.True(decision.IsAllowed);
        Assert.Null(decision.Rule);
    }

    [Fact]
    public void Evaluate_DigestOnly_TagAndDigestTogetherIsByDigest()
    {
        var policy = Policy(Allow("registry.example.com", digestOnly: true));

        Assert.True(policy.Evaluate(Image("registry.example.com/app:1@" + Digest)).IsAllowed);
        Assert.False(policy.Evaluate(Image("registry.example.com/app")).IsAllowed);
    }

    [Theory]
    [InlineData("*.corp.example", "a.corp.example/app", true)]
    [InlineData("*.corp.example", "A.Corp.Example/app", true)]
    [InlineData("*.corp.example", "a.b.corp.example/app", false)]
    [InlineData("*.corp.example", "corp.example/app", false)]
    [InlineData("*.corp.example", "acorp.example/app", false)]
    [InlineData("*.corp.example", "a.corp.example.evil.io/app", false)]
    [InlineData("*.corp.example", "a.corp.example:5000/app", false)]
    [InlineData("*.corp.example:5000", "a.corp.example:5000/app", true)]
    [InlineData("*.*.corp.example", "a.b.corp.example/app", true)]
    [InlineData("*.*.corp.example", "a.corp.example/app", false)]
    [InlineData("*.corp.example/team", "a.corp.example/team/app", true)]
    [InlineData("*.corp.example/team", "a.corp.example/team-b/app", false)]
    [InlineData("registry.example.com", "registry.example.com.evil.io/app", false)]
    [InlineData("registry.example.com", "evilregistry.example.com/app", false)]
    [InlineData("registry.example.com", "registry.example.com:5000/app", false)]
    [InlineData("registry.example.com/team", "registry.example.com/team/app", true)]
    [InlineData("registry.example.com/team", "registry.example.com/team", true)]
    [InlineData("registry.example.com/team", "registry.example.com/team-b/app", false)]
    [InlineData("registry.example.com/team", "registry.example.com/teamb", false)]
    [InlineData("registry.example.com/team", "registry.example.com/team.b/app", false)]
    [InlineData("registry.example.com/team", "registry.example.com/team_b/app", false)]
    [InlineData("docker.io/library", "alpine", true)]
    [InlineData("docker.io", "index.docker.io/library/alpine", true)]
    public void Evaluate_DenyRule_CoversOnBoundariesOnly(string scope, string image, bool covered)
    {
        var decision = Policy(Deny(scope)).Evaluate(Image(image));

        Assert.Equal(!covered, decision.IsAllowed);
        Assert.Equal(covered ? [Deny(scope)] : [], decision.Weighed);
    }

    [Theory]
    [InlineData("registry.example.com", false)]
    [InlineData("registry.example.com/team", true)]
    [InlineData("*.example.com", false)]
    [InlineData("quay.io", true)]
    public void EvaluateAddress_DeniedOnlyByAHostLevelDenyThatCoversIt(string denied, bool allowed)
    {
        var decision = Policy(Deny(denied)).EvaluateAddress(RegistryAddress.Parse("registry.example.com"));

        Assert.Equal(allowed, decision.IsAllowed);
        if (!allowed)
        {
            Assert.Equal(Deny(denied), decision.Rule);
        }
    }

    [Fact]
    public void EvaluateAddress_AllowList_DeniedWhenNoAllowCouldCoverAnImageOfIt()
    {
        var policy = Policy(Allow("registry.example.com/team", digestOnly: true), Allow("*.corp.example"));

        Assert.True(policy.EvaluateAddress(RegistryAddress.Parse("registry.example.com")).IsAllowed);
        Assert.True(policy.EvaluateAddress(RegistryAddress.Parse("a.corp.example")).IsAllowed);
        var quay = policy.EvaluateAddress(RegistryAddress.Quay);
        Assert.False(quay.IsAllowed);
        Assert.Contains("no allow rule", quay.Reason, StringComparison.Ordinal);
        Assert.False(policy.EvaluateAddress(RegistryAddress.Parse("registry.example.com:5000")).IsAllowed);
    }

    [Fact]
    public void WithRule_ReplacesTheScopesRuleInPlace_WithoutRuleRemovesIt()
    {
        var policy = Policy(Allow("a.example.com"), Deny("b.example.com"));

        var replaced = policy.WithRule(Allow("a.example.com", digestOnly: true));
        var removed = replaced.WithoutRule(Scope("a.example.com"));

        Assert.Equal([Allow("a.example.com", digestOnly: true), Deny("b.example.com")], replaced.Rules.ToArray());
        Assert.Same(policy, policy.WithRule(Allow("a.example.com")));
        Assert.Equal([Deny("b.example.com")], removed.Rules.ToArray());
        Assert.Throws<RegistryAddressFormatException>(() => Scope("*.docker.io"));
        Assert.Same(removed, removed.WithoutRule(Scope("a.example.com")));
        Assert.Same(RegistryPolicy.Empty, removed.WithoutRule(Scope("b.example.com")));
        Assert.Throws<ArgumentException>(() => RegistryPolicy.Create([Allow("a.example.com"), Deny("a.example.com")]));
        Assert.Throws<ArgumentException>(() => PolicyRule.Create(Scope("a.example.com"), PolicyEffect.Deny, digestOnly: true));
    }

    private static ImageReference Image(string text) => ImageReference.Parse(text);

    private static RegistryScope Scope(string text) => RegistryScope.ParseScope(text);

    private static PolicyRule Allow(string scope, bool digestOnly = false) => PolicyRule.Allow(Scope(scope), digestOnly);

    private static PolicyRule Deny(string scope) => PolicyRule.Deny(Scope(scope));

    private static RegistryPolicy Policy(params PolicyRule[] rules) => RegistryPolicy.Create(rules);
}
