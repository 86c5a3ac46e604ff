namespace Registries.Core.Interop;

/// <summary>The one-file credential formats that hold no mirror: Docker <c>config.json</c>, the Kubernetes Secret and
/// containers <c>auth.json</c>. Each obeys the policy where a file keyed by registry can (see
/// <see cref="DockerConfigExport.CredentialProblems(DockerConfigFormat)"/>).</summary>
internal sealed class CredentialFileRenderer(DockerConfigFormat format) : ExportRenderer
{
    private const string NoPolicy = " It cannot refuse an image: a credential the environment's policy denies wholly is left out, one it denies in part is written with a note.";

    public override DockerConfigFormat Format => format;

    public override string Limits => format switch
    {
        DockerConfigFormat.Docker =>
            "Docker config.json holds every exported credential with its e-mail; Docker Hub is keyed https://index.docker.io/v1/ as docker login writes it. It holds no TLS or insecure-registry setting (see trust and insecure), and no mirror (see --format docker-daemon)." + NoPolicy,
        DockerConfigFormat.Kubernetes =>
            "A kubernetes.io/dockerconfigjson Secret holds the Docker config.json, so the same; a pod uses it only when it names the Secret in imagePullSecrets, in the Secret's namespace." + NoPolicy,
        _ =>
            "containers auth.json has no e-mail field, so e-mails are left out; Docker Hub is keyed docker.io as podman login writes it. It holds no TLS setting (give skopeo --cert-dir, or use /etc/containers/certs.d), and no mirror." + NoPolicy,
    };

    public override IReadOnlyList<RegistryScope> Scopes(DockerConfigExport export)
        => export.Keyed(format).Select(k => k.Credential.Scope).ToArray();

    public override IEnumerable<ExportProblem> Inexpressible(DockerConfigExport export) => export.CredentialProblems(format);

    public override IEnumerable<string> Advisories(DockerConfigExport export)
        => format == DockerConfigFormat.ContainersAuth ? export.OneLabelAdvisories(format) : [];

    public override Task<IReadOnlyList<ExportedFile>> RenderAsync(DockerConfigExport export, ExportOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ExportedFile file = format switch
        {
            DockerConfigFormat.Docker => new("config.json", export.ToDockerConfigUtf8()),
            DockerConfigFormat.Kubernetes => new("secret.json", export.ToKubernetesSecretUtf8(options.SecretName, options.SecretNamespace)),
            _ => new("auth.json", export.ToContainersAuthUtf8()),
        };
        return Task.FromResult<IReadOnlyList<ExportedFile>>([file]);
    }
}
