namespace Registries.Core.Interop;

/// <summary>The file formats a <see cref="DockerConfigExport"/> renders (<see cref="DockerConfigExport.RenderAsync(DockerConfigFormat, ExportOptions?, CancellationToken)"/>).</summary>
public enum DockerConfigFormat
{
    /// <summary>Docker's <c>config.json</c> (<c>auths</c> with <c>auth</c> and <c>email</c>), for the docker CLI and <c>docker --config</c>.</summary>
    Docker,

    /// <summary>A Kubernetes Secret of type <c>kubernetes.io/dockerconfigjson</c> holding the Docker <c>config.json</c>, for <c>imagePullSecrets</c>.</summary>
    Kubernetes,

    /// <summary>containers <c>auth.json</c> (<c>containers-auth.json(5)</c>), for podman, skopeo and buildah (<c>--authfile</c>).</summary>
    ContainersAuth,

    /// <summary>k3s and rke2 <c>registries.yaml</c> (<c>configs</c> with <c>auth</c> and <c>tls.ca_file</c>), for their embedded containerd.</summary>
    K3s,

    /// <summary>A Docker <c>daemon.json</c> fragment with <c>registry-mirrors</c> (Docker Hub's mirrors), for <c>dockerd</c>; no credential.</summary>
    DockerDaemon,
}
