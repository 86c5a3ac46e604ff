using System.Text;

namespace Registries.Core.Interop;

/// <summary>One file of a rendered export: where it goes, relative to the export's target, and its bytes.</summary>
/// <remarks>The content may hold passwords (the credential formats exist to carry them); <see cref="ToString"/> never
/// shows it. Immutable.</remarks>
public sealed class ExportedFile
{
    private readonly byte[] _content;

    internal ExportedFile(string path, byte[] content)
    {
        Path = path;
        _content = content;
    }

    /// <summary>Gets the file's path relative to the export's target, with <c>/</c> between folders: for a one-file
    /// format the file's usual name (<c>config.json</c>), for a tree format its place in the tree
    /// (<c>docker.io/hosts.toml</c>).</summary>
    public string Path { get; }

    /// <summary>Gets the content, UTF-8.</summary>
    public ReadOnlyMemory<byte> Content => _content;

    /// <summary>Gets the content as text.</summary>
    /// <returns>The UTF-8 content decoded.</returns>
    public string GetText() => Encoding.UTF8.GetString(_content);

    internal byte[] Bytes => _content;

    /// <summary>Describes the file without its content.</summary>
    /// <returns>For example <c>config.json (312 bytes)</c>.</returns>
    public override string ToString() => $"{Path} ({_content.Length} bytes)";
}
