using System.Collections.Concurrent;
using System.Text;
using CliWrap;

namespace Registries.Testing;

/// <summary>A child process (a test worker) that runs while the test reads its lines as they come, until the test kills it.</summary>
/// <remarks>CliWrap directly, not <see cref="Processes"/>, which returns only once the process ended: these tests read
/// each line as it comes and kill the child in the middle of a write. CliWrap's forceful cancellation is
/// <see cref="System.Diagnostics.Process.Kill(bool)"/>, SIGKILL on Linux: the child gets no chance to finish a
/// statement, roll back or close its connections, which is what the crash tests need.</remarks>
public sealed class RunningWorker : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly StringBuilder _errors = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly Task<CommandResult> _run;

    /// <summary>Starts <paramref name="command"/>.</summary>
    /// <param name="command">The program, then its arguments.</param>
    /// <param name="environment">Variables to set (a <see langword="null"/> value removes one), or <see langword="null"/>.</param>
    public RunningWorker(IReadOnlyList<string> command, IReadOnlyDictionary<string, string?>? environment = null)
    {
        _run = Cli.Wrap(command[0])
            .WithArguments(command.Skip(1))
            .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
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

    /// <summary>Kills the child if it still runs.</summary>
    /// <returns>A task that completes when it is gone.</returns>
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
