using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Registries.Cli.Tests;

/// <summary>The real <c>registries</c> program, run as a child process over a store in a temporary folder.</summary>
internal sealed class RegistriesCli : IDisposable
{
    private static readonly string CliPath = typeof(RegistriesCli).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RegistriesCliPath").Value!;

    public RegistriesCli()
    {
        Folder = Path.Combine(Path.GetTempPath(), "registries-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        StorePath = Path.Combine(Folder, "store.json");
    }

    public string Folder { get; }

    public string StorePath { get; }

    /// <summary>Gets or sets the user the program runs as (REGISTRIES_USER).</summary>
    public string User { get; set; } = "alice";

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(stdin: null, args);

    public Task<CliResult> RunWithInputAsync(string? stdin, params string[] args)
        => RunWithBytesAsync(stdin is null ? null : new UTF8Encoding(false).GetBytes(stdin), args);

    /// <summary>Runs the program with exactly these bytes on stdin, then end of file.</summary>
    public Task<CliResult> RunWithBytesAsync(byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost());
        start.ArgumentList.Add(CliPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return RunAsync(start, stdin, args);
    }

    /// <summary>Runs the program through <c>sh -c</c> with a shell redirection of its own (<c>&lt;&amp;-</c>, <c>&lt; /dev/zero</c>), ending it after <paramref name="timeout"/>.</summary>
    public Task<CliResult> RunInShellAsync(string redirection, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec " + string.Join(' ', new[] { DotnetHost(), CliPath }.Concat(args).Select(Quote)) + " " + redirection);
        return RunAsync(start, stdin: null, args, timeout);
    }

    /// <summary>Runs the program on a pseudo-terminal (util-linux <c>script</c>), as a user at a terminal would.</summary>
    public Task<CliResult> RunInTerminalAsync(params string[] args)
    {
        var start = new ProcessStartInfo("script");
        start.ArgumentList.Add("--quiet");
        start.ArgumentList.Add("--return");
        start.ArgumentList.Add("--command");
        start.ArgumentList.Add(string.Join(' ', new[] { DotnetHost(), CliPath }.Concat(args).Select(Quote)));
        start.ArgumentList.Add("/dev/null");
        return RunAsync(start, stdin: null, args);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task<CliResult> RunAsync(ProcessStartInfo start, byte[]? stdin, string[] args, TimeSpan? timeLimit = null)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardInputEncoding = new UTF8Encoding(false);
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        start.Environment["REGISTRIES_STORE"] = StorePath;
        start.Environment["REGISTRIES_USER"] = User;
        start.Environment.Remove("DOCKER_HOST");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var limit = timeLimit ?? TimeSpan.FromSeconds(90);
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"registries {string.Join(' ', args)} did not end in {limit.TotalSeconds} s.");
        }

        return new CliResult(args, process.ExitCode, await stdout, await stderr);
    }

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

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder left behind is harmless.
        }
    }

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
