using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>Scopes through the CLI (issue 16): --path and host patterns on add, the scope in listings, resolve --explain,
/// and env member remove.</summary>
public sealed class ScopeCommandsTests : IDisposable
{
    private const string Canary = "CANARY-scope-p4ss";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task AddPathAndPattern_ListShowsScopes_ResolveTakesTheMostSpecific()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await AddAsync("host", "--address", "registry.example.com:5000");
        var team = await AddAsync("robot", "--address", "registry.example.com:5000", "--path", "team");
        await AddAsync("corp", "--address", "*.corp.example");

        var list = await _cli.SucceedAsync("registry", "list", "prod");
        var json = JsonDocument.Parse(await _cli.SucceedAsync("registry", "list", "prod", "--json")).RootElement;
        var teamImage = await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app:1");
        var teamB = await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team-b/app");
        var pattern = await _cli.SucceedAsync("resolve", "prod", "eu.corp.example/x/app");

        Assert.Contains("registry.example.com:5000/team", list, StringComparison.Ordinal);
        Assert.Contains("*.corp.example", list, StringComparison.Ordinal);
        Assert.Equal(["registry.example.com:5000", "registry.example.com:5000/team", "*.corp.example"], json.EnumerateArray().Select(e => e.GetProperty("scope").GetString()));
        Assert.Equal("team", json[1].GetProperty("path").GetString());
        Assert.False(json[0].TryGetProperty("path", out _));
        Assert.True(json.EnumerateArray().All(e => e.GetProperty("effective").GetBoolean()));
        Assert.Contains($"authenticated as robot with registry {team} (registry.example.com:5000/team)", teamImage, StringComparison.Ordinal);
        Assert.Contains("authenticated as host", teamB, StringComparison.Ordinal);
        Assert.Contains("authenticated as corp", pattern, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, list + json + teamImage + teamB + pattern, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveExplain_ListsEveryCandidateWithItsVerdict_ReadOnlyMayAsk_DeniedExitsThree()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "prod", "rita", "--role", "readonly");
        var host = await AddAsync("host", "--address", "registry.example.com");
        var old = await AddAsync("old", "--address", "registry.example.com", "--path", "team");
        var team = await AddAsync("new", "--address", "registry.example.com", "--path", "team");
        var other = await AddAsync("b", "--address", "registry.example.com", "--path", "team-b");
        var pattern = await AddAsync("p", "--address", "*.corp.example");

        _cli.User = "rita";
        var text = await _cli.SucceedAsync("resolve", "prod", "registry.example.com/team/app", "--explain");
        var json = JsonDocument.Parse(await _cli.SucceedAsync("resolve", "prod", "registry.example.com/team/app", "--explain", "--json")).RootElement;
        _cli.User = "alice";
        await _cli.SucceedAsync("registry", "deactivate", "prod", team);
        var denied = await _cli.RunAsync("resolve", "prod", "registry.example.com/team/app", "--explain");

        Assert.Contains($"authenticated as new with registry {team}, decided by scope registry.example.com/team", text, StringComparison.Ordinal);
        Assert.Contains("less-specific", text, StringComparison.Ordinal);
        Assert.Contains("pattern-did-not-match", text, StringComparison.Ordinal);
        var verdicts = json.GetProperty("candidates").EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!, c => c.GetProperty("verdict").GetString());
        Assert.Equal(
            new Dictionary<string, string?> { [host] = "less-specific", [old] = "overridden", [team] = "effective", [other] = "path-did-not-match", [pattern] = "pattern-did-not-match" },
            verdicts);
        Assert.Equal("registry.example.com/team", json.GetProperty("scope").GetString());
        Assert.Contains("denied by registry " + team, denied.Stdout, StringComparison.Ordinal);
        Assert.Contains("inactive", denied.AssertOneLineError(3, stdoutEmpty: false), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, text + json + denied.Stdout + denied.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("is not valid", "--address", "registry.example.com", "--path", "Team")]
    [InlineData("starts or ends with '/'", "--address", "registry.example.com", "--path", "team/")]
    [InlineData("give 'registry.example.com:5000'", "--address", "https://registry.example.com:5000/v2/")]
    [InlineData("at least two labels", "--address", "*.com")]
    [InlineData("Docker Hub is one registry", "--address", "*.docker.io")]
    [InlineData("belongs to a host pattern", "--address", "reg*.corp.example")]
    [InlineData("--verify logs in to one registry", "--address", "*.corp.example", "--verify")]
    [InlineData("blanks or control characters", "--address", "registry.example.com", "--path", "team\nsub")]
    public async Task AddBadScope_OneLineErrorExitTwo_StoreUnchanged(string expected, params string[] scope)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await _cli.RunWithInputAsync(Canary, ["registry", "add", "prod", .. scope, "--email", "e@example.com", "--username", "u", "--password-stdin"]);

        var error = result.AssertOneLineError(2);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task DockerHubPath_CoversTheOrganisationOnly()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await AddAsync("org-robot", "--dockerhub", "--path", "myorg");

        Assert.Contains("authenticated as org-robot", await _cli.SucceedAsync("resolve", "prod", "myorg/app"), StringComparison.Ordinal);
        Assert.Contains("anonymous", await _cli.SucceedAsync("resolve", "prod", "ubuntu"), StringComparison.Ordinal);
        Assert.Contains("docker.io/myorg", await _cli.SucceedAsync("registry", "list", "prod"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberRemove_LosesAccess_LastOwnerAndNonMemberRefused()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "prod", "bob");

        var removed = await _cli.SucceedAsync("env", "member", "remove", "prod", "bob", "--json");
        var again = await _cli.RunAsync("env", "member", "remove", "prod", "bob");
        var last = await _cli.RunAsync("env", "member", "remove", "prod", "alice");
        _cli.User = "bob";
        var gone = await _cli.RunAsync("registry", "list", "prod");

        Assert.DoesNotContain("\"bob\"", removed, StringComparison.Ordinal);
        Assert.Contains("not a member", again.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Contains("last Owner", last.AssertOneLineError(3), StringComparison.Ordinal);
        gone.AssertOneLineError(2);
    }

    private async Task<string> AddAsync(string username, params string[] scope)
    {
        var output = await _cli.SucceedWithInputAsync(Canary, ["registry", "add", "prod", .. scope, "--email", "e@example.com", "--username", username, "--password-stdin", "--json"]);
        return JsonDocument.Parse(output).RootElement.GetProperty("id").GetString()!;
    }

    public void Dispose() => _cli.Dispose();
}
