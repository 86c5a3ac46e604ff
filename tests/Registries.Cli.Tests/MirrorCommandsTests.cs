using System.Text.Json;
using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

/// <summary><c>mirror add|list|remove</c> over the seeded store (alice owner, bob member, reader readonly of 1a1 "prod";
/// 1a5 "k8s" is a Kubernetes environment); each run is its own process over the file store.</summary>
public sealed class MirrorCommandsTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Canary = "CANARY-mirror-p4ss";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task List_NoMirrors_PulledFromTheirOwnRegistries()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var text = await _cli.SucceedAsync("mirror", "list", "prod");
        var json = await _cli.SucceedAsync("mirror", "list", "prod", "--json");

        Assert.Equal("Environment 1a1 (prod) has no mirrors: every image is pulled from its own registry.\n", text);
        Assert.Equal("{\n  \"environmentId\": \"1a1\",\n  \"upstreams\": []\n}\n", json);
    }

    [Fact]
    public async Task AddListRemove_InOrder_WithRewriteAndMirrorOnly_PersistedAcrossRuns()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var first = await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com:5000");
        var second = await _cli.SucceedAsync("mirror", "add", "prod", "index.docker.io", "harbor.example.com", "--rewrite", "^library/(.*)", "dockerhub/library/$1");
        var quay = await _cli.SucceedAsync("mirror", "add", "prod", "quay.io", "quay-cache.example.com", "--mirror-only", "--json");
        var replaced = await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com:5000", "--rewrite", "^(.*)$", "hub/${1}");
        var again = await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com:5000", "--rewrite", "^(.*)$", "hub/${1}");
        var text = await _cli.SucceedAsync("mirror", "list", "prod");
        var json = await _cli.SucceedAsync("mirror", "list", "prod", "--json");
        var removed = await _cli.SucceedAsync("mirror", "remove", "prod", "docker.io", "mirror.example.com:5000");
        var last = await _cli.SucceedAsync("mirror", "remove", "prod", "quay.io", "quay-cache.example.com");
        var after = JsonDocument.Parse(await _cli.SucceedAsync("mirror", "list", "prod", "--json")).RootElement;

        Assert.Equal("Added mirror mirror.example.com:5000 of docker.io in environment 1a1 (prod), tried 1 of 1.\n", first);
        Assert.Equal("Added mirror harbor.example.com of docker.io in environment 1a1 (prod), tried 2 of 2, rewriting ^library/(.*) -> dockerhub/library/$1.\n", second);
        Assert.True(JsonDocument.Parse(quay).RootElement.GetProperty("upstreams")[1].GetProperty("mirrors")[0].GetProperty("mirrorOnly").GetBoolean());
        Assert.Equal("Replaced mirror mirror.example.com:5000 of docker.io in environment 1a1 (prod), still tried 1 of 2, rewriting ^(.*)$ -> hub/${1}.\n", replaced);
        Assert.Equal("Unchanged: environment 1a1 (prod) already has mirror mirror.example.com:5000 of docker.io, rewriting ^(.*)$ -> hub/${1}.\n", again);
        Assert.Equal(
            "Environment 1a1 (prod): 3 mirrors of 2 registries.\n"
            + "UPSTREAM   ORDER  MIRROR                   MIRROR-ONLY  REWRITE\n"
            + "docker.io  1      mirror.example.com:5000  no           ^(.*)$ -> hub/${1}\n"
            + "docker.io  2      harbor.example.com       no           ^library/(.*) -> dockerhub/library/$1\n"
            + "quay.io    1      quay-cache.example.com   yes          -\n"
            + "docker.io: its mirrors in order, then docker.io itself.\n"
            + "quay.io: its mirrors only (mirror-only: never quay.io itself).\n",
            text);
        Snapshot.Match(json, "MirrorCommandsTests.List_Json");
        Assert.Equal("Removed mirror mirror.example.com:5000 of docker.io from environment 1a1 (prod); docker.io has 1 mirror left.\n", removed);
        Assert.Equal("Removed mirror quay-cache.example.com of quay.io from environment 1a1 (prod); quay.io is pulled from directly.\n", last);
        var upstream = Assert.Single(after.GetProperty("upstreams").EnumerateArray());
        Assert.Equal("docker.io", upstream.GetProperty("upstream").GetString());
        Assert.True(upstream.GetProperty("fallsBackToUpstream").GetBoolean());
        Assert.Equal("harbor.example.com", Assert.Single(upstream.GetProperty("mirrors").EnumerateArray()).GetProperty("address").GetString());
    }

    [Theory]
    [InlineData("bob")]
    [InlineData("reader")]
    public async Task MembersAndReadOnly_ListTheMirrors_ChangesRefusedExitThree_StoreUnchanged(string user)
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com");
        var before = _cli.StoreBytes();
        _cli.User = user;

        var listed = await _cli.SucceedAsync("mirror", "list", "prod");
        var add = await _cli.RunAsync("mirror", "add", "prod", "quay.io", "quay-cache.example.com");
        var remove = await _cli.RunAsync("mirror", "remove", "prod", "docker.io", "mirror.example.com");

        Assert.Contains("mirror.example.com", listed, StringComparison.Ordinal);
        Assert.Contains("may not change the mirrors; ask an owner", add.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Contains("may not change the mirrors; ask an owner", remove.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task NonMemberAndKubernetes_NotFoundAndRefused()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var k8s = await _cli.RunAsync("mirror", "list", "k8s");
        _cli.User = "mallory";
        var outsider = await _cli.RunAsync("mirror", "list", "1a1");

        Assert.Contains("kubernetes", k8s.AssertOneLineError(3), StringComparison.OrdinalIgnoreCase);
        outsider.AssertOneLineError(2);
    }

    [Theory]
    [InlineData("uses a construct k3s and containerd's RE2 cannot run", "docker.io", "mirror.example.com", "--rewrite", "(a)\\1", "x")]
    [InlineData("registries: --rewrite: The rewrite expression '(unclosed' is not a valid regular expression", "docker.io", "mirror.example.com", "--rewrite", "(unclosed", "x")]
    [InlineData("write '${1}x'", "docker.io", "mirror.example.com", "--rewrite", "^(.*)$", "$1x")]
    [InlineData("has no group '2'", "docker.io", "mirror.example.com", "--rewrite", "^(.*)$", "$2")]
    [InlineData("control characters", "docker.io", "mirror.example.com", "--rewrite", "^lib\nrary/(.*)", "$1")]
    [InlineData("cannot be a mirror of itself", "docker.io", "index.docker.io")]
    [InlineData("give 'mirror.example.com:5000'", "docker.io", "https://mirror.example.com:5000/v2/")]
    [InlineData("", "docker.io", "https://robot:" + Canary + "@mirror.example.com")]
    [InlineData("", "docker.io", "robot:" + Canary + "@mirror.example.com")]
    [InlineData("", "https://robot:" + Canary + "@registry.example.com", "mirror.example.com")]
    [InlineData("", "docker.io", "mirror.example.com\n")]
    [InlineData("", "docker.io", "\u001b]0;title\u0007mirror.example.com")]
    [InlineData("", "docker.io", "*.corp.example")]
    [InlineData("", "docker.io", "mirror.example.com/path")]
    [InlineData("", "docker.io", "")]
    public async Task BadMirror_OneLineErrorExitTwo_NeverEchoesUserInfoOrControls_StoreUnchanged(string expected, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(["mirror", "add", "prod", .. args]);

        Assert.Contains(expected, result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.DoesNotContain('\u0007', result.Stderr);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Theory]
    [InlineData("--rewrite")]
    [InlineData("--rewrite", "^(.*)$")]
    public async Task RewriteWithoutTwoValues_UsageError(params string[] rewrite)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(["mirror", "add", "prod", "docker.io", "mirror.example.com", .. rewrite]);

        var error = result.AssertOneLineError(2);
        Assert.Contains("--rewrite takes two values", error, StringComparison.Ordinal);
        Assert.Contains("See 'registries mirror add --help'", error, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task RemoveAbsentMirror_BadInputListingTheMirrors_StoreUnchanged()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "prod", "docker.io", "mirror.example.com");
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync("mirror", "remove", "prod", "docker.io", "other.example.com");
        var none = await _cli.RunAsync("mirror", "remove", "prod", "quay.io", "mirror.example.com");

        Assert.Contains("its mirrors: mirror.example.com", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Contains("it has no mirrors", none.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
