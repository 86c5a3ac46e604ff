namespace Registries.Core.Interop;

/// <summary>One upstream's <c>hosts.toml</c> of a <see cref="ContainerdHostsExport"/>, as rendered.</summary>
/// <remarks>Holds no secret: containerd's host configuration has no place for one. Immutable.</remarks>
public sealed class ContainerdHostsFile
{
    internal ContainerdHostsFile(RegistryAddress upstream, string folder, string content)
    {
        Upstream = upstream;
        Folder = folder;
        Content = content;
    }

    /// <summary>Gets the upstream registry the file configures.</summary>
    public RegistryAddress Upstream { get; }

    /// <summary>Gets the folder the file goes in, inside the certs.d tree (<c>docker.io</c>, <c>registry.example.com:5000</c>).</summary>
    public string Folder { get; }

    /// <summary>Gets the path inside the tree, with '/' (<c>docker.io/hosts.toml</c>).</summary>
    public string RelativePath => Folder + "/" + ContainerdHostsExport.FileName;

    /// <summary>Gets the TOML text.</summary>
    public string Content { get; }

    /// <inheritdoc/>
    public override string ToString() => RelativePath;
}
