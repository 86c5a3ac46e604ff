using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>--key-file and $REGISTRIES_KEY_FILE: the key that protects the passwords can live apart from the store
/// (outside its backups), and a store is readable only with its own key.</summary>
public sealed class KeyFileTests : IDisposable
{
    private const string Canary = "Canary-KeyFile-7f3e!";

    private readonly RegistriesCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task KeyFile_Given_KeyIsWrittenThereAndNotBesideTheStore()
    {
        var key = _cli.Combine("keys", "registries.key");
        await _cli.SucceedAsync("env", "create", "prod", "--key-file", key);

        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--quay", "--email", "ops@example.com", "--username", "robot", "--password-stdin", "--key-file", key);
        var resolved = await _cli.SucceedAsync("resolve", "prod", "quay.io/team/app:1", "--key-file", key);

        Assert.True(File.Exists(key));
        Assert.False(File.Exists(_cli.StorePath + ".key"));
        Assert.Contains("authenticated as robot", resolved, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.DoesNotContain(Canary, System.Text.Encoding.UTF8.GetString(_cli.StoreBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyFile_FromTheEnvironmentVariable_IsUsedWhenTheOptionIsAbsent()
    {
        var key = _cli.Combine("env.key");
        await _cli.SucceedAsync("env", "create", "prod", "--key-file", key);
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--quay", "--email", "ops@example.com", "--username", "robot", "--password-stdin", "--key-file", key);

        var (program, arguments) = RegistriesCli.Command(["resolve", "prod", "quay.io/team/app:1"]);
        var environment = new Dictionary<string, string?>(_cli.Environment) { ["REGISTRIES_KEY_FILE"] = key };
        var result = await Processes.RunAsync(program, arguments, environment, timeout: RegistriesCli.DefaultLimit);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("authenticated as robot", result.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath + ".key"));
    }

    [Fact]
    public async Task KeyFile_AnotherKey_ResolveFailsWithOneLineAndNoSecret()
    {
        var key = _cli.Combine("right.key");
        await _cli.SucceedAsync("env", "create", "prod", "--key-file", key);
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--quay", "--email", "ops@example.com", "--username", "robot", "--password-stdin", "--key-file", key);
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync("resolve", "prod", "quay.io/team/app:1", "--key-file", _cli.Combine("wrong.key"));

        var line = result.AssertOneLineError(4);
        Assert.Contains("key", line, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }
}
