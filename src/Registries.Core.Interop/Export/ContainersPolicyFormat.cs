namespace Registries.Core.Interop;

/// <summary>The containers (podman, skopeo, buildah, CRI-O) files a <see cref="ContainersPolicyExport"/> renders.</summary>
public enum ContainersPolicyFormat
{
    /// <summary><c>registries.conf</c> version 2 (containers-registries.conf(5)): mirrors in order, mirror-only upstreams, <c>blocked</c> deny scopes, <c>mirror-by-digest-only</c>.</summary>
    RegistriesConf,

    /// <summary><c>policy.json</c> (containers-policy.json(5)): the default, and <c>transports.docker</c> scopes accepted or rejected.</summary>
    PolicyJson,
}
