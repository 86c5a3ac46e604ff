using System.Collections.Concurrent;
using System.Diagnostics;

namespace Registries.Core.Storage.Tests;

/// <summary>A child process running tests/Registries.Core.FileStore.Worker, with its acknowledged lines.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Task<string> _stderr;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly SemaphoreSlim _lineArrived = new(0);

    private WorkerProcess(Process process)
    {
        _process = process;
        _stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                _lines.Enqueue(line);
                _lineArrived.Release();
            }
        });
        _stderr = process.StandardError.ReadToEndAsync();
    }

    /// <summary>Gets the lines printed so far, each one a write the child saw acknowledged.</summary>
    public IReadOnlyList<string> Lines => _lines.ToArray();

    public static WorkerProcess Start(params string[] arguments) => StartAs(umask: null, userId: null, arguments);

    /// <summary>Starts the child under <paramref name="umask"/> (through <c>sh -c 'umask ...; exec ...'</c>) and, when
    /// <paramref name="userId"/> is given, as that user (through <c>setpriv</c>), so the test host's own umask and
    /// identity never change.</summary>
    public static WorkerProcess StartAs(string? umask, int? userId, params string[] arguments)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Registries.Core.FileStore.Worker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");
        var command = new List<string>();
        if (userId is { } uid)
        {
            command.AddRange(["setpriv", "--reuid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clear-groups"]);
        }

        if (umask is not null)
        {
            command.AddRange(["sh", "-c", "umask " + umask + " && exec \"$0\" \"$@\""]);
        }

        command.Add(DotnetHost());
        command.Add(worker);
        command.AddRange(arguments);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        return new WorkerProcess(Process.Start(start) ?? throw new InvalidOperationException("The worker did not start."));
    }

    /// <summary>Waits for the child to exit, whatever its exit code, and returns it with its output.</summary>
    public async Task<(int ExitCode, IReadOnlyList<string> Lines, string Errors)> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        await _stdout;
        return (_process.ExitCode, Lines, await _stderr);
    }

    /// <summary>Waits until the child has printed at least <paramref name="count"/> lines.</summary>
    public async Task WaitForLinesAsync(int count, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (_lines.Count < count)
        {
            if (_process.HasExited && _stdout.IsCompleted)
            {
                throw new InvalidOperationException($"The worker exited with {_process.ExitCode} after {_lines.Count} lines: {await _stderr}");
            }

            await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(50), cancellation.Token);
        }
    }

    /// <summary>Kills the child with SIGKILL (no chance to clean up) and waits until its output is drained.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
        await _stdout;
    }

    /// <summary>Waits for a normal exit and checks it succeeded.</summary>
    public async Task<IReadOnlyList<string>> WaitForSuccessAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
        await _stdout;
        var errors = await _stderr;
        Assert.True(_process.ExitCode == 0, $"The worker failed with {_process.ExitCode}: {errors}");
        Assert.Equal(string.Empty, errors);
        return Lines;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
        _lineArrived.Dispose();
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
