namespace Registries.Core.HostConfiguration;

/// <summary>What installing a registry's certificates did (or, in a dry run, would do).</summary>
public sealed class CertificateInstallResult
{
    internal CertificateInstallResult(RegistryCertificateChain chain, string caCertificatePath, IReadOnlyList<HostFileChange> changes, string? bundlePath, bool dryRun)
    {
        Chain = chain;
        CaCertificatePath = caCertificatePath;
        Changes = changes;
        BundlePath = bundlePath;
        DryRun = dryRun;
    }

    /// <summary>Gets the chain the registry presented, which was installed.</summary>
    public RegistryCertificateChain Chain { get; }

    /// <summary>Gets the SHA-256 fingerprint of the server's own certificate (what <c>openssl x509 -fingerprint -sha256</c> prints for it).</summary>
    public CertificateFingerprint Fingerprint => Chain.ServerCertificate.Fingerprint;

    /// <summary>Gets the path of the installed <c>ca.crt</c>: <c>CertificatesDirectory/HOST:PORT/ca.crt</c>.</summary>
    public string CaCertificatePath { get; }

    /// <summary>Gets the bundle that was looked at, or <see langword="null"/> when none was asked for.</summary>
    public string? BundlePath { get; }

    /// <summary>Gets each file looked at and what was done to it.</summary>
    public IReadOnlyList<HostFileChange> Changes { get; }

    /// <summary>Gets a value indicating whether this was a dry run: nothing was written, <see cref="Changes"/> is the plan.</summary>
    public bool DryRun { get; }

    /// <summary>Gets a value indicating whether <c>ca.crt</c> was created or changed.</summary>
    public bool CaCertificateChanged => Changes.Any(c => c.Path == CaCertificatePath && c.Kind != FileChangeKind.Unchanged);

    /// <summary>Gets a value indicating whether the bundle was created or had certificates appended.</summary>
    public bool BundleChanged => BundlePath is not null && Changes.Any(c => c.Path == BundlePath && c.Kind != FileChangeKind.Unchanged);

    /// <summary>Gets a value indicating whether the Docker daemon must be restarted to see the change.</summary>
    /// <remarks>dockerd reads <c>certs.d</c> at every connection to a registry, so a new <c>ca.crt</c> needs no restart; it reads the
    /// system CA bundle once, so a changed bundle does.</remarks>
    public bool RestartRequired => BundleChanged;
}
