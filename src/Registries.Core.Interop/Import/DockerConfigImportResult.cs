namespace Registries.Core.Interop;

/// <summary>The outcome of importing a Docker config: one line per entry, none dropped silently.</summary>
public sealed class DockerConfigImportResult
{
    internal DockerConfigImportResult(IReadOnlyList<DockerConfigImportEntry> entries)
    {
        Entries = entries;
    }

    /// <summary>Gets the entries in the order they were processed (<c>auths</c> keys, then <c>credHelpers</c> keys not in <c>auths</c>).</summary>
    public IReadOnlyList<DockerConfigImportEntry> Entries { get; }

    /// <summary>Gets how many credentials were added.</summary>
    public int ImportedCount => Entries.Count(e => e.Status == DockerConfigImportStatus.Imported);

    /// <summary>Gets how many entries already matched the effective credential.</summary>
    public int UnchangedCount => Entries.Count(e => e.Status == DockerConfigImportStatus.Unchanged);

    /// <summary>Gets how many entries failed.</summary>
    public int FailedCount => Entries.Count(e => e.Status == DockerConfigImportStatus.Failed);

    /// <inheritdoc/>
    public override string ToString() => $"{ImportedCount} imported, {UnchangedCount} unchanged, {FailedCount} failed";
}
