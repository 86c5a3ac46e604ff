namespace Registries.Cli.Tests;

public sealed class HelpTests : IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Theory]
    [InlineData("Exit codes: 0 success")]
    [InlineData("Create an environment", "env", "create")]
    [InlineData("List the environments", "env", "list")]
    [InlineData("Show an environment", "env", "show")]
    [InlineData("Add a member", "env", "member", "add")]
    [InlineData("Give exactly one of --dockerhub, --quay or --address", "registry", "add")]
    [InlineData("--verify", "registry", "add")]
    [InlineData("oldest first", "registry", "list")]
    [InlineData("never its password", "registry", "show")]
    [InlineData("always required again", "registry", "edit")]
    [InlineData("prohibited", "registry", "deactivate")]
    [InlineData("without entering its password again", "registry", "activate")]
    [InlineData("Deactivate it first", "registry", "delete")]
    [InlineData("3 when it is denied", "resolve")]
    [InlineData("A deny rule that covers the image wins", "policy")]
    [InlineData("Every member may ask", "policy", "show")]
    [InlineData("--digest-only", "policy", "allow")]
    [InlineData("whatever allow rule also covers them", "policy", "deny")]
    [InlineData("Owners only", "policy", "remove")]
    [InlineData("mirror-only", "mirror")]
    [InlineData("--rewrite <REGEX REPLACEMENT>", "mirror", "add")]
    [InlineData("in the order they are tried", "mirror", "list")]
    [InlineData("the ones after it move up", "mirror", "remove")]
    [InlineData("--docker-host", "pull")]
    [InlineData("--kubernetes", "docker-config")]
    [InlineData("--expect-fingerprint", "trust")]
    [InlineData("--daemon-json", "insecure", "add")]
    [InlineData("--docker-opts-file", "insecure", "remove")]
    [InlineData("pg_restore --data-only --disable-triggers", "store", "announce-change")]
    public async Task Help_EveryCommand_PrintsUsageAndExitsZero(string expected, params string[] command)
    {
        var help = await _cli.SucceedAsync([.. command, "--help"]);

        Assert.Contains("Usage:", help, StringComparison.Ordinal);
        Assert.Contains(expected, help, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath));
    }

    public void Dispose() => _cli.Dispose();
}
