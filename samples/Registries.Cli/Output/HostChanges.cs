using Registries.Core.HostConfiguration;

namespace Registries.Cli.Output;

// The files a host configuration command looked at, one line each.
internal static class HostChanges
{
    public static void Write(TextWriter output, IReadOnlyList<HostFileChange> changes, bool dryRun)
    {
        foreach (var change in changes)
        {
            var kind = change.Kind switch
            {
                FileChangeKind.Created => dryRun ? "would create" : "created",
                FileChangeKind.Updated => dryRun ? "would update" : "updated",
                _ => "unchanged",
            };
            output.WriteLine($"{kind} {TerminalText.Escape(change.Path)}: {TerminalText.Escape(change.Description)}");
        }
    }

    public static string Name(FileChangeKind kind) => kind switch
    {
        FileChangeKind.Created => "created",
        FileChangeKind.Updated => "updated",
        _ => "unchanged",
    };
}
