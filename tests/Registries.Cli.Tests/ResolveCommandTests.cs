using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

public sealed class ResolveCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Resolve_Json_AuthenticatedAnonymousAndDenied()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var authenticated = await _cli.SucceedAsync("resolve", "1a1", "registry.example.com:5000/team/app:1.0", "--json");
        var anonymous = await _cli.SucceedAsync("resolve", "1a1", "ghcr.io/org/tool", "--json");
        var denied = await _cli.RunAsync("resolve", "1a1", "quay.io/org/app@sha256:" + new string('a', 64), "--json");

        Snapshot.Match(authenticated, "ResolveCommandTests.Authenticated");
        Snapshot.Match(anonymous, "ResolveCommandTests.Anonymous");
        Snapshot.Match(denied.Stdout, "ResolveCommandTests.Denied");
        Assert.Contains("inactive", denied.AssertOneLineError(3, stdoutEmpty: false), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", authenticated + anonymous + denied.Stdout + denied.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Text_SaysWhichCredential()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var text = await _cli.SucceedAsync("resolve", "1a1", "library/ubuntu:22.04");

        Assert.Equal("docker.io/library/ubuntu:22.04: authenticated as u with registry 1r2 (docker.io).\n", text);
    }

    [Theory]
    [InlineData(2, "resolve", "1a1", "Ubuntu")]
    [InlineData(2, "resolve", "1a1", "")]
    [InlineData(2, "resolve", "1a1")]
    [InlineData(2, "resolve", "1a9", "ubuntu")]
    [InlineData(2, "resolve", "1a1", "ubuntu", "--as", "mallory")]
    [InlineData(3, "resolve", "1a1", "ubuntu", "--as", "reader")]
    [InlineData(3, "resolve", "1a5", "ubuntu")]
    public async Task BadInput_OneLineOnStderr_StoreUnchanged(int exitCode, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(args);

        result.AssertOneLineError(exitCode);
        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
