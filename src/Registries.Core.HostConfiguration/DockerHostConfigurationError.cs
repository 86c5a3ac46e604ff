namespace Registries.Core.HostConfiguration;

/// <summary>What went wrong while configuring a Docker host.</summary>
public enum DockerHostConfigurationError
{
    /// <summary>The daemon configuration file (<c>daemon.json</c>) is not valid JSON, or its root or <c>insecure-registries</c> has the wrong type.</summary>
    MalformedDaemonJson,

    /// <summary>The defaults file (<c>/etc/default/docker</c>) has a <c>DOCKER_OPTS</c> line whose quoting cannot be read.</summary>
    MalformedDockerDefaults,

    /// <summary>A file or folder could not be read or written (missing permission, read-only file system, ...).</summary>
    FileAccess,

    /// <summary>The registry host could not be reached (name not resolved, connection refused, time-out).</summary>
    HostUnreachable,

    /// <summary>The registry host accepted the connection but did not complete a TLS handshake.</summary>
    TlsHandshakeFailed,

    /// <summary>No certificate the server presented has the fingerprint the caller required.</summary>
    FingerprintMismatch,
}
