namespace Registries.Core.HostConfiguration;

/// <summary>Which configuration file an insecure registry is added to.</summary>
/// <remarks>
/// dockerd refuses to start when <c>insecure-registries</c> is set both in <c>daemon.json</c> and as a
/// <c>--insecure-registry</c> flag, so the library writes only one of them unless told otherwise.
/// Removal always removes the registry from both files.
/// </remarks>
public enum InsecureRegistryTarget
{
    /// <summary>The defaults file when the host is configured the old way (it has an uncommented <c>DOCKER_OPTS</c> line), <c>daemon.json</c> otherwise.</summary>
    Auto,

    /// <summary>Only <c>daemon.json</c> (created when missing).</summary>
    DaemonJson,

    /// <summary>Only the <c>DOCKER_OPTS</c> line of the defaults file (the file and the line are created when missing).</summary>
    DockerDefaults,

    /// <summary>Both files; only for hosts whose init system does not pass <c>DOCKER_OPTS</c> to a dockerd that reads <c>daemon.json</c>.</summary>
    Both,
}
