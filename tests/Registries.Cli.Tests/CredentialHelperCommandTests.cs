using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

// credential-helper install, and the script it writes run as a client runs it: its verb as the one argument, the
// server URL on stdin, the answer or a one-line failure on stdout.
public sealed class CredentialHelperCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Helper = "docker-credential-registries";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Install_WritesAnExecutableScriptWithoutSecretThatServesGet()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");

        var printed = await _cli.SucceedAsync("credential-helper", "install", "prod", "--dir", bin);

        var script = Path.Combine(bin, Helper);
        Assert.Equal($"Wrote {script} for environment 1a1. Name it \"registries\" in credHelpers or credsStore.\n", printed);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(script));
        var text = await File.ReadAllTextAsync(script);
        Assert.StartsWith("#!/bin/sh\n", text, StringComparison.Ordinal);
        Assert.Contains($"'--store' '{_cli.StorePath}' '--key-file' '{_cli.StorePath}.key' '--as' 'alice' '--environment' '1a1'", text, StringComparison.Ordinal);
        AssertNoCanary(text);
        Assert.Equal([Helper], Directory.GetFileSystemEntries(bin).Select(Path.GetFileName));

        var answer = await RunHelperAsync(script, "get", "registry.example.com:5000\n");
        Assert.True(answer.ExitCode == 0, answer.Output + answer.Error);
        using var document = JsonDocument.Parse(answer.Output);
        Assert.Equal("registry.example.com:5000", document.RootElement.GetProperty("ServerURL").GetString());
        Assert.Equal("deployer", document.RootElement.GetProperty("Username").GetString());
        Assert.Equal(SeededStore.Canary, document.RootElement.GetProperty("Secret").GetString());
        Assert.Equal(string.Empty, answer.Error);
    }

    [Fact]
    public async Task Install_Json_PrintsThePathAndTheEnvironment()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");

        var printed = await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin, "--json");

        using var document = JsonDocument.Parse(printed);
        Assert.Equal(Path.Combine(bin, Helper), document.RootElement.GetProperty("path").GetString());
        Assert.Equal("1a1", document.RootElement.GetProperty("environmentId").GetString());
        Assert.Equal(Helper, document.RootElement.GetProperty("program").GetString());
    }

    [Theory]
    [InlineData("with space")]
    [InlineData("it's \"quoted\" $HOME `x`")]
    [InlineData("new\nline")]
    public async Task Install_PathsThatNeedQuoting_TheScriptStillServes(string name)
    {
        var folder = MakeFolder(name);
        var store = Path.Combine(folder, "store " + name + ".json");
        var env = new Dictionary<string, string?> { ["REGISTRIES_STORE"] = store, ["REGISTRIES_USER"] = name, ["DOCKER_HOST"] = null };
        var (program, arguments) = RegistriesCli.Command(["env", "create", "prod"]);
        Assert.Equal(0, (await Processes.RunAsync(program, arguments, env, timeout: Limit)).ExitCode);
        (program, arguments) = RegistriesCli.Command(["registry", "add", "prod", "--address", "10.0.0.5:5000", "--email", "e@example.com", "--username", "deploy", "--password-stdin"]);
        Assert.Equal(0, (await Processes.RunAsync(program, arguments, env, input: SeededStore.Canary, timeout: Limit)).ExitCode);
        (program, arguments) = RegistriesCli.Command(["credential-helper", "install", "prod", "--dir", folder]);
        var install = await Processes.RunAsync(program, arguments, env, timeout: Limit);
        Assert.True(install.ExitCode == 0, install.Error);

        var answer = await RunHelperAsync(Path.Combine(folder, Helper), "get", "https://10.0.0.5:5000/v1/");

        Assert.True(answer.ExitCode == 0, answer.Output + answer.Error);
        using var document = JsonDocument.Parse(answer.Output);
        Assert.Equal("deploy", document.RootElement.GetProperty("Username").GetString());
    }

    [Fact]
    public async Task Install_ReadOnlyMember_Exit3AndNothingWritten()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");

        var result = await _cli.RunAsync("credential-helper", "install", "1a1", "--dir", bin, "--as", "reader");

        Assert.Contains("reader", result.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(bin));
    }

    [Fact]
    public async Task Install_Member_MayInstallAndServesAsThatMember()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");

        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin, "--as", "bob");

        Assert.Contains("'--as' 'bob'", await File.ReadAllTextAsync(Path.Combine(bin, Helper)), StringComparison.Ordinal);
        Assert.Equal(0, (await RunHelperAsync(Path.Combine(bin, Helper), "get", "docker.io")).ExitCode);
    }

    [Theory]
    [InlineData(2, "1a1", "--as", "mallory")]
    [InlineData(2, "no-such-env")]
    [InlineData(3, "1a5")]
    public async Task Install_OutsiderUnknownOrUnsupportedEnvironment_FailsAndNothingWritten(int exitCode, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");

        var result = await _cli.RunAsync(["credential-helper", "install", .. args, "--dir", bin]);

        result.AssertOneLineError(exitCode);
        Assert.Empty(Directory.GetFileSystemEntries(bin));
    }

    [Fact]
    public async Task Install_MissingFolder_Exit2()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync("credential-helper", "install", "1a1", "--dir", _cli.Combine("missing"));

        Assert.Contains("not an existing folder", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_cli.Combine("missing")));
    }

    [Fact]
    public async Task Install_AgainOverItsOwnScript_ReplacesIt()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin);

        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin, "--as", "bob");

        Assert.Contains("'--as' 'bob'", await File.ReadAllTextAsync(Path.Combine(bin, Helper)), StringComparison.Ordinal);
        Assert.Equal([Helper], Directory.GetFileSystemEntries(bin).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Install_OverAFileItDidNotWrite_RefusesAndLeavesItAlone()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        var foreign = Path.Combine(bin, Helper);
        await File.WriteAllTextAsync(foreign, "#!/bin/sh\necho someone else's helper\n");

        var result = await _cli.RunAsync("credential-helper", "install", "1a1", "--dir", bin);

        Assert.Contains("not written by", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal("#!/bin/sh\necho someone else's helper\n", await File.ReadAllTextAsync(foreign));
    }

    [Fact]
    public async Task Install_OverASymbolicLink_RefusesAndLeavesTheLinkAndItsTarget()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        var target = _cli.Combine("target");
        await File.WriteAllTextAsync(target, "untouched");
        File.CreateSymbolicLink(Path.Combine(bin, Helper), target);

        var result = await _cli.RunAsync("credential-helper", "install", "1a1", "--dir", bin);

        Assert.Contains("symbolic link", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(target, new FileInfo(Path.Combine(bin, Helper)).LinkTarget);
        Assert.Equal("untouched", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task Install_OverAFifo_RefusesWithoutOpeningIt()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        await RegistriesCli.MakeFifoAsync(Path.Combine(bin, Helper));

        var result = await _cli.RunWithinAsync(TimeSpan.FromSeconds(60), null, "credential-helper", "install", "1a1", "--dir", bin);

        Assert.Contains("FIFO", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Install_Native_TheScriptExecsThatExecutableWithTheSameBinding()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        var native = _cli.Combine("native", Helper);
        Directory.CreateDirectory(Path.GetDirectoryName(native)!);
        File.Copy("/bin/true", native);

        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin, "--native", native);

        var text = await File.ReadAllTextAsync(Path.Combine(bin, Helper));
        Assert.Equal(
            $"#!/bin/sh\n# registries-credential-helper: written by 'registries credential-helper install'; it holds no secret.\nexec '{native}' '--store' '{_cli.StorePath}' '--key-file' '{_cli.StorePath}.key' '--as' 'alice' '--environment' '1a1' '--' \"$@\"\n",
            text);
    }

    [Theory]
    [InlineData("missing", "does not exist")]
    [InlineData("not-executable", "is not executable")]
    [InlineData("folder", "not the native helper's executable file")]
    [InlineData("the-target", "is where the script goes")]
    [InlineData("", "--native is empty")]
    public async Task Install_NativeThatCannotServe_Exit2AndNothingWritten(string kind, string expected)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var bin = MakeFolder("bin");
        var native = kind switch
        {
            "missing" => _cli.Combine("nowhere", Helper),
            "not-executable" => _cli.Combine("plain"),
            "folder" => MakeFolder("a-folder"),
            "the-target" => Path.Combine(bin, Helper),
            _ => string.Empty,
        };
        if (kind == "not-executable")
        {
            await File.WriteAllTextAsync(native, "not a program");
        }

        var result = await _cli.RunAsync("credential-helper", "install", "1a1", "--dir", bin, "--native", native);

        Assert.Contains(expected, result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(bin));
    }

    [Fact]
    public async Task Helper_EveryVerb_AsTheProtocolDefines()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var hub = await RunHelperAsync(script, "get", "https://index.docker.io/v1/");
        var anonymous = await RunHelperAsync(script, "get", "ghcr.io");
        var denied = await RunHelperAsync(script, "get", "quay.io");
        var list = await RunHelperAsync(script, "list", null);
        var store = await RunHelperAsync(script, "store", $"{{\"ServerURL\":\"ghcr.io\",\"Username\":\"x\",\"Secret\":\"{SeededStore.Canary}\"}}");
        var erase = await RunHelperAsync(script, "erase", "docker.io");
        var version = await RunHelperAsync(script, "version", null);
        var unknown = await RunHelperAsync(script, "delete", null);

        Assert.Equal(0, hub.ExitCode);
        Assert.Equal("u", JsonDocument.Parse(hub.Output).RootElement.GetProperty("Username").GetString());
        Assert.Equal((1, "credentials not found in native keychain\n", string.Empty), (anonymous.ExitCode, anonymous.Output, anonymous.Error));
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("denied", denied.Output, StringComparison.Ordinal);
        Assert.Contains("1r4", denied.Output, StringComparison.Ordinal);
        Assert.Contains("denied", denied.Error, StringComparison.Ordinal);
        Assert.Equal((0, "{\"https://index.docker.io/v1/\":\"u\",\"registry.example.com:5000\":\"deployer\"}\n"), (list.ExitCode, list.Output));
        Assert.Equal(1, store.ExitCode);
        Assert.Contains("registries registry", store.Output, StringComparison.Ordinal);
        Assert.Equal(1, erase.ExitCode);
        Assert.Contains("registries registry", erase.Output, StringComparison.Ordinal);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("docker-credential-registries (Registries.Core.Interop) ", version.Output, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        AssertNoCanary(string.Concat(anonymous.Output, denied.Output, list.Output, store.Output, erase.Output, unknown.Output));
        AssertNoCanary(string.Concat(hub.Error, anonymous.Error, denied.Error, list.Error, store.Error, erase.Error, version.Error, unknown.Error));
    }

    [Theory]
    [InlineData("< /dev/zero", "longer than")]
    [InlineData("< /dev/null", "no credentials server URL")]
    [InlineData("<&-", "no credentials server URL")]
    [InlineData("< /bin/sh", "longer than")]
    public async Task Helper_BadStdin_BoundedOneLineFailure(string redirection, string expected)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var result = await Processes.RunAsync("sh", ["-c", $"exec {Quote(script)} get {redirection}"], timeout: Limit);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helper_BinaryWithoutNewline_IsNoRegistryAddress()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var result = await RunHelperAsync(script, "get", "\u0001\u0002\u00ff\u0007" + SeededStore.Canary);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a registry address", result.Output, StringComparison.Ordinal);
        AssertNoCanary(result.Output + result.Error);
    }

    [Fact]
    public async Task Helper_StoreFileGone_ClearOneLineError()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();
        File.Move(_cli.StorePath, _cli.StorePath + ".moved");

        var result = await RunHelperAsync(script, "get", "docker.io");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"the store '{_cli.StorePath}' does not exist: install the helper again with the right --store (registries --store FILE credential-helper install ENV).\n", result.Output);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Helper_WrongKeyFile_ClearOneLineErrorWithoutTheSecret()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        // Another store's key in the key file's place: the passwords cannot be decrypted.
        using var other = new RegistriesCli();
        await other.SucceedAsync("env", "create", "x");
        await other.SucceedWithInputAsync("other", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin");
        File.Copy(other.StorePath + ".key", _cli.StorePath + ".key", overwrite: true);

        var result = await RunHelperAsync(script, "get", "docker.io");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("key", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        AssertNoCanary(result.Output + result.Error);
    }

    [Fact]
    public async Task Serve_UnknownEnvironment_ClearOneLineError()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunWithInputAsync("docker.io", "credential-helper", "serve", "--environment", "1a9", "--", "get");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("1a9", result.Stdout, StringComparison.Ordinal);
        Assert.StartsWith("docker-credential-registries: ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_NoVerbOrTwo_UsageOnStdout()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var none = await _cli.RunAsync("credential-helper", "serve", "--environment", "1a1");
        var two = await _cli.RunAsync("credential-helper", "serve", "--environment", "1a1", "--", "get", "list");

        Assert.Equal((1, "usage: docker-credential-registries <get|list|store|erase|version>\n"), (none.ExitCode, none.Stdout));
        Assert.Equal((1, none.Stdout), (two.ExitCode, two.Stdout));
    }

    [Fact]
    public async Task Help_ListsInstallButNotServe()
    {
        var help = await _cli.SucceedAsync("credential-helper", "--help");

        Assert.Contains("install", help, StringComparison.Ordinal);
        Assert.DoesNotContain("serve", help, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    internal static async Task<ProcessResult> RunHelperAsync(string script, string verb, string? input, IReadOnlyDictionary<string, string?>? environment = null)
        => await Processes.RunAsync(script, [verb], environment, input, Limit);

    internal static void AssertNoCanary(string text)
    {
        Assert.DoesNotContain(SeededStore.Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-Pa55", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(SeededStore.Canary)), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:" + SeededStore.Canary)), text, StringComparison.Ordinal);
    }

    private async Task<string> InstallAsync()
    {
        var bin = MakeFolder("bin");
        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin);
        return Path.Combine(bin, Helper);
    }

    private string MakeFolder(string name)
    {
        var path = _cli.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
