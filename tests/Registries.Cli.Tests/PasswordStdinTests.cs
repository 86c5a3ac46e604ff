using System.Text;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;

namespace Registries.Cli.Tests;

// --password-stdin reads bytes, at most 16 KiB, decodes them as strict UTF-8, and never waits on a closed stdin.
public sealed class PasswordStdinTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    private readonly RegistriesCli _cli = new();

    private static string[] Add => ["registry", "add", "prod", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "deployer", "--password-stdin"];

    [Fact]
    public async Task PasswordStdin_StdinClosed_SaysSoWithoutWaiting()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await _cli.RunInShellAsync("<&-", Limit, Add);

        Assert.Contains("stdin closed", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task PasswordStdin_DevZero_RefusedAsTooLongWithoutExhaustingMemory()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await _cli.RunInShellAsync("< /dev/zero", Limit, Add);

        Assert.Contains("longer than 16384 bytes", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task PasswordStdin_Folder_ReportedAsUnreadable()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunInShellAsync("< /", Limit, Add);

        Assert.Contains("could not read stdin", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { (byte)'p', (byte)'w', 0xC3, (byte)'\n' })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public async Task PasswordStdin_NotUtf8_RefusedAndNothingStored(byte[] password)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await RunWithBytesAsync(password, Add);

        Assert.Contains("not valid UTF-8", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task PasswordStdin_NonAsciiUtf8_RoundTripsIntoTheExport()
    {
        const string password = "pässwörd-€-😀-日本";
        await _cli.SucceedAsync("env", "create", "prod");
        Assert.Equal(0, (await _cli.RunWithInputAsync(password + "\n", Add)).ExitCode);

        var config = await _cli.SucceedAsync("docker-config", "prod");

        var auth = JsonDocument.Parse(config).RootElement.GetProperty("auths").GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!;
        Assert.Equal("deployer:" + password, Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
    }

    [Fact]
    public async Task PasswordStdin_ExactlyTheLimit_IsAccepted()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunWithInputAsync(new string('x', 16 * 1024), Add);

        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    public void Dispose() => _cli.Dispose();

    // Processes.RunAsync writes a string as UTF-8, and no string is these bytes: CliWrap is used directly to give stdin
    // exactly the bytes of a password that is not UTF-8.
    private async Task<CliResult> RunWithBytesAsync(byte[] stdin, string[] args)
    {
        var (program, arguments) = RegistriesCli.Command(args);
        using var timeout = new CancellationTokenSource(Limit);
        var result = await CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithEnvironmentVariables(_cli.Environment)
            .WithStandardInputPipe(PipeSource.FromBytes(stdin))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(Encoding.UTF8, timeout.Token);
        return new CliResult(args, result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
