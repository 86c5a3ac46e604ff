namespace Registries.Core.Interop.Tests;

/// <summary>What a policy says of a whole scope, for the files keyed by scope: all of it, some of it, or none.</summary>
public sealed class ScopePolicyTests
{
    [Theory]
    // No rule: everything.
    [InlineData("", "registry.example.com", "Allowed")]
    // A host-level deny: the host, its paths; never a longer host name or a sibling.
    [InlineData("deny registry.example.com", "registry.example.com", "Denied")]
    [InlineData("deny registry.example.com", "registry.example.com/team", "Denied")]
    [InlineData("deny registry.example.com", "registry.example.com.evil.io", "Allowed")]
    [InlineData("deny registry.example.com", "registry.example.com:5000", "Allowed")]
    // A path deny: on '/' boundaries only.
    [InlineData("deny registry.example.com/team", "registry.example.com", "Partial")]
    [InlineData("deny registry.example.com/team", "registry.example.com/team/sub", "Denied")]
    [InlineData("deny registry.example.com/team", "registry.example.com/team-b", "Allowed")]
    // Patterns, one label per '*'.
    [InlineData("deny *.corp.example", "a.corp.example", "Denied")]
    [InlineData("deny *.corp.example", "a.b.corp.example", "Allowed")]
    [InlineData("deny *.corp.example", "*.corp.example/team", "Denied")]
    [InlineData("deny a.corp.example", "*.corp.example", "Partial")]
    [InlineData("deny *.*.corp.example", "*.eu.corp.example", "Denied")]
    [InlineData("deny *.eu.corp.example", "*.*.corp.example", "Partial")]
    // Allow lists: what no allow rule reaches is denied; what one reaches in part is partial.
    [InlineData("allow registry.example.com", "registry.example.com", "Allowed")]
    [InlineData("allow registry.example.com", "quay.io", "Denied")]
    [InlineData("allow registry.example.com/team", "registry.example.com", "Partial")]
    [InlineData("allow registry.example.com/team", "registry.example.com/team/app", "Allowed")]
    [InlineData("allow registry.example.com/team", "registry.example.com/team-b", "Denied")]
    [InlineData("allow *.corp.example", "a.corp.example/x", "Allowed")]
    // Digest only: images by tag are denied, so in part.
    [InlineData("allow registry.example.com digest", "registry.example.com", "Partial")]
    // A deny wins over a more specific allow.
    [InlineData("deny registry.example.com;allow registry.example.com/team", "registry.example.com/team", "Denied")]
    [InlineData("allow registry.example.com;deny registry.example.com/old", "registry.example.com", "Partial")]
    public void Judge_Scope_SaysHowMuchOfItThePolicyLetsLaunch(string rules, string scope, string expectedReach)
    {
        var policy = RegistryPolicy.Create(rules.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(Rule));

        var verdict = ScopePolicy.Judge(policy, RegistryScope.ParseScope(scope));

        Assert.Equal(expectedReach, verdict.Reach.ToString());
        Assert.Equal(verdict.Reach == PolicyReach.Allowed, verdict.Reason is null);
    }

    [Fact]
    public void Judge_HostLevelAddress_AgreesWithEvaluateAddressOnWhatItDenies()
    {
        var policy = RegistryPolicy.Create([Rule("allow docker.io/library"), Rule("deny quay.io")]);

        foreach (var address in new[] { "docker.io", "quay.io", "registry.example.com" })
        {
            var decision = policy.EvaluateAddress(RegistryAddress.Parse(address));
            var verdict = ScopePolicy.Judge(policy, RegistryScope.ParseScope(address));
            Assert.Equal(!decision.IsAllowed, verdict.Reach == PolicyReach.Denied);
        }
    }

    private static PolicyRule Rule(string text)
    {
        var parts = text.Split(' ');
        var scope = RegistryScope.ParseScope(parts[1]);
        return parts[0] == "deny" ? PolicyRule.Deny(scope) : PolicyRule.Allow(scope, digestOnly: parts.Length > 2);
    }
}
