namespace Registries.Core.HostConfiguration;

/// <summary>Where the Docker host keeps its configuration; every path can be pointed elsewhere (tests, containers, non-root users).</summary>
/// <remarks>
/// <para>Configure it with <c>UseDockerHostConfiguration(o => ...)</c>, or give <c>Options.Create(new DockerHostOptions { ... })</c>
/// to a constructor. Paths must be absolute; the rules are checked at start (DI) and by the constructors, which throw
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> for invalid options.</para>
/// <para>The services copy the values when they are built: changing an instance afterwards changes nothing.</para>
/// </remarks>
public sealed class DockerHostOptions
{
    /// <summary>The standard location of the daemon configuration file.</summary>
    public const string DefaultDaemonJsonPath = "/etc/docker/daemon.json";

    /// <summary>The standard location of the defaults file read by the SysV and upstart scripts of old hosts.</summary>
    public const string DefaultDockerDefaultsPath = "/etc/default/docker";

    /// <summary>The standard location of Docker's per-registry certificate folders.</summary>
    public const string DefaultCertificatesDirectory = "/etc/docker/certs.d";

    /// <summary>The system CA bundle of Debian and Ubuntu, to give as <see cref="CaBundlePath"/> when it should be extended.</summary>
    public const string SystemCaBundlePath = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>Gets or sets the daemon configuration file (an absolute path); defaults to <see cref="DefaultDaemonJsonPath"/>.</summary>
    public string DaemonJsonPath { get; set; } = DefaultDaemonJsonPath;

    /// <summary>Gets or sets the defaults file with the <c>DOCKER_OPTS</c> line (an absolute path); defaults to <see cref="DefaultDockerDefaultsPath"/>.</summary>
    public string DockerDefaultsPath { get; set; } = DefaultDockerDefaultsPath;

    /// <summary>Gets or sets the root of Docker's per-registry certificate folders (an absolute path); defaults to <see cref="DefaultCertificatesDirectory"/>.</summary>
    public string CertificatesDirectory { get; set; } = DefaultCertificatesDirectory;

    /// <summary>Gets or sets the CA bundle that certificates are appended to when asked (an absolute path), or <see langword="null"/> (the default) for none.</summary>
    /// <remarks>Use <see cref="SystemCaBundlePath"/> for the system bundle. Appending to a bundle is refused while this is <see langword="null"/>.</remarks>
    public string? CaBundlePath { get; set; }

    /// <summary>Gets or sets which files an insecure registry is added to; defaults to <see cref="InsecureRegistryTarget.Auto"/>.</summary>
    public InsecureRegistryTarget InsecureRegistryTarget { get; set; } = InsecureRegistryTarget.Auto;

    /// <summary>Gets or sets how long connecting and the TLS handshake may take when a certificate is fetched; defaults to 15 seconds.</summary>
    /// <remarks>Positive and at most one hour.</remarks>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(15);

    // The services keep their own copy: options mutated after validation must not reach them unchecked.
    internal DockerHostOptions Copy() => (DockerHostOptions)MemberwiseClone();
}
