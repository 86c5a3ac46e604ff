using System.Text.Json;
using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

/// <summary><c>policy show|allow|deny|remove</c> over the seeded store (alice owner, bob member, reader readonly of 1a1
/// "prod"; 1a5 "k8s" is a Kubernetes environment): each run is its own process over the file store, so every change
/// read back is a change persisted.</summary>
public sealed class PolicyCommandsTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Canary = "CANARY-policy-p4ss";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Show_NoRules_EveryImageMayLaunch()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var text = await _cli.SucceedAsync("policy", "show", "prod");
        var json = await _cli.SucceedAsync("policy", "show", "1a1", "--json");

        Assert.Equal("Environment 1a1 (prod) has no policy rules: every image may launch.\n", text);
        Assert.Equal("{\n  \"environmentId\": \"1a1\",\n  \"uncovered\": \"allowed\",\n  \"rules\": []\n}\n", json);
    }

    [Fact]
    public async Task AllowDenyRemove_EachRunSeesTheLastOnesRules_ShowListsThemInOrder()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var allowed = await _cli.SucceedAsync("policy", "allow", "prod", "registry.example.com:5000/team", "--digest-only");
        var denied = await _cli.SucceedAsync("policy", "deny", "prod", "*.evil.example");
        var hub = await _cli.SucceedAsync("policy", "allow", "prod", "docker.io/library", "--json");
        var replaced = await _cli.SucceedAsync("policy", "allow", "prod", "registry.example.com:5000/team");
        var again = await _cli.SucceedAsync("policy", "allow", "prod", "registry.example.com:5000/team");
        var text = await _cli.SucceedAsync("policy", "show", "prod");
        var json = await _cli.SucceedAsync("policy", "show", "prod", "--json");
        var removed = await _cli.SucceedAsync("policy", "remove", "prod", "*.evil.example");
        var after = JsonDocument.Parse(await _cli.SucceedAsync("policy", "show", "prod", "--json")).RootElement;

        Assert.Equal("Set 'allow registry.example.com:5000/team (digest only)' in environment 1a1 (prod).\n", allowed);
        Assert.Equal("Set 'deny *.evil.example' in environment 1a1 (prod).\n", denied);
        Assert.Equal(3, JsonDocument.Parse(hub).RootElement.GetProperty("rules").GetArrayLength());
        Assert.Equal("Replaced 'allow registry.example.com:5000/team (digest only)' by 'allow registry.example.com:5000/team' in environment 1a1 (prod).\n", replaced);
        Assert.Equal("Unchanged: environment 1a1 (prod) already has 'allow registry.example.com:5000/team'.\n", again);
        Assert.Equal(
            "Environment 1a1 (prod): 3 rules. An image a deny rule covers is denied, and so is an image no allow rule covers.\n"
            + "EFFECT  SCOPE                           DIGEST-ONLY\n"
            + "allow   registry.example.com:5000/team  no\n"
            + "deny    *.evil.example                  no\n"
            + "allow   docker.io/library               no\n",
            text);
        Snapshot.Match(json, "PolicyCommandsTests.Show_Json");
        Assert.Equal("Removed 'deny *.evil.example' from environment 1a1 (prod).\n", removed);
        Assert.Equal(["registry.example.com:5000/team", "docker.io/library"], after.GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("scope").GetString()));
        Assert.Equal("denied", after.GetProperty("uncovered").GetString());
    }

    [Fact]
    public async Task DenyOnly_ShowSaysEveryOtherImageMayLaunch()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "deny", "prod", "quay.io");

        var text = await _cli.SucceedAsync("policy", "show", "prod");
        var json = JsonDocument.Parse(await _cli.SucceedAsync("policy", "show", "prod", "--json")).RootElement;

        Assert.StartsWith("Environment 1a1 (prod): 1 rule. An image a deny rule covers is denied; every other image may launch.\n", text, StringComparison.Ordinal);
        Assert.Equal("allowed", json.GetProperty("uncovered").GetString());
        Assert.Equal("deny", json.GetProperty("rules")[0].GetProperty("effect").GetString());
        Assert.False(json.GetProperty("rules")[0].GetProperty("digestOnly").GetBoolean());
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("reader")]
    public async Task MembersAndReadOnly_ReadThePolicy_ChangesRefusedExitThree_StoreUnchanged(string user)
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "deny", "prod", "quay.io");
        var before = _cli.StoreBytes();
        _cli.User = user;

        var shown = await _cli.SucceedAsync("policy", "show", "prod");
        var allow = await _cli.RunAsync("policy", "allow", "prod", "registry.example.com:5000");
        var deny = await _cli.RunAsync("policy", "deny", "prod", "docker.io");
        var remove = await _cli.RunAsync("policy", "remove", "prod", "quay.io");

        Assert.Contains("deny    quay.io", shown, StringComparison.Ordinal);
        foreach (var refused in new[] { allow, deny, remove })
        {
            Assert.Contains("may not change the policy; ask an owner", refused.AssertOneLineError(3), StringComparison.Ordinal);
        }

        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task NonMember_GetsNotFound_AsForAnUnknownEnvironment()
    {
        _cli.CopyStoreFrom(seed.Cli);
        _cli.User = "mallory";

        var show = await _cli.RunAsync("policy", "show", "1a1");
        var allow = await _cli.RunAsync("policy", "allow", "1a1", "quay.io");

        show.AssertOneLineError(2);
        allow.AssertOneLineError(2);
    }

    [Fact]
    public async Task KubernetesEnvironment_RefusedExitThree()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var show = await _cli.RunAsync("policy", "show", "k8s");
        var allow = await _cli.RunAsync("policy", "allow", "k8s", "quay.io");

        Assert.Contains("kubernetes", show.AssertOneLineError(3), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("kubernetes", allow.AssertOneLineError(3), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DigestOnlyWithDeny_UsageErrorNamingTheFix_StoreUnchanged()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync("policy", "deny", "prod", "quay.io", "--digest-only");

        var error = result.AssertOneLineError(2);
        Assert.Contains("'registries policy allow ENV SCOPE --digest-only'", error, StringComparison.Ordinal);
        Assert.Contains("See 'registries policy deny --help'", error, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task RemoveAbsentRule_BadInputListingTheRules_StoreUnchanged()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "allow", "prod", "registry.example.com:5000/team");
        var before = _cli.StoreBytes();

        var other = await _cli.RunAsync("policy", "remove", "prod", "registry.example.com:5000/team-b");
        var wider = await _cli.RunAsync("policy", "remove", "prod", "registry.example.com:5000");

        Assert.Contains("no rule for 'registry.example.com:5000/team-b'", other.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Contains("allow registry.example.com:5000/team", wider.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Theory]
    [InlineData("https://deployer:" + Canary + "@registry.example.com/team", "give 'registry.example.com'")]
    [InlineData("deployer:" + Canary + "@registry.example.com/team", "")]
    [InlineData("https://registry.example.com:5000/v2/", "give 'registry.example.com:5000'")]
    [InlineData("registry.example.com/team\nsub", "")]
    [InlineData("registry.example.com\n/team", "")]
    [InlineData("registry.example.com/\u001b[2Jteam", "")]
    [InlineData("registry.example.com/Team", "is not valid")]
    [InlineData("registry.example.com/team/", "starts or ends with '/'")]
    [InlineData("*.com", "at least two labels")]
    [InlineData("reg*.corp.example", "")]
    [InlineData("", "")]
    [InlineData(" ", "")]
    public async Task BadScope_OneLineErrorExitTwo_NeverEchoesUserInfoOrControls_StoreUnchanged(string scope, string expected)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        foreach (var args in new[] { new[] { "policy", "allow", "prod", scope }, ["policy", "deny", "prod", scope], ["policy", "remove", "prod", scope] })
        {
            var result = await _cli.RunAsync(args);

            var error = result.AssertOneLineError(2);
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', result.Stderr);
        }

        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task AllowHostPatternWithPath_ShownAsGiven()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "allow", "prod", "*.corp.example/team");

        var json = JsonDocument.Parse(await _cli.SucceedAsync("policy", "show", "prod", "--json")).RootElement;

        Assert.Equal("*.corp.example/team", json.GetProperty("rules")[0].GetProperty("scope").GetString());
        Assert.Equal("allow", json.GetProperty("rules")[0].GetProperty("effect").GetString());
    }

    public void Dispose() => _cli.Dispose();
}
