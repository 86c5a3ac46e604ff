using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace Registries.Testing;

/// <summary>What a finished process said: its exit code and everything it wrote.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs programs for tests through CliWrap: arguments without a shell, optional input, a bounded wait.</summary>
/// <remarks>The one process runner of the test projects. A non-zero exit code is returned, not thrown, so tests can
/// assert on it; a process that outlives its timeout is killed (with its children) and reported as a
/// <see cref="TimeoutException"/>.</remarks>
public static class Processes
{
    /// <summary>Runs <paramref name="program"/> to its end.</summary>
    /// <param name="program">The program (a path, or a name looked up in PATH).</param>
    /// <param name="arguments">The arguments, each passed as one word.</param>
    /// <param name="environment">Variables to set (a <see langword="null"/> value removes one).</param>
    /// <param name="input">Standard input, or <see langword="null"/> for none (closed at once).</param>
    /// <param name="timeout">How long it may run; 120 seconds when <see langword="null"/>.</param>
    /// <param name="workingDirectory">The folder it starts in, or <see langword="null"/> for the current one.</param>
    /// <returns>The exit code and the output.</returns>
    /// <exception cref="TimeoutException">It ran longer than <paramref name="timeout"/>.</exception>
    public static async Task<ProcessResult> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? input = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var words = arguments.ToArray();
        var command = Cli.Wrap(program)
            .WithArguments(words)
            .WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(input is null ? PipeSource.Null : PipeSource.FromString(input, new UTF8Encoding(false)));
        if (environment is not null)
        {
            command = command.WithEnvironmentVariables(environment);
        }

        if (workingDirectory is not null)
        {
            command = command.WithWorkingDirectory(workingDirectory);
        }

        var limit = timeout ?? TimeSpan.FromSeconds(120);
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            var result = await command.ExecuteBufferedAsync(Encoding.UTF8, cancellation.Token);
            return new ProcessResult(result.ExitCode, result.StandardOutput, result.StandardError);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{program} {string.Join(' ', words)} did not finish within {limit.TotalSeconds:0} s.");
        }
    }

    /// <summary>Runs <paramref name="program"/> and fails the test unless it exits with 0.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">The arguments.</param>
    /// <param name="input">Standard input, or <see langword="null"/>.</param>
    /// <param name="timeout">How long it may run; 120 seconds when <see langword="null"/>.</param>
    /// <returns>The result.</returns>
    /// <exception cref="InvalidOperationException">It exited with another code (the message holds its output).</exception>
    public static async Task<ProcessResult> RunCheckedAsync(string program, IEnumerable<string> arguments, string? input = null, TimeSpan? timeout = null)
    {
        var words = arguments.ToArray();
        var result = await RunAsync(program, words, input: input, timeout: timeout);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException($"{program} {string.Join(' ', words)} exited with {result.ExitCode}: {result.Error}{result.Output}");
    }
}
