using System.Runtime.Versioning;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>A hostile store or key path (a pipe, a device, a folder, another user's file) ends the CLI at once with
/// one line on stderr and exit code 4, and changes nothing stored.</summary>
/// <remarks>Linux, as root: the tests make named pipes and give files to another user (chown).</remarks>
[SupportedOSPlatform("linux")]
public sealed class CliStoreSafetyTests : IDisposable
{
    private const string Canary = "canary-Cli-Store-Pa55";
    private readonly RegistriesCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task EnvList_StoreIsNamedPipe_OneLineErrorWithoutHanging()
    {
        var fifo = Path.Combine(_cli.Folder, "pipe.json");
        await RegistriesCli.MakeFifoAsync(fifo);

        var result = await WithinSecondsAsync(null, "--store", fifo, "env", "list");

        var line = result.AssertOneLineError(4);
        Assert.Contains(fifo, line, StringComparison.Ordinal);
        Assert.Contains("named pipe", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvCreate_StoreIsDevice_OneLineErrorAndNoFileCreated()
    {
        var result = await WithinSecondsAsync(null, "--store", "/dev/zero", "env", "create", "prod");

        Assert.Contains("'/dev/zero' is a device", result.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.False(File.Exists("/dev/zero.lock"));
        Assert.False(File.Exists("/dev/zero.key"));
    }

    [Fact]
    public async Task EnvList_StoreIsDirectory_SaysIsADirectory()
    {
        var folder = Path.Combine(_cli.Folder, "folder");
        Directory.CreateDirectory(folder);

        var result = await WithinSecondsAsync(null, "--store", folder, "env", "list");

        var line = result.AssertOneLineError(4);
        Assert.Contains(folder + "' is a directory", line, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RegistryList_KeyFileIsNamedPipe_OneLineErrorAndStoreUnchanged()
    {
        await SeedAsync();
        File.Delete(_cli.StorePath + ".key");
        await RegistriesCli.MakeFifoAsync(_cli.StorePath + ".key");
        var before = await File.ReadAllBytesAsync(_cli.StorePath);

        var list = await WithinSecondsAsync(null, "registry", "list", "1a1");
        var add = await WithinSecondsAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "q@example.com", "--username", "q", "--password-stdin");

        Assert.Contains(_cli.StorePath + ".key' is a named pipe", list.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.Contains("named pipe", add.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_cli.StorePath));
    }

    [Fact]
    public async Task DockerConfig_KeyFileOfAnotherUser_RefusedWithoutPrintingThePassword()
    {
        await SeedAsync();
        await Processes.RunCheckedAsync("chown", ["65534:65534", _cli.StorePath + ".key"], timeout: TimeSpan.FromSeconds(30));
        var before = _cli.StoreBytes();

        var result = await WithinSecondsAsync(null, "docker-config", "1a1");

        var line = result.AssertOneLineError(4);
        Assert.Contains("another user (uid 65534)", line, StringComparison.Ordinal);
        Assert.Contains("chown", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task RegistryAdd_StoreWritableByOthers_RefusedAndUnchanged()
    {
        await SeedAsync();
        File.SetUnixFileMode(_cli.StorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        var before = _cli.StoreBytes();

        var result = await WithinSecondsAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "q@example.com", "--username", "q", "--password-stdin");

        Assert.Contains("chmod 600", result.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task RegistryAdd_StoreWasWorldReadable_RewrittenOwnerOnly()
    {
        await SeedAsync();
        File.SetUnixFileMode(_cli.StorePath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "q@example.com", "--username", "q", "--password-stdin");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_cli.StorePath));
    }

    // A store refusal comes at once; the limit is far below the runner's own, so a command that blocks fails the test
    // (Processes kills it and throws a TimeoutException).
    private Task<CliResult> WithinSecondsAsync(string? stdin, params string[] args)
        => _cli.RunWithinAsync(TimeSpan.FromSeconds(30), stdin, args);

    private async Task SeedAsync()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin");
    }
}
