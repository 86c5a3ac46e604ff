using System.Globalization;
using System.Text;
using CliWrap;

namespace Registries.Testing;

/// <summary>A long-running program (dockerd, openssl s_server, a registry) started through CliWrap, its output collected until it ends.</summary>
/// <remarks>Registries.Testing's <see cref="Processes"/> runs a program to its end; a daemon a test starts, talks to and
/// stops needs the running command instead: CliWrap's <see cref="CommandTask{T}"/> gives its id and its end, and
/// cancelling its token kills it. Stopping sends SIGTERM first, so that dockerd cleans up its mounts.</remarks>
public sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly CommandTask<CommandResult> _task;

    /// <summary>Starts <paramref name="program"/>.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">Its arguments, one word each.</param>
    public BackgroundProcess(string program, IEnumerable<string> arguments)
    {
        var target = PipeTarget.ToDelegate(Append);
        _task = Cli.Wrap(program)
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(target)
            .WithStandardErrorPipe(target)
            .ExecuteAsync(_kill.Token);
    }

    /// <summary>Gets its process id.</summary>
    public int Id => _task.ProcessId;

    /// <summary>Gets a value indicating whether it has ended.</summary>
    public bool HasExited => _task.Task.IsCompleted;

    /// <summary>Gets what it wrote so far, standard output and error interleaved by line.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Waits for the program to end by itself and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="timeout"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return (await _task.Task.WaitAsync(timeout)).ExitCode;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The process {Id} still runs after {timeout.TotalSeconds} s.\n{Log}");
        }
    }

    /// <summary>Sends SIGTERM and waits up to 30 seconds; kills it when it does not end by then.</summary>
    public async Task StopAsync()
    {
        if (HasExited)
        {
            return;
        }

        await Processes.RunAsync("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10));
        try
        {
            await _task.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            await _kill.CancelAsync();
            try
            {
                await _task.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
                // CliWrap reports a killed command as cancelled.
            }
        }
    }

    /// <summary>Kills it if it still runs and waits (bounded) for its end.</summary>
    /// <returns>A task that completes when it is gone.</returns>
    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            await _kill.CancelAsync();
        }

        try
        {
            await _task.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (OperationCanceledException)
        {
            // CliWrap reports a killed command as cancelled.
        }

        _task.Dispose();
        _kill.Dispose();
    }

    private void Append(string line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
