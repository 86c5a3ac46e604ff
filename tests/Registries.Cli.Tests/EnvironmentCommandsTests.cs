using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

public sealed class EnvironmentCommandsTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Create_Json_PrintsTheEnvironmentWithTheCreatorAsOwner()
    {
        var created = await _cli.SucceedAsync("env", "create", "prod", "--json");

        Snapshot.Match(created);
    }

    [Fact]
    public async Task List_Json_ShowsOnlyTheEnvironmentsOfTheUser()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("--as", "bob", "env", "create", "staging", "--orchestration", "kubernetes");
        await _cli.SucceedAsync("env", "create", "dev", "--orchestration", "swarm");

        var list = await _cli.SucceedAsync("env", "list", "--json");

        Snapshot.Match(list);
    }

    [Fact]
    public async Task List_Text_PrintsATable()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var list = await _cli.SucceedAsync("env", "list");

        Assert.Equal("ID   NAME  ORCHESTRATION  ROLE\n1a1  prod  cattle         owner\n", list);
    }

    [Fact]
    public async Task List_NoStoreYet_PrintsAnEmptyArrayAndCreatesNoFile()
    {
        var list = await _cli.SucceedAsync("env", "list", "--json");

        Assert.Equal("[]\n", list);
        Assert.False(File.Exists(_cli.StorePath));
    }

    [Fact]
    public async Task MemberAdd_Json_AddsTheMemberWithTheRole()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "1a1", "bob");

        var environment = await _cli.SucceedAsync("env", "member", "add", "1a1", "carol", "--role", "readonly", "--json");

        Snapshot.Match(environment);
        Assert.Contains("1a1", await _cli.SucceedAsync("--as", "carol", "env", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Text_ListsTheMembers()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "1a1", "bob", "--role", "member");

        var shown = await _cli.SucceedAsync("env", "show", "1a1");

        Assert.Equal("Environment 1a1: prod (cattle)\nUSER   ROLE\nalice  owner\nbob    member\n", shown);
    }

    [Theory]
    [InlineData(2, "env", "create")]
    [InlineData(2, "env", "create", "prod", "--orchestration", "nomad")]
    [InlineData(2, "env", "create", "  ")]
    [InlineData(2, "env", "create", "prod", "--as", "")]
    [InlineData(2, "env")]
    [InlineData(2, "env", "list", "extra")]
    [InlineData(2, "env", "show", "1a9")]
    [InlineData(2, "env", "member", "add", "1a1")]
    [InlineData(2, "env", "member", "add", "1a9", "bob")]
    [InlineData(2, "env", "member", "add", "1a1", "bob", "--role", "admin")]
    [InlineData(2, "env", "member", "add", "1a1", "bob", "--as", "mallory")]
    [InlineData(3, "env", "member", "add", "1a1", "mallory", "--as", "bob")]
    [InlineData(3, "env", "member", "add", "1a1", "mallory", "--as", "reader")]
    [InlineData(3, "env", "member", "add", "1a1", "alice", "--role", "member")]
    [InlineData(2, "env", "bogus")]
    [InlineData(2, "--no-such-option", "env", "list")]
    public async Task BadInput_OneLineOnStderr_StoreUnchanged(int exitCode, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(args);

        result.AssertOneLineError(exitCode);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task List_DamagedStore_OutsideFailureAndFileKept()
    {
        await File.WriteAllTextAsync(_cli.StorePath, "{ not json");

        var result = await _cli.RunAsync("env", "list");

        Assert.Contains(_cli.StorePath, result.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(_cli.StorePath));
    }

    [Fact]
    public async Task Create_StoreIsAFolder_BadInput()
    {
        var result = await _cli.RunAsync("--store", _cli.Folder + "/", "env", "create", "prod");

        result.AssertOneLineError(2);
    }

    public void Dispose() => _cli.Dispose();
}
