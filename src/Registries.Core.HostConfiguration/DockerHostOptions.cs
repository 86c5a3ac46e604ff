namespace Registries.Core.HostConfiguration;

/// <summary>Where the Docker host keeps its configuration; every path can be pointed elsewhere (tests, containers, non-root users).</summary>
/// <remarks>Instances are immutable and safe to share between threads.</remarks>
public sealed class DockerHostOptions
{
    /// <summary>The standard location of the daemon configuration file.</summary>
    public const string DefaultDaemonJsonPath = "/etc/docker/daemon.json";

    /// <summary>The standard location of the defaults file read by the SysV and upstart scripts of old hosts.</summary>
    public const string DefaultDockerDefaultsPath = "/etc/default/docker";

    /// <summary>The standard location of Docker's per-registry certificate folders.</summary>
    public const string DefaultCertsDirectory = "/etc/docker/certs.d";

    /// <summary>The system CA bundle of Debian and Ubuntu, to give as <see cref="CaBundlePath"/> when it should be extended.</summary>
    public const string SystemCaBundlePath = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>Gets the daemon configuration file; defaults to <see cref="DefaultDaemonJsonPath"/>.</summary>
    public string DaemonJsonPath { get; init; } = DefaultDaemonJsonPath;

    /// <summary>Gets the defaults file with the <c>DOCKER_OPTS</c> line; defaults to <see cref="DefaultDockerDefaultsPath"/>.</summary>
    public string DockerDefaultsPath { get; init; } = DefaultDockerDefaultsPath;

    /// <summary>Gets the root of Docker's per-registry certificate folders; defaults to <see cref="DefaultCertsDirectory"/>.</summary>
    public string CertsDirectory { get; init; } = DefaultCertsDirectory;

    /// <summary>Gets the CA bundle that certificates are appended to when asked, or <see langword="null"/> (the default) for none.</summary>
    /// <remarks>Use <see cref="SystemCaBundlePath"/> for the system bundle. Appending to a bundle is refused while this is <see langword="null"/>.</remarks>
    public string? CaBundlePath { get; init; }

    /// <summary>Gets which files an insecure registry is added to; defaults to <see cref="InsecureRegistryTarget.Auto"/>.</summary>
    public InsecureRegistryTarget InsecureRegistryTarget { get; init; } = InsecureRegistryTarget.Auto;

    /// <summary>Gets how long connecting and the TLS handshake may take when a certificate is fetched; defaults to 15 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);
}
