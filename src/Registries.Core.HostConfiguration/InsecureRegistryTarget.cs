namespace Registries.Core.HostConfiguration;

/// <summary>Which configuration file an insecure registry is added to.</summary>
/// <remarks>
/// dockerd refuses to start when <c>insecure-registries</c> is set both in <c>daemon.json</c> and as a
/// <c>--insecure-registry</c> flag, so the library writes only one of them, and refuses a target that would give
/// dockerd both (<see cref="DockerHostConfigurationError.ConflictingConfiguration"/>). Removal always removes the registry from both files.
/// </remarks>
public enum InsecureRegistryTarget
{
    /// <summary>The one place that already configures insecure registries (<c>daemon.json</c> with the key, or a <c>DOCKER_OPTS</c> with the flag); else the defaults file when the host is configured the old way (it has an uncommented <c>DOCKER_OPTS</c> line); else <c>daemon.json</c>.</summary>
    Auto,

    /// <summary>Only <c>daemon.json</c> (created when missing); refused when <c>DOCKER_OPTS</c> already has an <c>--insecure-registry</c> flag.</summary>
    DaemonJson,

    /// <summary>Only the <c>DOCKER_OPTS</c> line of the defaults file (the file and the line are created when missing); refused when <c>daemon.json</c> already has the <c>insecure-registries</c> key.</summary>
    DockerDefaults,
}
