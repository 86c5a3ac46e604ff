namespace Registries.Core.Interop;

/// <summary>A strict export refused a format that cannot express every credential the environment would use (see <see cref="DockerConfigExport.EnsureExpressible(DockerConfigFormat)"/>).</summary>
/// <remarks>The message names each entry's scope and why; it holds no secret.</remarks>
public sealed class DockerConfigExportRefusedException : RegistryRuleException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="format">The format refused.</param>
    /// <param name="scopes">The scopes it cannot express.</param>
    /// <param name="details">Why, one sentence per scope.</param>
    public DockerConfigExportRefusedException(DockerConfigFormat format, IReadOnlyList<RegistryScope> scopes, string details)
        : base($"Refused to export as {format}: {details}")
    {
        Format = format;
        Scopes = scopes;
    }

    /// <summary>Gets the format refused.</summary>
    public DockerConfigFormat Format { get; }

    /// <summary>Gets the scopes the format cannot express.</summary>
    public IReadOnlyList<RegistryScope> Scopes { get; }
}
