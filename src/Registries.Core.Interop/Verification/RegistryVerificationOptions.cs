namespace Registries.Core.Interop;

/// <summary>Options of <see cref="RegistryCredentialVerifier"/>.</summary>
/// <remarks>Validated when a verifier is built, and at start under dependency injection
/// (<c>UseRegistryVerification</c>); an invalid value fails with an <c>OptionsValidationException</c> that says what to fix.</remarks>
public sealed class RegistryVerificationOptions
{
    /// <summary>The longest <see cref="Timeout"/> accepted: a verification is a few round trips, and a caller waits for it.</summary>
    public static TimeSpan MaxTimeout { get; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets or sets Docker's per-registry certificate folder; the default is <c>/etc/docker/certs.d</c>. Must not be empty.</summary>
    /// <remarks>As for Docker, the CA certificates (<c>*.crt</c>) of <c>{folder}/HOST:PORT/</c> (<c>{folder}/HOST</c>
    /// without a port) are trusted for that registry, in addition to the system's trust store. Docker Hub uses the
    /// system store only. A folder that does not exist adds no trust.</remarks>
    public string CertificatesDirectory { get; set; } = "/etc/docker/certs.d";

    /// <summary>Gets the registries treated as insecure, as dockerd's <c>insecure-registries</c>: HTTPS without certificate
    /// checks first, then plain HTTP. Empty by default: HTTPS with full certificate validation only.</summary>
    public ISet<RegistryAddress> InsecureRegistries { get; } = new HashSet<RegistryAddress>();

    /// <summary>Gets or sets how long each attempt of the handshake may take before the answer is Unreachable; the
    /// default is 30 seconds. Must be positive and at most <see cref="MaxTimeout"/>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
