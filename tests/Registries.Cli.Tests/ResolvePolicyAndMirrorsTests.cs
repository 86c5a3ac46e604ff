using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary><c>resolve</c> with a policy and mirrors, over the seeded store (1r2 docker.io user u, 1r3
/// registry.example.com:5000 user deployer, 1r4 quay.io inactive): a policy denial names its rule before any
/// credential is looked at, and the mirrors an image would be pulled through are listed in order with the credential
/// each would get, never a secret.</summary>
public sealed class ResolvePolicyAndMirrorsTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Canary = SeededStore.Canary;
    private const string Digest = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task DenyRule_DeniesAnImageWithAnActiveCredential_JsonNamesTheRule_ExitThree()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "deny", "prod", "docker.io/library");

        var json = await _cli.RunAsync("resolve", "prod", "ubuntu:22.04", "--json");
        var text = await _cli.RunAsync("resolve", "prod", "ubuntu:22.04");
        var other = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "myorg/app", "--json")).RootElement;

        var error = json.AssertOneLineError(3, stdoutEmpty: false);
        Assert.Contains("docker.io/library", error, StringComparison.Ordinal);
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("denied", root.GetProperty("outcome").GetString());
        Assert.False(root.TryGetProperty("registryId", out _));
        Assert.False(root.TryGetProperty("username", out _));
        var policy = root.GetProperty("policy");
        Assert.False(policy.GetProperty("allowed").GetBoolean());
        Assert.Equal("deny", policy.GetProperty("effect").GetString());
        Assert.Equal("docker.io/library", policy.GetProperty("scope").GetString());
        Assert.False(policy.GetProperty("digestOnly").GetBoolean());
        Assert.Equal("docker.io/library/ubuntu:22.04: denied by the environment's policy (deny docker.io/library).\n", text.Stdout);
        text.AssertOneLineError(3, stdoutEmpty: false);
        Assert.Equal("authenticated", other.GetProperty("outcome").GetString());
        Assert.False(other.TryGetProperty("policy", out _));
        Assert.DoesNotContain(Canary, json.Stdout + json.Stderr + text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllowList_DigestOnly_UncoveredAndTagDenied_DigestAllowed()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "allow", "prod", "registry.example.com:5000/team", "--digest-only");

        var byTag = await _cli.RunAsync("resolve", "prod", "registry.example.com:5000/team/app:1.0", "--json");
        var teamB = await _cli.RunAsync("resolve", "prod", "registry.example.com:5000/team-b/app@" + Digest, "--json");
        var byDigest = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app@" + Digest, "--json")).RootElement;

        Assert.Contains("by digest", byTag.AssertOneLineError(3, stdoutEmpty: false), StringComparison.Ordinal);
        var tagPolicy = JsonDocument.Parse(byTag.Stdout).RootElement.GetProperty("policy");
        Assert.Equal("allow", tagPolicy.GetProperty("effect").GetString());
        Assert.True(tagPolicy.GetProperty("digestOnly").GetBoolean());
        Assert.False(tagPolicy.GetProperty("allowed").GetBoolean());

        teamB.AssertOneLineError(3, stdoutEmpty: false);
        var uncovered = JsonDocument.Parse(teamB.Stdout).RootElement.GetProperty("policy");
        Assert.False(uncovered.GetProperty("allowed").GetBoolean());
        Assert.False(uncovered.TryGetProperty("effect", out _));

        Assert.Equal("authenticated", byDigest.GetProperty("outcome").GetString());
        Assert.Equal("deployer", byDigest.GetProperty("username").GetString());
        Assert.Equal("registry.example.com:5000/team", byDigest.GetProperty("policy").GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Mirrors_ListedInOrder_WithTheirNameAndCredentialThere_ThenTheUpstream()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var mirrorEntry = JsonDocument.Parse(await _cli.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--address", "mirror.example.com:5000", "--email", "m@example.com", "--username", "mirroruser", "--password-stdin", "--json"))
            .RootElement.GetProperty("id").GetString();
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com:5000", "--rewrite", "^library/(.*)", "hub/$1");
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "harbor.example.com");

        var json = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "ubuntu:22.04", "--json")).RootElement;
        var text = await _cli.SucceedAsync("resolve", "prod", "ubuntu:22.04");
        var unmirrored = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app", "--json")).RootElement;

        Assert.Equal("authenticated", json.GetProperty("outcome").GetString());
        Assert.Equal("u", json.GetProperty("username").GetString());
        var mirrors = json.GetProperty("mirrors").EnumerateArray().ToArray();
        Assert.Equal(2, mirrors.Length);
        Assert.Equal("mirror.example.com:5000", mirrors[0].GetProperty("address").GetString());
        Assert.Equal("mirror.example.com:5000/hub/ubuntu:22.04", mirrors[0].GetProperty("image").GetString());
        Assert.Equal("authenticated", mirrors[0].GetProperty("outcome").GetString());
        Assert.Equal("mirroruser", mirrors[0].GetProperty("username").GetString());
        Assert.Equal(mirrorEntry, mirrors[0].GetProperty("registryId").GetString());
        Assert.Equal("harbor.example.com", mirrors[1].GetProperty("address").GetString());
        Assert.Equal("harbor.example.com/library/ubuntu:22.04", mirrors[1].GetProperty("image").GetString());
        Assert.Equal("anonymous", mirrors[1].GetProperty("outcome").GetString());
        Assert.True(json.GetProperty("fallsBackToUpstream").GetBoolean());
        Assert.Equal(
            "docker.io/library/ubuntu:22.04: authenticated as u with registry 1r2 (docker.io).\n"
            + $"  through mirror mirror.example.com:5000/hub/ubuntu:22.04: authenticated as mirroruser with registry {mirrorEntry}.\n"
            + "  through mirror harbor.example.com/library/ubuntu:22.04: anonymous.\n"
            + "  then docker.io itself.\n",
            text);
        Assert.False(unmirrored.TryGetProperty("mirrors", out _));
        Assert.False(unmirrored.TryGetProperty("fallsBackToUpstream", out _));
        Assert.DoesNotContain(Canary, json.ToString() + text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MirrorOnly_NoFallBack_AndAPolicyDenialListsNoMirror()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "prod", "registry.example.com:5000", "cache.example.com", "--mirror-only");

        var json = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app:1", "--json")).RootElement;
        var text = await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app:1");
        await _cli.SucceedAsync("policy", "deny", "prod", "registry.example.com:5000");
        var denied = await _cli.RunAsync("resolve", "prod", "registry.example.com:5000/team/app:1", "--json");

        Assert.Equal("cache.example.com/team/app:1", Assert.Single(json.GetProperty("mirrors").EnumerateArray()).GetProperty("image").GetString());
        Assert.False(json.GetProperty("fallsBackToUpstream").GetBoolean());
        Assert.EndsWith("  never registry.example.com:5000 itself (mirror-only).\n", text, StringComparison.Ordinal);
        denied.AssertOneLineError(3, stdoutEmpty: false);
        Assert.False(JsonDocument.Parse(denied.Stdout).RootElement.TryGetProperty("mirrors", out _));
    }

    [Fact]
    public async Task MirrorOnlyThatCannotNameTheImage_DeniedWithTheReason_NoEntryNamed()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "prod", "registry.example.com:5000", "cache.example.com", "--mirror-only", "--rewrite", "^team/(.*)$", "Team/$1");

        var text = await _cli.RunAsync("resolve", "prod", "registry.example.com:5000/team/app:1");
        var json = await _cli.RunAsync("resolve", "prod", "registry.example.com:5000/team/app:1", "--json");

        Assert.Equal("registry.example.com:5000/team/app:1: denied, it cannot be pulled from anywhere.\n", text.Stdout);
        Assert.Contains("mirror-only", text.AssertOneLineError(3, stdoutEmpty: false), StringComparison.Ordinal);
        json.AssertOneLineError(3, stdoutEmpty: false);
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("denied", root.GetProperty("outcome").GetString());
        Assert.False(root.TryGetProperty("registryId", out _));
        Assert.False(root.TryGetProperty("policy", out _));
    }

    [Fact]
    public async Task Explain_ShowsTheRulesWeighedAndTheOneThatDecided_ReadOnlyMayAsk()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "allow", "prod", "docker.io");
        await _cli.SucceedAsync("policy", "deny", "prod", "docker.io/library");
        await _cli.SucceedAsync("policy", "allow", "prod", "docker.io/library/ubuntu");
        await _cli.SucceedAsync("policy", "deny", "prod", "quay.io");
        _cli.User = "reader";

        var text = await _cli.RunAsync("resolve", "prod", "ubuntu", "--explain");
        var json = await _cli.RunAsync("resolve", "prod", "ubuntu", "--explain", "--json");
        var allowed = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "myorg/app", "--explain", "--json")).RootElement;
        var uncovered = await _cli.RunAsync("resolve", "prod", "ghcr.io/org/tool", "--explain");

        Assert.Contains("policy denies 'docker.io/library'", text.AssertOneLineError(3, stdoutEmpty: false), StringComparison.Ordinal);
        Assert.StartsWith(
            "docker.io/library/ubuntu: denied by the environment's policy (deny docker.io/library), before any entry is consulted.\n"
            + "Policy: denied by 'deny docker.io/library' (the environment's policy denies 'docker.io/library'); 3 rules cover the image, most specific first:\n"
            + "EFFECT  SCOPE                     DIGEST-ONLY  VERDICT\n"
            + "allow   docker.io/library/ubuntu  no           weighed\n"
            + "deny    docker.io/library         no           decides\n"
            + "allow   docker.io                 no           weighed\n",
            text.Stdout,
            StringComparison.Ordinal);
        json.AssertOneLineError(3, stdoutEmpty: false);
        var root = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("denied", root.GetProperty("outcome").GetString());
        Assert.False(root.TryGetProperty("registryId", out _));
        var policy = root.GetProperty("policy");
        Assert.False(policy.GetProperty("allowed").GetBoolean());
        Assert.Equal("deny", policy.GetProperty("effect").GetString());
        Assert.Equal("docker.io/library", policy.GetProperty("scope").GetString());
        Assert.Equal(["docker.io/library/ubuntu", "docker.io/library", "docker.io"], policy.GetProperty("weighed").EnumerateArray().Select(r => r.GetProperty("scope").GetString()));
        Assert.Equal("authenticated", allowed.GetProperty("outcome").GetString());
        Assert.Equal("1r2", allowed.GetProperty("registryId").GetString());
        Assert.Equal("docker.io", allowed.GetProperty("policy").GetProperty("scope").GetString());
        Assert.True(allowed.GetProperty("policy").GetProperty("allowed").GetBoolean());
        Assert.Contains("Policy: denied, no allow rule of the environment's policy covers", uncovered.Stdout, StringComparison.Ordinal);
        uncovered.AssertOneLineError(3, stdoutEmpty: false);
    }

    public void Dispose() => _cli.Dispose();
}
