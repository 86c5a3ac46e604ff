using System.Reflection;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>The real <c>registries</c> program, run as a child process (<see cref="Processes"/>) over a store in a
/// temporary folder (<see cref="TestDirectory"/>).</summary>
internal sealed class RegistriesCli : IDisposable
{
    /// <summary>How long one run may take before it is killed and the test fails.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(90);

    private static readonly string CliPath = typeof(RegistriesCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RegistriesCliPath").Value!;

    private readonly TestDirectory _directory = new("registries-cli-tests-");

    public RegistriesCli()
    {
        StorePath = _directory.Combine("store.json");
    }

    public string Folder => _directory.Path;

    public string StorePath { get; }

    /// <summary>Returns a path inside the test's folder (nothing is created).</summary>
    public string Combine(params string[] parts) => _directory.Combine(parts);

    /// <summary>Gets or sets the user the program runs as (REGISTRIES_USER).</summary>
    public string User { get; set; } = "alice";

    /// <summary>Gets the program and the arguments that start the CLI, for a test that runs it through CliWrap itself.</summary>
    public static (string Program, string[] Arguments) Command(IEnumerable<string> args)
        => (DotnetHost(), [CliPath, .. args]);

    /// <summary>Gets variables every run gets besides the store and the user (a helper's PATH, an allow-list); a null value unsets one.</summary>
    public Dictionary<string, string?> Variables { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the environment every run gets: this store and user, no DOCKER_HOST of the machine's, and <see cref="Variables"/>.</summary>
    public IReadOnlyDictionary<string, string?> Environment
    {
        get
        {
            var environment = new Dictionary<string, string?>(Variables, StringComparer.Ordinal)
            {
                ["REGISTRIES_STORE"] = StorePath,
                ["REGISTRIES_USER"] = User,
                ["DOCKER_HOST"] = null,
            };
            foreach (var name in new[] { "REGISTRIES_CREDENTIAL_HELPERS", "REGISTRIES_KUBELET_PLUGIN_CONFIG", "REGISTRIES_KUBELET_PLUGIN_DIR" })
            {
                // The machine's own allow-lists never reach a test that did not set them.
                environment.TryAdd(name, null);
            }

            return environment;
        }
    }

    /// <summary>Gets <see cref="Variables"/> by the name the native helpers' tests use (PGPASSWORD for a postgresql:// store).</summary>
    public Dictionary<string, string?> MoreEnvironment => Variables;

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(stdin: null, args);

    /// <summary>Runs the program with <paramref name="stdin"/> (UTF-8) on stdin, then end of file; none closes it at once.</summary>
    public Task<CliResult> RunWithInputAsync(string? stdin, params string[] args)
        => RunWithinAsync(DefaultLimit, stdin, args);

    /// <summary>Runs the program and fails (<see cref="TimeoutException"/>) when it takes longer than <paramref name="limit"/>.</summary>
    public async Task<CliResult> RunWithinAsync(TimeSpan limit, string? stdin, params string[] args)
    {
        var (program, arguments) = Command(args);
        var result = await Processes.RunAsync(program, arguments, Environment, stdin, limit);
        return new CliResult(args, result.ExitCode, result.Output, result.Error);
    }

    /// <summary>Runs the program through <c>sh -c</c> with a shell redirection of its own (<c>&lt;&amp;-</c>, <c>&lt; /dev/zero</c>), ending it after <paramref name="timeout"/>.</summary>
    public async Task<CliResult> RunInShellAsync(string redirection, TimeSpan timeout, params string[] args)
    {
        var (program, arguments) = Command(args);
        var line = "exec " + string.Join(' ', arguments.Prepend(program).Select(Quote)) + " " + redirection;
        var result = await Processes.RunAsync("sh", ["-c", line], Environment, timeout: timeout);
        return new CliResult(args, result.ExitCode, result.Output, result.Error);
    }

    /// <summary>Runs the program on a pseudo-terminal (util-linux <c>script</c>), as a user at a terminal would.</summary>
    public async Task<CliResult> RunInTerminalAsync(params string[] args)
    {
        var (program, arguments) = Command(args);
        var line = string.Join(' ', arguments.Prepend(program).Select(Quote));
        var result = await Processes.RunAsync("script", ["--quiet", "--return", "--command", line, "/dev/null"], Environment, timeout: DefaultLimit);
        return new CliResult(args, result.ExitCode, result.Output, result.Error);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs a command that must succeed and returns its stdout.</summary>
    public async Task<string> SucceedWithInputAsync(string? stdin, params string[] args)
    {
        var result = await RunWithInputAsync(stdin, args);
        Assert.True(result.ExitCode == 0, $"registries {string.Join(' ', args)} exited with {result.ExitCode}: {result.Stderr}");
        Assert.Equal(string.Empty, result.Stderr);
        return result.Stdout;
    }

    public Task<string> SucceedAsync(params string[] args) => SucceedWithInputAsync(null, args);

    /// <summary>Starts from a copy of another store (its file and key), so a test skips the commands that made it.</summary>
    public void CopyStoreFrom(RegistriesCli seed)
    {
        foreach (var suffix in new[] { string.Empty, ".key" })
        {
            if (File.Exists(seed.StorePath + suffix))
            {
                File.Copy(seed.StorePath + suffix, StorePath + suffix, overwrite: true);
            }
        }
    }

    /// <summary>Reads the store's bytes (and its key file's), to show that a refused command changed nothing.</summary>
    public byte[] StoreBytes()
        => File.Exists(StorePath) ? File.ReadAllBytes(StorePath).Concat(File.Exists(StorePath + ".key") ? File.ReadAllBytes(StorePath + ".key") : []).ToArray() : [];

    /// <summary>Makes a named pipe in the test's folder (or at <paramref name="path"/>), for the tests that show a FIFO is never opened.</summary>
    public static async Task MakeFifoAsync(string path)
        => await Processes.RunCheckedAsync("mkfifo", ["-m", "600", path], timeout: TimeSpan.FromSeconds(30));

    public void Dispose() => _directory.Dispose();

    private static string DotnetHost()
        => System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

/// <summary>What one run of the program printed and returned.</summary>
internal sealed record CliResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Asserts the run failed with <paramref name="exitCode"/> and said why in one line on stderr, without a stack trace.</summary>
    public string AssertOneLineError(int exitCode, bool stdoutEmpty = true)
    {
        var command = "registries " + string.Join(' ', Args);
        Assert.True(ExitCode == exitCode, $"{command}: expected exit code {exitCode}, got {ExitCode}. stderr: {Stderr} stdout: {Stdout}");
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{command}: expected one line on stderr, got {lines.Length}: {Stderr}");
        Assert.StartsWith("registries: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
        if (stdoutEmpty)
        {
            Assert.Equal(string.Empty, Stdout);
        }

        return lines[0];
    }
}
