using System.Collections.Concurrent;
using System.Text;
using CliWrap;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>Runs tests/Registries.Core.PostgreSql.Worker, a child process with its own store (its own connection pool)
/// over a test schema, that prints one line per acknowledged write.</summary>
internal static class Worker
{
    /// <summary>The variables that hand the worker the server and the protector's key (kept off the command line).</summary>
    /// <param name="connectionString">The test role's connection string.</param>
    /// <param name="key">The 32-byte key of the <see cref="TestSecretProtector"/> the test uses too.</param>
    /// <returns>The variables.</returns>
    public static Dictionary<string, string?> Environment(string connectionString, byte[] key) => new(StringComparer.Ordinal)
    {
        ["REGISTRIES_WORKER_CONNECTION"] = connectionString,
        ["REGISTRIES_WORKER_KEY"] = Convert.ToBase64String(key),
    };

    /// <summary>Runs the worker to its end through <see cref="Processes"/>.</summary>
    /// <param name="environment">The variables from <see cref="Environment"/>.</param>
    /// <param name="arguments">The worker's arguments (mode first).</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>Its exit code and output.</returns>
    public static Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var command = CommandLine(arguments);
        return Processes.RunAsync(command[0], command.Skip(1), environment, timeout: timeout);
    }

    /// <summary>Starts the worker and returns at once, for the tests that kill it while it writes.</summary>
    /// <param name="environment">The variables from <see cref="Environment"/>.</param>
    /// <param name="arguments">The worker's arguments.</param>
    /// <returns>The running worker.</returns>
    public static RunningWorker Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments) => new(CommandLine(arguments), environment);

    /// <summary>Splits a worker's output into its lines.</summary>
    /// <param name="output">The output.</param>
    /// <returns>The lines, without the empty end.</returns>
    public static IReadOnlyList<string> Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static List<string> CommandLine(IReadOnlyList<string> arguments)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Registries.Core.PostgreSql.Worker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");

        // Tests run inside 'dotnet testhost.dll': the same host runs the worker.
        var current = System.Environment.ProcessPath;
        var host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return [host, worker, .. arguments];
    }
}

/// <summary>A worker that runs while the test watches its lines, until the test kills it.</summary>
/// <remarks>CliWrap directly, not <see cref="Processes"/>, which returns only once the process ended: these tests read
/// each line as it comes and kill the child in the middle of a write. CliWrap's forceful cancellation is
/// <see cref="System.Diagnostics.Process.Kill(bool)"/>, SIGKILL on Linux: the child gets no chance to finish a
/// statement, roll back or close its connections, which is what the crash tests need.</remarks>
internal sealed class RunningWorker : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly StringBuilder _errors = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly Task<CommandResult> _run;

    public RunningWorker(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?> environment)
    {
        _run = Cli.Wrap(command[0])
            .WithArguments(command.Skip(1))
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line =>
            {
                _lines.Enqueue(line);
                _lineArrived.Release();
            }))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(_errors))
            .ExecuteAsync(_kill.Token)
            .Task;
    }

    /// <summary>Gets the lines printed so far, each one a write the child saw acknowledged.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    /// <summary>Gets whether the child has ended.</summary>
    public bool HasExited => _run.IsCompleted;

    /// <summary>Waits until the child has printed at least <paramref name="count"/> lines.</summary>
    /// <param name="count">The number of lines.</param>
    /// <param name="timeout">The bound of the wait.</param>
    /// <returns>A task that completes with the lines' arrival.</returns>
    /// <exception cref="InvalidOperationException">The child ended first.</exception>
    public async Task WaitForLinesAsync(int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (_lines.Count < count)
        {
            await ThrowIfExitedAsync();
            await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(50), cancellation.Token);
        }
    }

    /// <summary>Throws when the child has ended (it should still be running).</summary>
    /// <returns>A task that completes at once when it runs.</returns>
    /// <exception cref="InvalidOperationException">The child ended.</exception>
    public async Task ThrowIfExitedAsync()
    {
        if (_run.IsCompleted)
        {
            var result = await _run;
            throw new InvalidOperationException($"The worker exited with {result.ExitCode} after {_lines.Count} lines: {_errors}{string.Join('\n', _lines)}");
        }
    }

    /// <summary>Kills the child with SIGKILL and waits until it is gone and its output is drained.</summary>
    /// <returns>A task that completes once the child has exited.</returns>
    public async Task KillAsync()
    {
        await _kill.CancelAsync();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // The cancellation that killed it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_run.IsCompleted)
        {
            await KillAsync();
        }

        _kill.Dispose();
        _lineArrived.Dispose();
    }
}
