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

    /// <summary>The host's files already configure insecure registries in both places dockerd reads (the <c>insecure-registries</c> key of
    /// <c>daemon.json</c> and an <c>--insecure-registry</c> flag in <c>DOCKER_OPTS</c>), or the requested target would make them do so;
    /// dockerd refuses to start with both. Nothing was written.</summary>
    ConflictingConfiguration,

    /// <summary>The <c>DOCKER_OPTS</c> line uses shell syntax the library does not edit (backslash escapes it cannot keep, a continuation,
    /// <c>$'...'</c>, another variable, a command substitution, a second command...). Nothing was written.</summary>
    UnsupportedDockerDefaults,

    /// <summary>The registry address cannot be configured as insecure in a form dockerd accepts (an IPv6 address without a port).</summary>
    UnsupportedRegistryAddress,

    /// <summary>A path that must be a regular file is a folder, a FIFO, a device or a socket, or holds more than the size limit. Nothing was read or written.</summary>
    UnsupportedFile,
}
