namespace Registries.Core.Interop;

/// <summary>Options of <see cref="RegistryCredentialVerifier"/>.</summary>
public sealed class RegistryVerificationOptions
{
    /// <summary>Gets or sets Docker's per-registry certificate folder; the default is <c>/etc/docker/certs.d</c>.</summary>
    /// <remarks>As for Docker, the CA certificates (<c>*.crt</c>) of <c>{folder}/HOST:PORT/</c> (<c>{folder}/HOST</c>
    /// without a port) are trusted for that registry, in addition to the system's trust store. Docker Hub uses the
    /// system store only.</remarks>
    public string CertificatesDirectory { get; set; } = "/etc/docker/certs.d";

    /// <summary>Gets the registries treated as insecure, as dockerd's <c>insecure-registries</c>: HTTPS without certificate
    /// checks first, then plain HTTP. Empty by default: HTTPS with full certificate validation only.</summary>
    public ISet<RegistryAddress> InsecureRegistries { get; } = new HashSet<RegistryAddress>();

    /// <summary>Gets or sets how long the whole handshake may take before the answer is Unreachable; the default is 30 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
