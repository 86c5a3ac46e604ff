namespace Registries.Core;

// How Docker's splitDockerDomain reads the first component.
internal enum DomainKind : byte
{
    // No '/': Docker Hub, and the name gets "library/".
    NoSlash,

    // The first component is the first path component on Docker Hub.
    DockerHubPath,

    // "index.docker.io/": Docker Hub, the rest is the path.
    LegacyDockerHub,

    // The first component is a registry ('.', ':', uppercase or "localhost").
    Explicit,
}
