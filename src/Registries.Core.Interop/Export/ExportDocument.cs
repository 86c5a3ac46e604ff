namespace Registries.Core.Interop;

/// <summary>An export rendered in one format: its files, and what the format could not express.</summary>
/// <remarks>Made by <see cref="DockerConfigExport.RenderAsync(DockerConfigFormat, ExportOptions?, CancellationToken)"/>.
/// The files may hold passwords; <see cref="ToString"/> never shows them. Immutable.</remarks>
public sealed class ExportDocument
{
    internal ExportDocument(DockerConfigFormat format, bool isTree, IReadOnlyList<ExportedFile> files, IReadOnlyList<string> notes)
    {
        Format = format;
        IsTree = isTree;
        Files = files;
        Notes = notes;
    }

    /// <summary>Gets the format.</summary>
    public DockerConfigFormat Format { get; }

    /// <summary>Gets a value indicating whether the format is a tree of files under a folder (containerd's
    /// <c>certs.d</c>) rather than one file; a one-file format has exactly one entry in <see cref="Files"/>.</summary>
    public bool IsTree { get; }

    /// <summary>Gets the files, in a stable order.</summary>
    public IReadOnlyList<ExportedFile> Files { get; }

    /// <summary>Gets what the format could not express or may not be used as it is, one sentence each; no secret
    /// (the same as <see cref="DockerConfigExport.GetNotes(DockerConfigFormat)"/>).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Describes the document without its content.</summary>
    /// <returns>For example <c>Docker: config.json (312 bytes)</c>.</returns>
    public override string ToString() => $"{Format}: {string.Join(", ", Files)}";
}
