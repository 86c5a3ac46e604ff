namespace Registries.Core.Interop;

/// <summary>One format of an export: how it renders the exported data (credentials, policy, mirrors), and what of it
/// the format cannot express.</summary>
/// <remarks>
/// <para>Every format renders the same <see cref="DockerConfigExport"/>; a new format is a subclass and one line in
/// <see cref="ExportRenderers.For(DockerConfigFormat)"/>. What a format cannot express is an
/// <see cref="ExportProblem"/>: listed in the notes, refused by the strict form. An advisory is a note strict mode
/// lets pass (the entry is written as it is, but a tool may read it another way).</para>
/// <para>Stateless and thread-safe: one instance per format.</para>
/// </remarks>
internal abstract class ExportRenderer
{
    /// <summary>Gets the format.</summary>
    public abstract DockerConfigFormat Format { get; }

    /// <summary>Gets a value indicating whether the format is a tree of files under a folder rather than one file.</summary>
    public virtual bool IsTree => false;

    /// <summary>Gets what the format cannot express, whatever the environment holds (<see cref="DockerConfigExport.DescribeLimits(DockerConfigFormat)"/>).</summary>
    public abstract string Limits { get; }

    /// <summary>Returns the scopes whose credentials the format writes, in the order of their keys.</summary>
    public abstract IReadOnlyList<RegistryScope> Scopes(DockerConfigExport export);

    /// <summary>Returns what the format cannot express of this export: listed, and refused by the strict form.</summary>
    public abstract IEnumerable<ExportProblem> Inexpressible(DockerConfigExport export);

    /// <summary>Returns notes the strict form lets pass.</summary>
    public virtual IEnumerable<string> Advisories(DockerConfigExport export) => [];

    /// <summary>Renders the files: one for a one-file format (named as the tools name it), the tree's files otherwise.</summary>
    /// <exception cref="ArgumentException">An option the format reads is not valid.</exception>
    public abstract Task<IReadOnlyList<ExportedFile>> RenderAsync(DockerConfigExport export, ExportOptions options, CancellationToken cancellationToken);
}

/// <summary>Something of an export a format cannot express: the scope it touches (an entry's, a rule's, or a mirror's
/// upstream) and the note that says what a tool reading the file will do instead.</summary>
internal readonly record struct ExportProblem(RegistryScope Scope, string Note);

/// <summary>The renderer of each format.</summary>
internal static class ExportRenderers
{
    private static readonly ExportRenderer Docker = new CredentialFileRenderer(DockerConfigFormat.Docker);
    private static readonly ExportRenderer Kubernetes = new CredentialFileRenderer(DockerConfigFormat.Kubernetes);
    private static readonly ExportRenderer ContainersAuth = new CredentialFileRenderer(DockerConfigFormat.ContainersAuth);
    private static readonly ExportRenderer K3s = new K3sRegistriesRenderer();
    private static readonly ExportRenderer DockerDaemon = new DockerDaemonRenderer();

    /// <summary>Returns the renderer of a format.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format is not defined.</exception>
    public static ExportRenderer For(DockerConfigFormat format) => format switch
    {
        DockerConfigFormat.Docker => Docker,
        DockerConfigFormat.Kubernetes => Kubernetes,
        DockerConfigFormat.ContainersAuth => ContainersAuth,
        DockerConfigFormat.K3s => K3s,
        DockerConfigFormat.DockerDaemon => DockerDaemon,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined DockerConfigFormat."),
    };
}
