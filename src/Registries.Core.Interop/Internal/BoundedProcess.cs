using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Registries.Core.Interop;

/// <summary>Runs a program the library trusts to answer a credential question (a <c>docker-credential-*</c> helper, a
/// kubelet credential provider plugin): input on stdin, an answer on stdout, with a timeout, bounded output and the
/// kill of everything it started.</summary>
/// <remarks>
/// <para>On Linux the program starts in a session and process group of its own (util-linux <c>setsid</c>, which execs
/// it under the same process id). Its answer is taken once it has exited, and then the whole group is killed: a child it
/// left running (holding stdout open) neither turns a good answer into a timeout nor survives the call. The same group
/// is killed on timeout or when the program writes more than the bounded output.</para>
/// <para>The one runner of the package: the importer's helper client and the credential sources use it.</para>
/// </remarks>
internal static partial class BoundedProcess
{
    /// <summary>The most a program may write on stdout: an answer is a small JSON document (a few KiB for cloud tokens).</summary>
    internal const int MaxStandardOutputBytes = 1024 * 1024;

    /// <summary>The most of a program's stderr that is kept; the rest is read and dropped.</summary>
    internal const int MaxStandardErrorBytes = 64 * 1024;

    private const int SigKill = 9;

    // How long the pipes may stay open after the program exited and its group was killed: only a descendant that left
    // the group (its own setsid) can hold them, and what the program wrote before exiting has been read by then.
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromSeconds(2);
    private static readonly string? SetsidPath = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        : null;

    /// <summary>Runs a program to its end, or until the timeout, the output bound or cancellation stops it.</summary>
    /// <param name="executable">The program's absolute path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="input">What it reads on stdin (stdin is closed after it).</param>
    /// <param name="environment">Variables set for it (over the inherited ones, or alone when <paramref name="inheritEnvironment"/> is false).</param>
    /// <param name="inheritEnvironment">Whether it starts with this process's environment.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="timeProvider">The clock of the timeout.</param>
    /// <param name="cancellationToken">Cancels the run (the program is killed and the token's exception thrown).</param>
    /// <returns>What happened and what it wrote (bounded).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<ProgramRun> RunAsync(
        string executable,
        IEnumerable<string> arguments,
        string input,
        IEnumerable<KeyValuePair<string, string>> environment,
        bool inheritEnvironment,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var start = SetsidPath is { } setsid ? new ProcessStartInfo(setsid) : new ProcessStartInfo(executable);
        if (SetsidPath is not null)
        {
            start.ArgumentList.Add(executable);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        if (!inheritEnvironment)
        {
            start.Environment.Clear();
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ProgramRun(ProgramRunStatus.NotStarted, 0, string.Empty, string.Empty, ex.Message);
        }

        using var timer = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
        var output = new BoundedReader(process.StandardOutput.BaseStream, MaxStandardOutputBytes, failWhenFull: true);
        var error = new BoundedReader(process.StandardError.BaseStream, MaxStandardErrorBytes, failWhenFull: false);
        var outputTask = output.ReadAsync(drain.Token);
        var errorTask = error.ReadAsync(drain.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), linked.Token).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program exited without reading its input; its exit code and output tell why.
            }

            // Either the program exits, or it floods stdout past the bound; both end the wait.
            var exited = process.WaitForExitAsync(linked.Token);
            await Task.WhenAny(exited, output.Overflowed).ConfigureAwait(false);
            if (output.IsOverflowed)
            {
                KillGroup(process);
                await DrainAsync(drain, outputTask, errorTask).ConfigureAwait(false);
                return new ProgramRun(ProgramRunStatus.OutputTooLarge, 0, string.Empty, error.Text(), null);
            }

            await exited.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillGroup(process);
            await DrainAsync(drain, outputTask, errorTask).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new ProgramRun(ProgramRunStatus.TimedOut, 0, string.Empty, error.Text(), null);
        }

        // The program has answered and exited: whatever it left running goes with its group, which also closes the pipes.
        KillGroup(process);
        await DrainAsync(drain, outputTask, errorTask).ConfigureAwait(false);
        return output.IsOverflowed
            ? new ProgramRun(ProgramRunStatus.OutputTooLarge, 0, string.Empty, error.Text(), null)
            : new ProgramRun(ProgramRunStatus.Exited, process.ExitCode, output.Text(), error.Text(), null);
    }

    /// <summary>Returns the first non-empty line of a text, trimmed and cut at 200 characters, with control characters replaced.</summary>
    public static string? FirstLine(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null)
        {
            return null;
        }

        var cut = line.Length <= 200 ? line : line[..200] + "...";
        return string.Create(cut.Length, cut, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }

    /// <summary>Describes a timeout for a message: "10 s".</summary>
    public static string Seconds(TimeSpan timeout) => timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s";

    private static async Task DrainAsync(CancellationTokenSource drain, Task outputTask, Task errorTask)
    {
        drain.CancelAfter(DrainAfterExit);
        try
        {
            await Task.WhenAll(outputTask, errorTask).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A descendant that left the program's group still holds a pipe: what the program wrote is read already.
        }
        catch (IOException)
        {
            // The pipe broke: what was read stands.
        }
    }

    /// <summary>Kills the program's process group (everything it started that stayed in it), or its process tree without setsid.</summary>
    private static void KillGroup(Process process)
    {
        int id;
        try
        {
            id = process.Id;
        }
        catch (InvalidOperationException)
        {
            return;
        }

        if (SetsidPath is not null)
        {
            // setsid made the program the leader of a group whose id is its pid; the group outlives the leader while any
            // member is alive, so the id cannot have been reused by then. ESRCH (nothing left) is the usual answer.
            _ = NativeKill(-id, SigKill);
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // It exited meanwhile.
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int NativeKill(int pid, int signal);

    /// <summary>Reads a stream to its end, keeping at most a bound of it.</summary>
    private sealed class BoundedReader
    {
        private readonly Stream _stream;
        private readonly int _limit;
        private readonly bool _failWhenFull;
        private readonly MemoryStream _kept = new();
        private readonly TaskCompletionSource _overflowed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public BoundedReader(Stream stream, int limit, bool failWhenFull)
        {
            _stream = stream;
            _limit = limit;
            _failWhenFull = failWhenFull;
        }

        public Task Overflowed => _overflowed.Task;

        public bool IsOverflowed => _overflowed.Task.IsCompleted;

        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await _stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var room = _limit - (int)_kept.Length;
                if (read > room)
                {
                    _kept.Write(buffer, 0, Math.Max(room, 0));
                    if (_failWhenFull)
                    {
                        _overflowed.TrySetResult();
                        return;
                    }

                    continue;
                }

                _kept.Write(buffer, 0, read);
            }
        }

        /// <summary>Returns what was kept; call it once reading has ended.</summary>
        public string Text() => Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);
    }
}

/// <summary>How a run of <see cref="BoundedProcess"/> ended.</summary>
internal enum ProgramRunStatus
{
    /// <summary>The program exited; see the exit code.</summary>
    Exited,

    /// <summary>The program could not be started.</summary>
    NotStarted,

    /// <summary>The program did not exit in time and was killed.</summary>
    TimedOut,

    /// <summary>The program wrote more than the bound on stdout and was killed.</summary>
    OutputTooLarge,
}

/// <summary>What a program did: how it ended, its exit code and what it wrote (bounded). Never printed: its output may hold a secret.</summary>
internal sealed class ProgramRun(ProgramRunStatus status, int exitCode, string standardOutput, string standardError, string? startError)
{
    public ProgramRunStatus Status { get; } = status;

    public int ExitCode { get; } = exitCode;

    public string StandardOutput { get; } = standardOutput;

    public string StandardError { get; } = standardError;

    public string? StartError { get; } = startError;

    public override string ToString() => Status == ProgramRunStatus.Exited ? $"exited with code {ExitCode.ToString(CultureInfo.InvariantCulture)} (output hidden)" : Status.ToString();
}
