using System.Text.Json;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>The policy and mirror endpoints: round trips, who may read and change them, hostile input refused with
/// nothing stored, and the resolution's <c>policy</c> and <c>mirrors</c>.</summary>
public sealed class PolicyEndpointsTests : IAsyncLifetime
{
    private const string Base = "/api/registries";
    private const string Mirror = "mirror.example.com:5000";
    private readonly ApiFactory _api = new();

    private string Env => $"{Base}/environments/{_api.EnvironmentId}";

    private string Rules => Env + "/policy/rules";

    private string Mirrors => Env + "/mirrors";

    public async Task InitializeAsync() => await _api.SeedAsync();

    public async Task DisposeAsync()
    {
        Assert.DoesNotContain(_api.Logs.GetSnapshot(), r => (r.Message + r.Exception).Contains(ApiFactory.Canary, StringComparison.Ordinal));
        await _api.DisposeAsync();
    }

    [Theory]
    [InlineData(ApiFactory.Owner)]
    [InlineData(ApiFactory.Member)]
    [InlineData(ApiFactory.ReadOnly)]
    public async Task GetPolicy_AnyMember_NoRulesAllowsEverything(string user)
    {
        var response = await _api.SendAsync(HttpMethod.Get, Env + "/policy", user);

        Assert.Equal(200, response.Status);
        Assert.Equal(0, response.Json.GetProperty("rules").GetArrayLength());
        Assert.Equal("allowed", response.Json.GetProperty("uncovered").GetString());
        Assert.Equal(_api.EnvironmentId, response.Json.GetProperty("environmentId").GetString());
    }

    [Fact]
    public async Task SetPolicyRule_Owner_RoundTripsInOrder_ReplacesInPlace_AndEveryMemberReadsIt()
    {
        var deny = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com/team-b" });
        var allow = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "allow", scope = "registry.example.com/team", digestOnly = true });
        var pattern = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "*.evil.example" });

        Assert.Equal((200, 200, 200), (deny.Status, allow.Status, pattern.Status));
        Assert.Equal("denied", allow.Json.GetProperty("uncovered").GetString());
        Assert.Equal(
            ["deny registry.example.com/team-b False", "allow registry.example.com/team True", "deny *.evil.example False"],
            RulesOf(pattern.Json));

        // The same scope again: its rule is replaced where it stood.
        var replaced = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "allow", scope = "registry.example.com/team-b" });
        Assert.Equal(
            ["allow registry.example.com/team-b False", "allow registry.example.com/team True", "deny *.evil.example False"],
            RulesOf(replaced.Json));

        foreach (var user in new[] { ApiFactory.Member, ApiFactory.ReadOnly })
        {
            var read = await _api.SendAsync(HttpMethod.Get, Env + "/policy", user);
            Assert.Equal(RulesOf(replaced.Json), RulesOf(read.Json));
        }
    }

    [Fact]
    public async Task SetPolicyRule_ScopeIsNormalized_AsTheLibraryWritesIt()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "Allow", scope = "index.docker.io/library" });

        Assert.Equal(200, response.Status);
        Assert.Equal(["allow docker.io/library False"], RulesOf(response.Json));
    }

    [Theory]
    [InlineData(ApiFactory.Member)]
    [InlineData(ApiFactory.ReadOnly)]
    public async Task SetPolicyRule_NotAnOwner_Is403AndNothingChanges(string user)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, user, new { effect = "deny", scope = "registry.example.com" });

        response.AssertProblem(403, "permission-denied");
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task PolicyAndMirrors_Outsider_Is404ExactlyAsAnUnknownEnvironment()
    {
        var unknown = $"{Base}/environments/no-such-env";
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/policy", null),
            (HttpMethod.Post, "/policy/rules", new { effect = "deny", scope = "registry.example.com" }),
            (HttpMethod.Delete, "/policy/rules?scope=registry.example.com", null),
            (HttpMethod.Get, "/mirrors", null),
            (HttpMethod.Post, "/mirrors", new { upstream = "docker.io", mirror = Mirror }),
            (HttpMethod.Delete, "/mirrors?upstream=docker.io&mirror=" + Mirror, null),
        })
        {
            var outsider = await _api.SendAsync(method, Env + path, ApiFactory.Outsider, body);
            var none = await _api.SendAsync(method, unknown + path, ApiFactory.Outsider, body);

            var outsiderDetail = outsider.AssertProblem(404, "not-found");
            Assert.Equal(none.AssertProblem(404, "not-found").Replace("no-such-env", "ID", StringComparison.Ordinal), outsiderDetail.Replace(_api.EnvironmentId, "ID", StringComparison.Ordinal));
        }

        await AssertNoRulesAsync();
        await AssertNoMirrorsAsync();
    }

    [Theory]
    [InlineData("https://registry.example.com/team", "invalid-address", "registry.example.com")]
    [InlineData("registry.example.com/Team", "invalid-path", "repository path")]
    [InlineData("registry.example.com/team//sub", "invalid-path", "repository path")]
    [InlineData("registry.example.com/team\nx", "invalid-path", "repository path")]
    [InlineData("*", "invalid-address", "")]
    [InlineData("registry example.com", "invalid-address", "")]
    public async Task SetPolicyRule_BadScope_Is400WithTheLibrarysMessageAndNothingIsStored(string scope, string code, string said)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope });

        Assert.Contains(said, response.AssertProblem(400, code), StringComparison.Ordinal);
        Assert.Equal("scope", response.Json.GetProperty("field").GetString());
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task SetPolicyRule_UrlWithUserInfo_NeverEchoesThePassword()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = $"https://ci:{ApiFactory.Canary}@registry.example.com/team" });

        response.AssertProblem(400, "invalid-address");
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task SetPolicyRule_DigestOnlyDeny_Is400NamingDigestOnly()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com", digestOnly = true });

        Assert.Contains("only an allow rule can be digest-only", response.AssertProblem(400, "invalid-input"), StringComparison.Ordinal);
        Assert.Equal("digestOnly", response.Json.GetProperty("field").GetString());
        await AssertNoRulesAsync();
    }

    [Theory]
    [InlineData("""{"effect":"block","scope":"registry.example.com"}""", "invalid-input", "effect")]
    [InlineData("""{"effect":"1","scope":"registry.example.com"}""", "invalid-input", "effect")]
    [InlineData("""{"scope":"registry.example.com"}""", "invalid-input", "effect")]
    [InlineData("""{"effect":"deny"}""", "invalid-input", "scope")]
    [InlineData("""{"effect":"deny","scope":"registry.example.com","digestOnly":"yes"}""", "invalid-json", "digestOnly")]
    [InlineData("""{"effect":"deny","scope":"registry.example.com","scope":"other.example.com"}""", "invalid-json", "scope")]
    [InlineData("""{"effect":"deny","scope":"registry.example.com","priority":1}""", "unknown-field", "priority")]
    public async Task SetPolicyRule_BadBody_Is400NamingTheField(string body, string code, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, rawBody: body);

        response.AssertProblem(400, code);
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task SetPolicyRule_FormContentType_Is415()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, rawBody: "effect=deny&scope=registry.example.com", contentType: "application/x-www-form-urlencoded");

        response.AssertProblem(415, "unsupported-media-type");
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task SetPolicyRule_CrossOrigin_Is403BeforeAnythingIsRead()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com" },
            headers: [new("Origin", "http://evil.example"), new("Sec-Fetch-Site", "cross-site")]);

        response.AssertProblem(403, "cross-origin");
        await AssertNoRulesAsync();
    }

    [Fact]
    public async Task PolicyAndMirrors_KubernetesEnvironment_Is409NamingTheOrchestration()
    {
        var env = $"{Base}/environments/{_api.KubernetesEnvironmentId}";

        var policy = await _api.SendAsync(HttpMethod.Get, env + "/policy", ApiFactory.Owner);
        var mirrors = await _api.SendAsync(HttpMethod.Post, env + "/mirrors", ApiFactory.Owner, new { upstream = "docker.io", mirror = Mirror });

        Assert.Contains("Kubernetes", policy.AssertProblem(409, "unsupported-orchestration"), StringComparison.Ordinal);
        Assert.Contains("Kubernetes", mirrors.AssertProblem(409, "unsupported-orchestration"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovePolicyRule_ScopeWithSlashesInTheQuery_RemovesThatRuleOnly()
    {
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "allow", scope = "registry.example.com" });
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com/team/sub" });

        var removed = await _api.SendAsync(HttpMethod.Delete, Rules + "?scope=" + Uri.EscapeDataString("registry.example.com/team/sub"), ApiFactory.Owner);

        Assert.Equal(200, removed.Status);
        Assert.Equal(["allow registry.example.com False"], RulesOf(removed.Json));
        var read = await _api.SendAsync(HttpMethod.Get, Env + "/policy", ApiFactory.ReadOnly);
        Assert.Equal(["allow registry.example.com False"], RulesOf(read.Json));
    }

    [Fact]
    public async Task RemovePolicyRule_ScopeWithoutARule_Is404ListingTheRules()
    {
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com/team" });

        var response = await _api.SendAsync(HttpMethod.Delete, Rules + "?scope=registry.example.com/team-b", ApiFactory.Owner);

        var detail = response.AssertProblem(404, "rule-not-found");
        Assert.Contains("registry.example.com/team-b", detail, StringComparison.Ordinal);
        Assert.Contains("deny registry.example.com/team", detail, StringComparison.Ordinal);
        Assert.Equal("scope", response.Json.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData(ApiFactory.Member)]
    [InlineData(ApiFactory.ReadOnly)]
    public async Task RemovePolicyRule_NotAnOwner_Is403WhetherOrNotTheRuleExists(string user)
    {
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = "registry.example.com" });

        var existing = await _api.SendAsync(HttpMethod.Delete, Rules + "?scope=registry.example.com", user);
        var absent = await _api.SendAsync(HttpMethod.Delete, Rules + "?scope=other.example.com", user);

        existing.AssertProblem(403, "permission-denied");
        absent.AssertProblem(403, "permission-denied");
        var read = await _api.SendAsync(HttpMethod.Get, Env + "/policy", user);
        Assert.Equal(["deny registry.example.com False"], RulesOf(read.Json));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?scope=")]
    [InlineData("?scope=https%3A%2F%2Fregistry.example.com")]
    public async Task RemovePolicyRule_MissingOrBadScope_Is400NamingScope(string query)
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Rules + query, ApiFactory.Owner);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Equal("scope", response.Json.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData(ApiFactory.Owner)]
    [InlineData(ApiFactory.Member)]
    [InlineData(ApiFactory.ReadOnly)]
    public async Task ListMirrors_AnyMember_NoneIsAnEmptyList(string user)
    {
        var response = await _api.SendAsync(HttpMethod.Get, Mirrors, user);

        Assert.Equal(200, response.Status);
        Assert.Equal(_api.EnvironmentId, response.Json.GetProperty("environmentId").GetString());
        Assert.Equal(0, response.Json.GetProperty("upstreams").GetArrayLength());
    }

    [Fact]
    public async Task AddMirror_Owner_RoundTripsInOrderWithRewriteAndMirrorOnly_AndEveryMemberReadsThem()
    {
        var first = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner,
            new { upstream = "docker.io", mirror = Mirror, rewrite = new { pattern = "^library/(.*)", replacement = "hub/library/$1" } });
        var second = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "index.docker.io", mirror = "cache.example.com", mirrorOnly = true });
        var other = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "quay.io", mirror = Mirror });

        Assert.Equal((200, 200, 200), (first.Status, second.Status, other.Status));
        string[] expected =
        [
            $"docker.io {Mirror} ^library/(.*) -> hub/library/$1 False",
            "docker.io cache.example.com - True",
            $"quay.io {Mirror} - False",
        ];
        Assert.Equal(expected, MirrorsOf(other.Json));
        var dockerHub = other.Json.GetProperty("upstreams")[0];
        Assert.False(dockerHub.GetProperty("fallsBackToUpstream").GetBoolean());
        Assert.False(dockerHub.GetProperty("mirrors")[1].TryGetProperty("rewrite", out _));
        Assert.True(other.Json.GetProperty("upstreams")[1].GetProperty("fallsBackToUpstream").GetBoolean());

        foreach (var user in new[] { ApiFactory.Member, ApiFactory.ReadOnly })
        {
            var read = await _api.SendAsync(HttpMethod.Get, Mirrors, user);
            Assert.Equal(expected, MirrorsOf(read.Json));
        }

        // The same upstream and mirror again: replaced where it stood.
        var replaced = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = Mirror, mirrorOnly = true });
        Assert.Equal([$"docker.io {Mirror} - True", expected[1], expected[2]], MirrorsOf(replaced.Json));
    }

    [Theory]
    [InlineData(ApiFactory.Member)]
    [InlineData(ApiFactory.ReadOnly)]
    public async Task AddAndRemoveMirror_NotAnOwner_Is403AndNothingChanges(string user)
    {
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = Mirror });

        var add = await _api.SendAsync(HttpMethod.Post, Mirrors, user, new { upstream = "docker.io", mirror = "cache.example.com" });
        var remove = await _api.SendAsync(HttpMethod.Delete, $"{Mirrors}?upstream=docker.io&mirror={Mirror}", user);

        add.AssertProblem(403, "permission-denied");
        remove.AssertProblem(403, "permission-denied");
        var read = await _api.SendAsync(HttpMethod.Get, Mirrors, ApiFactory.Owner);
        Assert.Equal([$"docker.io {Mirror} - False"], MirrorsOf(read.Json));
    }

    [Theory]
    [InlineData("(a)\\1", "x", "RE2")]
    [InlineData("(?=library)x", "x", "RE2")]
    [InlineData("([a-z", "x", "not a valid regular expression")]
    [InlineData("^library/(.*)", "hub/$2", "no group '2'")]
    [InlineData("^library/(.*)", "hub/$1x", "${1}x")]
    [InlineData("^library/(.*)", "hub/${1", "no closing")]
    [InlineData("^library\n/(.*)", "hub/$1", "control characters")]
    [InlineData("", "hub", "1 to 1024")]
    public async Task AddMirror_BadRewrite_Is400WithTheLibrarysMessageAndNothingIsStored(string pattern, string replacement, string said)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner,
            new { upstream = "docker.io", mirror = Mirror, rewrite = new { pattern, replacement } });

        var detail = pattern.Length == 0 ? response.AssertProblem(400, "invalid-input") : response.AssertProblem(400, "invalid-rewrite");
        if (pattern.Length > 0)
        {
            Assert.Contains(said, detail, StringComparison.Ordinal);
            Assert.Equal("rewrite", response.Json.GetProperty("field").GetString());
        }

        await AssertNoMirrorsAsync();
    }

    [Fact]
    public async Task AddMirror_HugeRewrite_Is400AndNothingIsStored()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner,
            new { upstream = "docker.io", mirror = Mirror, rewrite = new { pattern = new string('a', 5000), replacement = "x" } });

        Assert.Contains("1024", response.AssertProblem(400, "invalid-rewrite"), StringComparison.Ordinal);
        await AssertNoMirrorsAsync();
    }

    [Theory]
    [InlineData("docker.io", "https://mirror.example.com", "invalid-address", "mirror")]
    [InlineData("https://registry-1.docker.io/v2/", Mirror, "invalid-address", "upstream")]
    [InlineData("docker.io", "*.mirror.example", "invalid-address", "mirror")]
    [InlineData("*.example.com", Mirror, "invalid-address", "upstream")]
    [InlineData("docker.io", "registry-1.docker.io", "invalid-input", "mirror")]
    [InlineData("docker.io", "mirror.example.com/cache", "invalid-address", "mirror")]
    public async Task AddMirror_BadAddress_Is400NamingTheFieldAndNothingIsStored(string upstream, string mirror, string code, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream, mirror });

        response.AssertProblem(400, code);
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
        await AssertNoMirrorsAsync();
    }

    [Theory]
    [InlineData("""{"mirror":"mirror.example.com"}""", "invalid-input", "upstream")]
    [InlineData("""{"upstream":"docker.io"}""", "invalid-input", "mirror")]
    [InlineData("""{"upstream":"docker.io","mirror":"mirror.example.com","rewrite":{"replacement":"x"}}""", "invalid-input", "rewrite.pattern")]
    [InlineData("""{"upstream":"docker.io","mirror":"mirror.example.com","rewrite":{"pattern":"x"}}""", "invalid-input", "rewrite.replacement")]
    [InlineData("""{"upstream":"docker.io","mirror":"mirror.example.com","rewrite":{"pattern":"x","replacement":"y","flags":"i"}}""", "unknown-field", "rewrite.flags")]
    [InlineData("""{"upstream":"docker.io","mirror":"mirror.example.com","rewrite":"^a -> b"}""", "invalid-json", "rewrite")]
    [InlineData("""{"upstream":"docker.io","mirror":"mirror.example.com","mirrorOnly":1}""", "invalid-json", "mirrorOnly")]
    public async Task AddMirror_BadBody_Is400NamingTheField(string body, string code, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, rawBody: body);

        response.AssertProblem(400, code);
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
        await AssertNoMirrorsAsync();
    }

    [Fact]
    public async Task AddMirror_EmptyReplacement_IsTaken()
    {
        var response = await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner,
            new { upstream = "docker.io", mirror = Mirror, rewrite = new { pattern = "^cache/", replacement = "" } });

        Assert.Equal(200, response.Status);
        Assert.Equal([$"docker.io {Mirror} ^cache/ ->  False"], MirrorsOf(response.Json));
    }

    [Fact]
    public async Task RemoveMirror_Owner_RemovesThatMirrorOnly()
    {
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = Mirror });
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = "cache.example.com" });

        var removed = await _api.SendAsync(HttpMethod.Delete, $"{Mirrors}?upstream=index.docker.io&mirror={Uri.EscapeDataString(Mirror)}", ApiFactory.Owner);

        Assert.Equal(200, removed.Status);
        Assert.Equal(["docker.io cache.example.com - False"], MirrorsOf(removed.Json));
        var read = await _api.SendAsync(HttpMethod.Get, Mirrors, ApiFactory.ReadOnly);
        Assert.Equal(["docker.io cache.example.com - False"], MirrorsOf(read.Json));
    }

    [Fact]
    public async Task RemoveMirror_Absent_Is404ListingTheUpstreamsMirrors()
    {
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = Mirror });

        var response = await _api.SendAsync(HttpMethod.Delete, Mirrors + "?upstream=docker.io&mirror=cache.example.com", ApiFactory.Owner);

        var detail = response.AssertProblem(404, "mirror-not-found");
        Assert.Contains(Mirror, detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "upstream")]
    [InlineData("?upstream=docker.io", "mirror")]
    [InlineData("?mirror=mirror.example.com", "upstream")]
    [InlineData("?upstream=docker.io&mirror=https%3A%2F%2Fmirror.example.com", "mirror")]
    public async Task RemoveMirror_MissingOrBadQuery_Is400NamingIt(string query, string field)
    {
        var response = await _api.SendAsync(HttpMethod.Delete, Mirrors + query, ApiFactory.Owner);

        Assert.True(response.Status == 400, response.ToString());
        Assert.Equal(field, response.Json.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Resolve_DeniedByPolicy_IsDeniedWithTheRuleAndNoCredential()
    {
        // The seeded entry has an active credential: the policy decides before it is looked at.
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = ApiFactory.Address + "/team" });

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app:1"), ApiFactory.Member);

        Assert.Equal(200, response.Status);
        var json = response.Json;
        Assert.Equal("denied", json.GetProperty("outcome").GetString());
        Assert.False(json.TryGetProperty("username", out _));
        Assert.False(json.TryGetProperty("registryId", out _));
        Assert.Contains(ApiFactory.Address + "/team", json.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var policy = json.GetProperty("policy");
        Assert.False(policy.GetProperty("allowed").GetBoolean());
        Assert.Equal((ApiFactory.Address + "/team", "deny", false), (policy.GetProperty("scope").GetString(), policy.GetProperty("effect").GetString(), policy.GetProperty("digestOnly").GetBoolean()));
        Assert.False(json.TryGetProperty("mirrors", out _));

        // team-b is not under team: the rule does not cover it.
        var teamB = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team-b/app:1"), ApiFactory.Member);
        Assert.Equal("authenticated", teamB.Json.GetProperty("outcome").GetString());
        Assert.True(teamB.Json.GetProperty("policy").GetProperty("allowed").GetBoolean());
        Assert.False(teamB.Json.GetProperty("policy").TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task Explain_ShowsTheRulesWeighed_AndTheOneThatDecided()
    {
        // A deny rule inside an allowed scope: both cover the image, the deny wins, and a ReadOnly member may ask why.
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "allow", scope = ApiFactory.Address });
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "deny", scope = ApiFactory.Address + "/team/legacy" });

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/legacy/app:1"), ApiFactory.ReadOnly);

        Assert.True(response.Status == 200, response.ToString());
        var json = response.Json;
        Assert.Equal("denied", json.GetProperty("outcome").GetString());
        Assert.False(json.TryGetProperty("registryId", out _));
        var policy = json.GetProperty("policy");
        Assert.False(policy.GetProperty("allowed").GetBoolean());
        Assert.Equal((ApiFactory.Address + "/team/legacy", "deny"), (policy.GetProperty("scope").GetString(), policy.GetProperty("effect").GetString()));
        Assert.Contains(ApiFactory.Address + "/team/legacy", policy.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var weighed = policy.GetProperty("weighed").EnumerateArray().Select(r => (r.GetProperty("effect").GetString(), r.GetProperty("scope").GetString())).ToArray();
        Assert.Equal([("deny", ApiFactory.Address + "/team/legacy"), ("allow", ApiFactory.Address)], weighed);

        // An image the policy allows: the allow rule decides, no reason, and the entries still explain the credential.
        var allowed = await _api.SendAsync(HttpMethod.Get, Env + "/explain?image=" + Uri.EscapeDataString(ApiFactory.Address + "/team/app:1"), ApiFactory.ReadOnly);
        Assert.True(allowed.Json.GetProperty("policy").GetProperty("allowed").GetBoolean());
        Assert.False(allowed.Json.GetProperty("policy").TryGetProperty("reason", out _));
        Assert.NotEmpty(allowed.Json.GetProperty("candidates").EnumerateArray());
    }

    [Fact]
    public async Task Resolve_NoAllowRuleCovers_IsDeniedWithANullRule()
    {
        await _api.SendAsync(HttpMethod.Post, Rules, ApiFactory.Owner, new { effect = "allow", scope = ApiFactory.Address });

        var denied = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=other.example.com/app:1", ApiFactory.Owner);
        var allowed = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=" + Uri.EscapeDataString(ApiFactory.Address + "/app:1"), ApiFactory.Owner);

        Assert.Equal("denied", denied.Json.GetProperty("outcome").GetString());
        Assert.False(denied.Json.GetProperty("policy").GetProperty("allowed").GetBoolean());
        Assert.False(denied.Json.GetProperty("policy").TryGetProperty("scope", out _));
        Assert.Equal("authenticated", allowed.Json.GetProperty("outcome").GetString());
        Assert.True(allowed.Json.GetProperty("policy").GetProperty("allowed").GetBoolean());
        Assert.Equal((ApiFactory.Address, "allow"), (allowed.Json.GetProperty("policy").GetProperty("scope").GetString(), allowed.Json.GetProperty("policy").GetProperty("effect").GetString()));
    }

    [Fact]
    public async Task Resolve_WithMirrors_ListsEachPlaceInOrderWithItsOutcomeAndNoSecret()
    {
        // The mirror has a credential of its own (the canary); the upstream has none.
        var entry = await _api.SendAsync(HttpMethod.Post, Env + "/registries", ApiFactory.Owner,
            new { kind = "custom", address = Mirror, email = "m@example.com", username = "mirror-robot", password = ApiFactory.Canary });
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner,
            new { upstream = "docker.io", mirror = Mirror, rewrite = new { pattern = "^library/(.*)", replacement = "hub/$1" } });
        await _api.SendAsync(HttpMethod.Post, Mirrors, ApiFactory.Owner, new { upstream = "docker.io", mirror = "cache.example.com" });

        var response = await _api.SendAsync(HttpMethod.Get, Env + "/resolve?image=alpine:3.20", ApiFactory.Member);

        Assert.Equal(200, response.Status);
        Assert.DoesNotContain(ApiFactory.Canary, response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("password", response.Body, StringComparison.OrdinalIgnoreCase);
        Assert.True(response.Json.GetProperty("policy").GetProperty("allowed").GetBoolean());
        var places = response.Json.GetProperty("mirrors").EnumerateArray()
            .Select(m => $"{m.GetProperty("address").GetString()} {m.GetProperty("image").GetString()} {m.GetProperty("outcome").GetString()}")
            .ToArray();
        Assert.Equal(
            [
                $"{Mirror} {Mirror}/hub/alpine:3.20 authenticated",
                "cache.example.com cache.example.com/library/alpine:3.20 anonymous",
            ],
            places);
        Assert.True(response.Json.GetProperty("fallsBackToUpstream").GetBoolean());
        Assert.Equal("anonymous", response.Json.GetProperty("outcome").GetString());
        var first = response.Json.GetProperty("mirrors")[0];
        Assert.Equal(("mirror-robot", entry.Json.GetProperty("id").GetString()), (first.GetProperty("username").GetString(), first.GetProperty("registryId").GetString()));
    }

    private static string[] RulesOf(JsonElement policy)
        => [.. policy.GetProperty("rules").EnumerateArray().Select(r => $"{r.GetProperty("effect").GetString()} {r.GetProperty("scope").GetString()} {r.GetProperty("digestOnly").GetBoolean()}")];

    private static string[] MirrorsOf(JsonElement mirrors)
        => [.. mirrors.GetProperty("upstreams").EnumerateArray().SelectMany(u => u.GetProperty("mirrors").EnumerateArray().Select(m =>
            $"{u.GetProperty("upstream").GetString()} {m.GetProperty("address").GetString()} "
            + (m.TryGetProperty("rewrite", out var r) ? $"{r.GetProperty("pattern").GetString()} -> {r.GetProperty("replacement").GetString()}" : "-")
            + $" {m.GetProperty("mirrorOnly").GetBoolean()}"))];

    private async Task AssertNoRulesAsync()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Env + "/policy", ApiFactory.Owner);
        Assert.Equal(0, read.Json.GetProperty("rules").GetArrayLength());
    }

    private async Task AssertNoMirrorsAsync()
    {
        var read = await _api.SendAsync(HttpMethod.Get, Mirrors, ApiFactory.Owner);
        Assert.Equal(0, read.Json.GetProperty("upstreams").GetArrayLength());
    }
}
