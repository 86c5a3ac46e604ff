namespace Registries.Core.Interop;

/// <summary>What some formats need beyond the exported data: the Kubernetes Secret's name, the certs.d folder whose CA
/// files a format points at. A format reads only the options it has a place for.</summary>
/// <remarks>Immutable once built (init-only properties); no secret.</remarks>
public sealed class ExportOptions
{
    /// <summary>Gets the default options: a Secret named <c>regcred</c>, no namespace, no certificates folder.</summary>
    public static ExportOptions Default { get; } = new();

    /// <summary>Gets the Kubernetes Secret's name (a DNS-1123 subdomain), for <see cref="DockerConfigFormat.Kubernetes"/>; <c>regcred</c> by default.</summary>
    public string SecretName { get; init; } = "regcred";

    /// <summary>Gets the Kubernetes Secret's namespace (a DNS-1123 label), or <see langword="null"/> to leave it to <c>kubectl</c>.</summary>
    public string? SecretNamespace { get; init; }

    /// <summary>Gets the absolute certs.d folder <c>registries trust</c> installs into (<c>DIR/HOST[:PORT]/ca.crt</c>), for
    /// the formats that point at CA files (<see cref="DockerConfigFormat.K3s"/>), or <see langword="null"/> to point at none.</summary>
    public string? CertificatesDirectory { get; init; }
}
