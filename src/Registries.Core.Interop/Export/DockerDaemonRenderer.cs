using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>A Docker <c>daemon.json</c> fragment: <c>registry-mirrors</c>, the mirrors of Docker Hub in order, as
/// <c>https://</c> URLs. dockerd mirrors Docker Hub only, cannot rename a repository, always falls back to Docker Hub,
/// has no place for a mirror's credential and no image policy: each of those is a note.</summary>
internal sealed class DockerDaemonRenderer : ExportRenderer
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    public override DockerConfigFormat Format => DockerConfigFormat.DockerDaemon;

    public override string Limits =>
        "A daemon.json fragment with registry-mirrors: Docker Hub's mirrors only (dockerd mirrors no other registry), as https:// URLs "
        + "(a plain-HTTP mirror also needs insecure add), without path rewrites, always falling back to Docker Hub; merge it into "
        + "/etc/docker/daemon.json and restart dockerd. It holds no credential (the client sends its own with each pull) and no image policy.";

    public override IReadOnlyList<RegistryScope> Scopes(DockerConfigExport export) => [];

    public override IEnumerable<ExportProblem> Inexpressible(DockerConfigExport export)
    {
        var hub = RegistryAddress.DockerHub;
        var hubScope = RegistryScope.Of(hub);
        foreach (var mirror in export.Mirrors.For(hub).Where(m => m.Rewrite is not null))
        {
            yield return new(hubScope, $"{mirror.Address}: mirror of docker.io not written: it renames repositories ({mirror.Rewrite}), and dockerd asks a mirror for the Docker Hub name as it is.");
        }

        if (!export.Mirrors.FallsBackToUpstream(hub))
        {
            yield return new(hubScope, "docker.io: mirror-only, but dockerd always falls back to Docker Hub when its mirrors fail: keep the nodes from reaching Docker Hub some other way, or pull with the pull service, which honours mirror-only.");
        }

        foreach (var mirror in Written(export).Where(m => HasCredential(export, m.Address)))
        {
            yield return new(RegistryScope.Of(mirror.Address), $"{mirror.Address}: written as a mirror, but daemon.json holds no credential, so dockerd cannot send this mirror the credential the environment has for it.");
        }

        foreach (var upstream in export.Mirrors.Upstreams().Where(u => !u.IsDockerHub))
        {
            var mirrors = string.Join(", ", export.Mirrors.For(upstream).Select(m => m.Address.ToString()));
            yield return new(RegistryScope.Of(upstream), $"{upstream}: its mirrors ({mirrors}) are not written: dockerd mirrors Docker Hub only, so its images are pulled from {upstream} itself (use the pull service, or a containerd, k3s or registries-conf export).");
        }

        foreach (var rule in export.Policy.Rules)
        {
            yield return new(rule.Scope, $"policy '{rule}': not written: dockerd has no image policy, so it pulls whatever it is asked (the pull service enforces the policy).");
        }
    }

    public override Task<IReadOnlyList<ExportedFile>> RenderAsync(DockerConfigExport export, ExportOptions options, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("registry-mirrors");
            foreach (var mirror in Written(export))
            {
                writer.WriteStringValue("https://" + mirror.Address);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return Task.FromResult<IReadOnlyList<ExportedFile>>([new ExportedFile("daemon.json", buffer.ToArray())]);
    }

    // Docker Hub's mirrors, in order, but those that rename repositories.
    private static IEnumerable<RegistryMirror> Written(DockerConfigExport export)
        => export.Mirrors.For(RegistryAddress.DockerHub).Where(m => m.Rewrite is null);

    private static bool HasCredential(DockerConfigExport export, RegistryAddress address)
        => export.Scopes.Any(s => s.IsHostLevel && s.Address.Equals(address));
}
