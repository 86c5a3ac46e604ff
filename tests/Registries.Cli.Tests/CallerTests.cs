using System.Text.Json;

namespace Registries.Cli.Tests;

// The CLI plugs the user of --as (else $REGISTRIES_USER) into the container once, as the caller of every service it
// resolves: the registry service, the exporter, the importer, the verifier. Each command acts for that user.
public sealed class CallerTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    // A socket path nobody listens on: a command that got as far as Docker would fail with "could not be reached".
    private string NoDocker => "unix://" + _cli.Combine("nobody.sock");

    [Fact]
    public async Task Pull_ReadOnlyMember_RefusedBeforeDockerIsContacted()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var refused = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), null, "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", NoDocker, "--as", "reader");
        var member = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), null, "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", NoDocker, "--as", "bob");

        var line = refused.AssertOneLineError(3);
        Assert.Contains("'reader' is ReadOnly", line, StringComparison.Ordinal);
        Assert.Contains("may not use the environment's credentials", line, StringComparison.Ordinal);
        Assert.DoesNotContain("reached", line, StringComparison.Ordinal);
        Assert.DoesNotContain("nobody.sock", line, StringComparison.Ordinal);

        // The same command by a member goes on to Docker, which is not there: the refusal above came first.
        Assert.Contains("could not be reached", member.AssertOneLineError(4), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pull_UserFromTheEnvironmentVariable_IsTheCaller()
    {
        _cli.CopyStoreFrom(seed.Cli);
        _cli.User = "reader";

        var result = await _cli.RunAsync("pull", "prod", "registry.example.com:5000/team/app", "--docker-host", NoDocker);

        Assert.Contains("'reader' is ReadOnly", result.AssertOneLineError(3), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3, "reader", "registry", "add", "prod", "--quay", "--email", "r@example.com", "--username", "r", "--password-stdin")]
    [InlineData(3, "reader", "registry", "add", "prod", "--quay", "--email", "r@example.com", "--username", "r", "--password-stdin", "--verify")]
    [InlineData(3, "reader", "registry", "edit", "prod", "1r3", "--email", "r@example.com", "--username", "r", "--password-stdin")]
    [InlineData(3, "reader", "registry", "deactivate", "prod", "1r3")]
    [InlineData(3, "reader", "docker-config", "prod")]
    [InlineData(3, "reader", "registry", "import", "prod", "--docker-config", "CONFIG", "--default-email", "r@example.com")]
    [InlineData(2, "mallory", "registry", "list", "prod")]
    [InlineData(2, "mallory", "docker-config", "1a1")]
    [InlineData(2, "mallory", "registry", "import", "1a1", "--docker-config", "CONFIG", "--default-email", "r@example.com")]
    [InlineData(2, "mallory", "resolve", "1a1", "registry.example.com:5000/team/app")]
    public async Task EveryCommand_ActsAsTheUserOfAs(int exitCode, string user, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var config = _cli.Combine("config.json");
        await File.WriteAllTextAsync(config, "{\"auths\":{\"quay.io\":{\"username\":\"q\",\"password\":\"canary-q\"}}}");
        var before = _cli.StoreBytes();

        // --verify by a ReadOnly member: refused before the verifier would ask quay.io anything (the test needs no network).
        var result = await _cli.RunWithInputAsync("canary-typed", [.. args.Select(a => a == "CONFIG" ? config : a), "--as", user]);

        var line = result.AssertOneLineError(exitCode);
        Assert.Contains(exitCode == 3 ? "'reader' is ReadOnly" : "not found", line, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", line, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task EveryCommand_ActsAsTheOwnerGivenWithAs()
    {
        _cli.CopyStoreFrom(seed.Cli);
        _cli.User = "reader";

        var added = await _cli.SucceedWithInputAsync("canary-owner", "registry", "add", "prod", "--quay", "--email", "o@example.com", "--username", "o", "--password-stdin", "--as", "alice", "--json");
        var exported = await _cli.SucceedAsync("docker-config", "prod", "--as", "alice");

        Assert.Equal("o", JsonDocument.Parse(added).RootElement.GetProperty("username").GetString());
        Assert.True(JsonDocument.Parse(exported).RootElement.GetProperty("auths").TryGetProperty("quay.io", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task BlankAs_BadInputThatSaysToGiveAUser(string user)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var list = await _cli.RunAsync("registry", "list", "prod", "--as", user);
        var export = await _cli.RunAsync("docker-config", "prod", "--as", user);

        foreach (var result in new[] { list, export })
        {
            var line = result.AssertOneLineError(2);
            Assert.Contains("--as USER", line, StringComparison.Ordinal);
            Assert.Contains("$REGISTRIES_USER", line, StringComparison.Ordinal);
            Assert.DoesNotContain("IRegistryCallerAccessor", line, StringComparison.Ordinal);
        }

        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
