using System.Text;

namespace Registries.Core.Interop;

/// <summary>The k3s/rke2 <c>registries.yaml</c>: <c>mirrors</c> keyed by upstream (<c>docker.io</c> for Docker Hub)
/// with <c>endpoint</c> (<c>https://MIRROR</c>, in order) and <c>rewrite</c>, and <c>configs</c> with each credential
/// (mirror hosts' included) and <c>tls.ca_file</c>.</summary>
/// <remarks>k3s and rke2 always try an upstream's own endpoint after its mirrors (their "default endpoint"), without
/// the rewrite; they have no per-registry mirror-only setting (only the node-wide
/// <c>--disable-default-registry-endpoint</c>), and one rewrite map per upstream, applied to every mirror endpoint:
/// mirror-only upstreams and mirrors of one upstream with different rewrites are notes.</remarks>
internal sealed class K3sRegistriesRenderer : ExportRenderer
{
    public override DockerConfigFormat Format => DockerConfigFormat.K3s;

    public override string Limits =>
        "k3s/rke2 registries.yaml gets mirrors (endpoint https://MIRROR in order, rewrite) and configs (auth, and tls.ca_file where trust installed a ca.crt): "
        + "a plain-HTTP registry or mirror needs its endpoint changed to http://; k3s always falls back to the upstream after its mirrors "
        + "(no per-registry mirror-only: only the node-wide --disable-default-registry-endpoint) and has one rewrite per upstream for all its mirrors; "
        + "e-mails are left out; Docker Hub is keyed docker.io (a release that matches configs by endpoint host only needs registry-1.docker.io). "
        + "It cannot refuse an image: a credential the environment's policy denies wholly is left out, one it denies in part is written with a note.";

    public override IReadOnlyList<RegistryScope> Scopes(DockerConfigExport export)
        => export.Keyed(DockerConfigFormat.K3s).Select(k => k.Credential.Scope).ToArray();

    public override IEnumerable<ExportProblem> Inexpressible(DockerConfigExport export)
    {
        foreach (var upstream in export.Mirrors.Upstreams())
        {
            var scope = RegistryScope.Of(upstream);
            var mirrors = export.Mirrors.For(upstream);
            var rewrite = mirrors[0].Rewrite;
            foreach (var mirror in mirrors.Where(m => !Equals(m.Rewrite, rewrite)))
            {
                yield return new(scope, $"{mirror.Address}: mirror of {upstream} not written: k3s applies one rewrite to every mirror of a registry, and this one's ({Describe(mirror.Rewrite)}) differs from {mirrors[0].Address}'s ({Describe(rewrite)}).");
            }

            if (!export.Mirrors.FallsBackToUpstream(upstream))
            {
                yield return new(scope, $"{upstream}: mirror-only, but k3s and rke2 try {upstream} itself after its mirrors: start the nodes with --disable-default-registry-endpoint (k3s v1.26.13+k3s1, v1.27.10+k3s1, v1.28.6+k3s1, v1.29.1+k3s1 and later), which stops that fallback for every registry in registries.yaml.");
            }
        }

        foreach (var problem in export.CredentialProblems(DockerConfigFormat.K3s))
        {
            yield return problem;
        }
    }

    public override IEnumerable<string> Advisories(DockerConfigExport export) => export.OneLabelAdvisories(DockerConfigFormat.K3s);

    public override async Task<IReadOnlyList<ExportedFile>> RenderAsync(DockerConfigExport export, ExportOptions options, CancellationToken cancellationToken)
        => [new ExportedFile("registries.yaml", await export.ToK3sRegistriesUtf8Async(options.CertificatesDirectory, cancellationToken).ConfigureAwait(false))];

    /// <summary>Appends the <c>mirrors</c> section; nothing when there is no mirror, so an export without mirrors reads as before.</summary>
    internal static void AppendMirrors(DockerConfigExport export, StringBuilder text)
    {
        if (export.Mirrors.IsEmpty)
        {
            return;
        }

        text.Append("mirrors:\n");
        foreach (var upstream in export.Mirrors.Upstreams())
        {
            var mirrors = export.Mirrors.For(upstream);
            var rewrite = mirrors[0].Rewrite;
            text.Append("  ").Append(YamlText.Quote(DockerConfigExport.HostKey(upstream))).Append(":\n");
            text.Append("    endpoint:\n");
            foreach (var mirror in mirrors.Where(m => Equals(m.Rewrite, rewrite)))
            {
                text.Append("      - ").Append(YamlText.Quote("https://" + mirror.Address)).Append('\n');
            }

            if (rewrite is not null)
            {
                text.Append("    rewrite:\n");
                text.Append("      ").Append(YamlText.Quote(rewrite.Pattern)).Append(": ").Append(YamlText.Quote(rewrite.Replacement)).Append('\n');
            }
        }
    }

    private static string Describe(MirrorRewrite? rewrite) => rewrite is null ? "none" : rewrite.ToString();
}
