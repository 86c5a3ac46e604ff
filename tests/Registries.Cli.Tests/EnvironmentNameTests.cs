using System.Text;
using System.Text.Json;

namespace Registries.Cli.Tests;

// ENV is an environment's id or its name, in every command; names are compared ignoring case and surrounding blanks,
// among the environments the user can see only.
public sealed class EnvironmentNameTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task EveryCommand_TakesTheNameWhereItTakesTheId()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var config = Path.Combine(_cli.Folder, "config.json");
        await File.WriteAllTextAsync(config, "{\"auths\":{\"import.example.com\":{\"auth\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("importer:canary-import")) + "\"}}}");

        var show = await _cli.SucceedAsync("env", "show", "prod", "--json");
        var member = await _cli.SucceedAsync("env", "member", "add", "PROD", "carol", "--json");
        var list = await _cli.SucceedAsync("registry", "list", " Prod ", "--json");
        var registry = await _cli.SucceedAsync("registry", "show", "prod", "1r3", "--json");
        var added = await _cli.SucceedWithInputAsync("canary-by-name", "registry", "add", "prod", "--address", "byname.example.com", "--email", "e@example.com", "--username", "n", "--password-stdin", "--json");
        var edited = await _cli.SucceedWithInputAsync("canary-edited", "registry", "edit", "prod", "1r3", "--email", "e@example.com", "--username", "deployer2", "--password-stdin", "--json");
        var deactivated = await _cli.SucceedAsync("registry", "deactivate", "prod", "1r3", "--json");
        var activated = await _cli.SucceedAsync("registry", "activate", "prod", "1r3", "--json");
        var resolved = await _cli.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app", "--json");
        var imported = await _cli.SucceedAsync("registry", "import", "prod", "--docker-config", config, "--default-email", "e@example.com", "--json");
        var exported = await _cli.SucceedAsync("docker-config", "prod");
        await _cli.SucceedAsync("registry", "deactivate", "prod", JsonDocument.Parse(added).RootElement.GetProperty("id").GetString()!);
        var deleted = await _cli.SucceedAsync("registry", "delete", "prod", JsonDocument.Parse(added).RootElement.GetProperty("id").GetString()!, "--json");

        // pull needs an engine; an endpoint where none listens shows the name was found (an outside failure, not "not found").
        var pull = await _cli.RunAsync("pull", "prod", "registry.example.com:5000/team/app", "--docker-host", "unix://" + Path.Combine(_cli.Folder, "no-docker.sock"));

        Assert.Equal("1a1", JsonDocument.Parse(show).RootElement.GetProperty("id").GetString());
        Assert.Contains("carol", member, StringComparison.Ordinal);
        Assert.Equal(3, JsonDocument.Parse(list).RootElement.GetArrayLength());
        Assert.Equal("deployer", JsonDocument.Parse(registry).RootElement.GetProperty("username").GetString());
        Assert.Equal("1a1", JsonDocument.Parse(added).RootElement.GetProperty("environmentId").GetString());
        Assert.Equal("deployer2", JsonDocument.Parse(edited).RootElement.GetProperty("username").GetString());
        Assert.Equal("inactive", JsonDocument.Parse(deactivated).RootElement.GetProperty("state").GetString());
        Assert.Equal("active", JsonDocument.Parse(activated).RootElement.GetProperty("state").GetString());
        Assert.Equal("authenticated", JsonDocument.Parse(resolved).RootElement.GetProperty("outcome").GetString());
        Assert.Equal(1, JsonDocument.Parse(imported).RootElement.GetProperty("imported").GetInt32());
        Assert.True(JsonDocument.Parse(exported).RootElement.GetProperty("auths").TryGetProperty("import.example.com", out _));
        Assert.Equal("removed", JsonDocument.Parse(deleted).RootElement.GetProperty("state").GetString());
        Assert.Contains("could not be reached", pull.AssertOneLineError(4), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_NameTheCreatorCanSee_RefusedWithExitCode2AndNothingStored()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var sameCase = await _cli.RunAsync("env", "create", "prod");
        var otherCase = await _cli.RunAsync("env", "create", " PROD ", "--as", "bob");
        var anId = await _cli.RunAsync("env", "create", "1a5");

        var message = sameCase.AssertOneLineError(2);
        Assert.Contains("choose another name", message, StringComparison.Ordinal);
        Assert.Contains("1a1", message, StringComparison.Ordinal);
        Assert.Contains("1a1", otherCase.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Contains("choose another name", anId.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task Name_OfAnotherUsersEnvironmentOnly_IsNotFoundLikeAnUnknownName()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var hidden = await _cli.RunAsync("registry", "list", "prod", "--as", "mallory");
        var unknown = await _cli.RunAsync("registry", "list", "nope", "--as", "mallory");

        Assert.Equal(
            unknown.AssertOneLineError(2).Replace("'nope'", "'prod'", StringComparison.Ordinal),
            hidden.AssertOneLineError(2));
        Assert.DoesNotContain("1a1", hidden.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Name_SharedWithAnOutsidersOwnEnvironment_EachSeesTheirOwn()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var theirs = JsonDocument.Parse(await _cli.SucceedAsync("env", "create", "prod", "--as", "mallory", "--json")).RootElement.GetProperty("id").GetString();

        var mallory = await _cli.SucceedAsync("env", "show", "prod", "--as", "mallory", "--json");
        var alice = await _cli.SucceedAsync("env", "show", "prod", "--json");

        Assert.NotEqual("1a1", theirs);
        Assert.Equal(theirs, JsonDocument.Parse(mallory).RootElement.GetProperty("id").GetString());
        Assert.Equal("1a1", JsonDocument.Parse(alice).RootElement.GetProperty("id").GetString());
        Assert.DoesNotContain("1a1", mallory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Name_OfSeveralVisibleEnvironments_ExitCode2ListingTheirIds_TheIdStillWorks()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var other = JsonDocument.Parse(await _cli.SucceedAsync("env", "create", "Prod", "--as", "mallory", "--json")).RootElement.GetProperty("id").GetString()!;
        await _cli.SucceedAsync("env", "member", "add", other, "alice", "--as", "mallory");
        var hidden = JsonDocument.Parse(await _cli.SucceedAsync("env", "create", "prod", "--as", "eve", "--json")).RootElement.GetProperty("id").GetString()!;
        var before = _cli.StoreBytes();

        var ambiguous = await _cli.RunWithInputAsync("canary-ambiguous", "registry", "add", "prod", "--dockerhub", "--email", "e@example.com", "--username", "u", "--password-stdin");
        var byId = await _cli.SucceedAsync("registry", "list", "1a1", "--json");

        var message = ambiguous.AssertOneLineError(2);
        Assert.Contains("1a1", message, StringComparison.Ordinal);
        Assert.Contains(other, message, StringComparison.Ordinal);
        Assert.DoesNotContain(hidden, message, StringComparison.Ordinal);
        Assert.Contains("id", message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", message, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
        Assert.Equal(3, JsonDocument.Parse(byId).RootElement.GetArrayLength());
    }

    public void Dispose() => _cli.Dispose();
}
