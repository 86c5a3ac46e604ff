using System.Globalization;

namespace Registries.Core.FileStore.Tests;

/// <summary>Runs tests/Registries.Core.FileStore.Worker, a child process that writes to a store file and prints one line per acknowledged write.</summary>
internal static class Worker
{
    /// <summary>Runs the worker to its end through <see cref="Processes"/>, optionally under <paramref name="umask"/> and as <paramref name="userId"/>.</summary>
    /// <param name="arguments">The worker's arguments (mode first).</param>
    /// <param name="umask">The umask to run under (through <c>sh -c 'umask ...; exec ...'</c>), or <see langword="null"/>.</param>
    /// <param name="userId">The user to run as (through <c>setpriv</c>), or <see langword="null"/> for the test's own.</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>Its exit code and output.</returns>
    public static Task<ProcessResult> RunAsync(IReadOnlyList<string> arguments, string? umask = null, int? userId = null, TimeSpan? timeout = null)
    {
        var command = CommandLine(umask, userId, arguments);
        return Processes.RunAsync(command[0], command.Skip(1), timeout: timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Runs the worker to its end and checks that it succeeded without a word on stderr.</summary>
    /// <param name="arguments">The worker's arguments.</param>
    /// <returns>The lines it printed.</returns>
    public static async Task<IReadOnlyList<string>> RunSuccessfullyAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"The worker failed with {result.ExitCode}: {result.Error}{result.Output}");
        Assert.Equal(string.Empty, result.Error);
        return Lines(result.Output);
    }

    /// <summary>Splits a worker's output into its lines.</summary>
    /// <param name="output">The output.</param>
    /// <returns>The lines, without the empty end.</returns>
    public static IReadOnlyList<string> Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Starts the worker and returns at once, for the tests that kill it while it writes.</summary>
    /// <param name="arguments">The worker's arguments.</param>
    /// <returns>The running worker.</returns>
    public static RunningWorker Start(params string[] arguments) => new(CommandLine(umask: null, userId: null, arguments));

    private static List<string> CommandLine(string? umask, int? userId, IReadOnlyList<string> arguments)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Registries.Core.FileStore.Worker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");
        if (userId is not null)
        {
            // Another user may not reach the build folder (a clone under a 0700 folder, as mktemp -d makes them): that
            // user runs a copy of the worker from a folder everybody may read.
            worker = Path.Combine(SharedCopy.Value, Path.GetFileName(worker));
        }

        var command = new List<string>();
        if (userId is { } uid)
        {
            var id = uid.ToString(CultureInfo.InvariantCulture);
            command.AddRange(["setpriv", "--reuid", id, "--regid", id, "--clear-groups"]);
        }

        if (umask is not null)
        {
            // The umask and identity are the child's own: the test host's never change.
            command.AddRange(["sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\""]);
        }

        command.Add(DotnetHost());
        command.Add(worker);
        command.AddRange(arguments);
        return command;
    }

    private static readonly Lazy<string> SharedCopy = new(() => OperatingSystem.IsWindows() ? AppContext.BaseDirectory : CopyForOtherUsers());

    // Running as another user (setpriv) happens on Linux only.
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string CopyForOtherUsers()
    {
        var folder = Path.Combine(Path.GetTempPath(), "registries-worker-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
        {
            var copy = Path.Combine(folder, Path.GetFileName(file));
            File.Copy(file, copy);
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return folder;
    }

    private static string DotnetHost()
    {
        // Tests run inside 'dotnet testhost.dll': the same host runs the worker.
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}
