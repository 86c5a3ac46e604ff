using System.Globalization;
using Registries.Core.Sources;

namespace Registries.Core.Interop;

// What a helper's or plugin's run that never answered means, said once for both sources: not started, stopped at the
// timeout, or stopped for writing too much.
internal static class SourceProgramRuns
{
    /// <summary>Throws the source's failure when <paramref name="run"/> did not exit on its own; returns otherwise.</summary>
    /// <param name="source">The entry's source.</param>
    /// <param name="program">How the program is named in messages ("the kubelet plugin 'x'").</param>
    /// <param name="run">The run.</param>
    /// <param name="timeout">The timeout it ran under.</param>
    /// <param name="kind">What such a program is ("a credential helper", "a plugin"), for the advice on large output.</param>
    public static void ThrowIfUnanswered(CredentialSource source, string program, ProgramRun run, TimeSpan timeout, string kind)
    {
        switch (run.Status)
        {
            case ProgramRunStatus.NotStarted:
                throw new CredentialSourceException(source, $"{program} could not be started: {run.StartError}");
            case ProgramRunStatus.TimedOut:
                throw new CredentialSourceException(source, $"{program} did not answer within {BoundedProcess.Seconds(timeout)} and was stopped.");
            case ProgramRunStatus.OutputTooLarge:
                throw new CredentialSourceException(source, $"{program} wrote more than {(BoundedProcess.MaxStandardOutputBytes / 1024).ToString(CultureInfo.InvariantCulture)} KiB on stdout and was stopped; {kind} answers with a small JSON document: check the {kind[(kind.IndexOf(' ', StringComparison.Ordinal) + 1)..]}.");
        }
    }
}
