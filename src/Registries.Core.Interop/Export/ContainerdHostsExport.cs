using System.Text;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>An environment's mirrors as containerd's registry host configuration: a <c>certs.d</c> tree with one
/// <c>HOST/hosts.toml</c> per upstream registry that has mirrors, for <c>ctr images pull --hosts-dir DIR</c> and the CRI
/// plugin's <c>config_path</c>.</summary>
/// <remarks>
/// <para>Each upstream's folder is named as containerd looks it up: <c>host[:port]</c> in lowercase (as image names
/// write it), and <c>docker.io</c> for Docker Hub. Its <c>hosts.toml</c> names the upstream as <c>server</c>
/// (<c>https://registry-1.docker.io</c> for Docker Hub) and each mirror, in the environment's order, as a
/// <c>[host."https://MIRROR"]</c> table with <c>capabilities = ["pull", "resolve"]</c>; containerd tries the hosts in that
/// order and the server last. A host whose folder under the certificates directory holds a <c>ca.crt</c> (the layout
/// <c>trust</c> installs, <c>DIR/HOST[:PORT]/ca.crt</c>) gets <c>ca = "DIR/HOST/ca.crt"</c>.</para>
/// <para>A rewrite that puts a prefix before every repository path (<c>^(.*)$</c> or <c>(.*)</c> to <c>PREFIX/$1</c> or
/// <c>PREFIX/${1}</c>) is written as the mirror's API root, <c>https://MIRROR/v2/PREFIX</c> with
/// <c>override_path = true</c>. containerd cannot rename a repository any other way: a mirror with another rewrite is
/// left out with a note (never written without its rewrite, which would pull other images). A mirror-only upstream is
/// written with its last mirror as the <c>server</c> too, so containerd never contacts the upstream; when none of its
/// mirrors can be written, the server is the upstream with the <c>push</c> capability only, so that containerd pulls
/// none of its images rather than falling back to it. Every file has at least one <c>[host]</c> table: containerd 1.6
/// ignores a <c>hosts.toml</c> without one (a file for an upstream none of whose mirrors can be written names the server
/// as its host).</para>
/// <para>What containerd cannot hold is listed in <see cref="Notes"/>, and <see cref="EnsureExpressible"/> refuses it:
/// a rewrite it cannot express and the environment's policy (containerd pulls any image it can reach). <c>hosts.toml</c>
/// holds no credentials; a note says where they go. The files hold no secret. Immutable and thread-safe.</para>
/// </remarks>
public sealed class ContainerdHostsExport
{
    /// <summary>The name of the file in each host's folder.</summary>
    public const string FileName = "hosts.toml";

    /// <summary>The server containerd pulls Docker Hub's images from (the folder is <c>docker.io</c>).</summary>
    public const string DockerHubServer = "https://registry-1.docker.io";

    // What a hosts file and its folder may be: no secret, so readable by every user, as /etc/containerd/certs.d is.
    private static readonly AtomicFileChoices HostsFile = new()
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        CreateDirectoryMode = FolderMode,
    };

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    // The expressions that match every repository path whole: with a 'PREFIX/$1' replacement, a pure prefix.
    private static readonly string[] WholePath = ["^(.*)$", "(.*)", "^(.*)", "(.*)$", "^(.+)$", "(.+)", "^(.+)", "(.+)$"];

    private readonly HostNamespace[] _namespaces;
    private readonly string[] _limits;

    internal ContainerdHostsExport(RegistryMirrors mirrors, RegistryPolicy policy, IEnumerable<RegistryScope> credentials)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        ArgumentNullException.ThrowIfNull(policy);
        var limits = new List<string>();
        var information = new List<string>();
        var namespaces = new List<HostNamespace>();
        var contacted = new List<RegistryAddress>();
        foreach (var upstream in mirrors.Upstreams())
        {
            var written = new List<HostEntry>();
            foreach (var mirror in mirrors.For(upstream))
            {
                if (mirror.Rewrite is null)
                {
                    written.Add(new HostEntry(mirror.Address, BaseUrl(mirror.Address), OverridePath: false));
                }
                else if (TryGetPrefix(mirror.Rewrite, out var prefix))
                {
                    written.Add(new HostEntry(mirror.Address, BaseUrl(mirror.Address) + "/v2/" + prefix, OverridePath: true));
                }
                else
                {
                    limits.Add($"{upstream} -> {mirror.Address}: left out: its rewrite {mirror.Rewrite} is not a prefix ('^(.*)$' to 'PREFIX/$1'), and containerd renames a repository on a mirror only by a prefix (override_path); containerd pulls {upstream} images without this mirror.");
                }
            }

            var mirrorOnly = !mirrors.FallsBackToUpstream(upstream);
            HostNamespace hosts;
            if (!mirrorOnly)
            {
                hosts = new HostNamespace(upstream, FolderName(upstream), written, new HostEntry(upstream, BaseUrl(upstream), OverridePath: false), ServerRole.Upstream);
            }
            else if (written.Count > 0)
            {
                // Every mirror stays a host (containerd 1.6 reads no file without a [host] table), the last one the server too.
                hosts = new HostNamespace(upstream, FolderName(upstream), written, written[^1], ServerRole.Mirror);
                information.Add($"{upstream}: mirror-only: its last mirror, {written[^1].Address}, is also the server of its hosts.toml, so containerd never contacts {upstream}; it pushes no image of {upstream} through this configuration either (the server may pull and resolve only).");
            }
            else
            {
                hosts = new HostNamespace(upstream, FolderName(upstream), [], new HostEntry(upstream, BaseUrl(upstream), OverridePath: false), ServerRole.PushOnly);
                information.Add($"{upstream}: mirror-only, but none of its mirrors can be written for containerd: its hosts.toml lets containerd push to {upstream} but pull none of its images, rather than fall back to {upstream}.");
            }

            contacted.AddRange(hosts.Hosts.Select(h => h.Address));
            if (hosts.Role != ServerRole.PushOnly)
            {
                contacted.Add(hosts.Server.Address);
            }

            namespaces.Add(hosts);
        }

        if (!policy.IsEmpty)
        {
            limits.Add($"the policy ({string.Join(", ", policy.Rules.Select(r => $"{r.Effect.ToString().ToLowerInvariant()} {r.Scope}{(r.DigestOnly ? " by digest only" : string.Empty)}"))}): not written: containerd has no registry policy and pulls any image it can reach; enforce it where pulls are decided (registries pull, the kubelet credential provider, an admission controller).");
        }

        var scopes = (credentials ?? []).ToArray();
        var withCredentials = contacted.Distinct().Where(h => scopes.Any(s => s.Address.Covers(h))).ToArray();
        if (withCredentials.Length > 0)
        {
            information.Add($"{string.Join(", ", withCredentials.Select(h => h.ToString()))}: credentials not written: hosts.toml holds none; give them to containerd's CRI plugin (registry.configs.\"HOST\".auth in config.toml, one per host, mirrors included: a kubelet pull secret reaches the image's own registry only, not its mirrors), or to ctr with --user (one user for every host of a pull).");
        }

        _namespaces = namespaces.ToArray();
        _limits = limits.ToArray();
        Upstreams = _namespaces.Select(n => n.Upstream).ToArray();
        Notes = [.. limits, .. information];
    }

    /// <summary>Gets the upstream registries that get a <c>hosts.toml</c> (those with mirrors), in the order their first mirror was added.</summary>
    public IReadOnlyList<RegistryAddress> Upstreams { get; }

    /// <summary>Gets what containerd cannot hold as the environment has it (refused by <see cref="EnsureExpressible"/>), then
    /// how the files hold what they do (mirror-only upstreams, where credentials go); no secrets.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Describes what containerd's host configuration cannot express, for a command's help.</summary>
    /// <returns>One sentence.</returns>
    public static string DescribeLimits()
        => "containerd-hosts writes mirrors only: no credentials (give them to the CRI plugin or ctr --user), no policy, and rewrites only as a prefix (override_path).";

    /// <summary>Returns the folder containerd reads an upstream's <c>hosts.toml</c> from: <c>host[:port]</c>, or <c>docker.io</c> for Docker Hub.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <returns>The folder's name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="upstream"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">The address is a host pattern, or would not name exactly one folder inside the tree.</exception>
    public static string FolderName(RegistryAddress upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        // Host names are case-insensitive and image names are written in lowercase: the folder is the lowercase form,
        // the one containerd looks up for such an image name.
        var name = upstream.IsDockerHub ? "docker.io" : upstream.ToString().ToLowerInvariant();

        // A parsed address never has these; the check keeps a folder name from ever leaving the tree or becoming
        // containerd's fallback for every registry (_default).
        if (upstream.IsPattern || name.Length == 0 || name is "." or ".." || name[0] is '_' or '.' || name.AsSpan().IndexOfAny("/\\\0") >= 0 || name.Any(char.IsControl))
        {
            throw new RegistryRuleException($"'{name}' cannot name a folder of containerd's host configuration: give a registry address (host[:port]).");
        }

        return name;
    }

    /// <summary>Refuses the export when containerd cannot hold something the environment has: a rewrite that is not a prefix, or a policy.</summary>
    /// <remarks>The strict form of an export (<c>export --format containerd-hosts --strict</c>): without it, those are only listed in <see cref="Notes"/>.</remarks>
    /// <exception cref="ContainerdHostsExportRefusedException">containerd cannot hold all of it; the message says what and why.</exception>
    public void EnsureExpressible()
    {
        if (_limits.Length > 0)
        {
            throw new ContainerdHostsExportRefusedException(_limits);
        }
    }

    /// <summary>Renders each upstream's <c>hosts.toml</c>.</summary>
    /// <param name="certificatesDirectory">The absolute certs.d folder whose <c>HOST/ca.crt</c> files become <c>ca</c>
    /// fields, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The files, one per upstream, in the order of <see cref="Upstreams"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="certificatesDirectory"/> is not an absolute path, or one of its
    /// paths cannot be written in TOML.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public async Task<IReadOnlyList<ContainerdHostsFile>> RenderAsync(string? certificatesDirectory = null, CancellationToken cancellationToken = default)
    {
        if (certificatesDirectory is not null && (string.IsNullOrWhiteSpace(certificatesDirectory) || !Path.IsPathFullyQualified(certificatesDirectory)))
        {
            throw new ArgumentException(
                $"The certificates directory '{certificatesDirectory}' is not an absolute path: containerd reads ca on the node, so give the absolute certs.d folder, for example /etc/docker/certs.d.",
                nameof(certificatesDirectory));
        }

        var files = new List<ContainerdHostsFile>(_namespaces.Length);
        foreach (var hosts in _namespaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = new StringBuilder();
            text.Append("# Mirrors of ").Append(hosts.Upstream).Append(", written by registries export --format containerd-hosts.\n");
            text.Append("# Replaced at each export: change the environment's mirrors, not this file.\n");
            text.Append("server = ").Append(TomlText.Quote(hosts.Server.Url)).Append('\n');
            switch (hosts.Role)
            {
                case ServerRole.Mirror:
                    text.Append("capabilities = [\"pull\", \"resolve\"]\n");
                    break;
                case ServerRole.PushOnly:
                    text.Append("capabilities = [\"push\"]\n");
                    break;
            }

            await AppendHostFieldsAsync(text, hosts.Server, indent: string.Empty, certificatesDirectory, cancellationToken).ConfigureAwait(false);
            if (hosts.Hosts.Count == 0)
            {
                // containerd 1.6 refuses a hosts.toml without a [host] table ("invalid `host` tree") and then ignores
                // the whole file: the server is written as the one host too, with its own capabilities.
                text.Append('\n').Append("[host.").Append(TomlText.Quote(hosts.Server.Url)).Append("]\n");
                text.Append(hosts.Role == ServerRole.PushOnly ? "  capabilities = [\"push\"]\n" : "  capabilities = [\"pull\", \"resolve\", \"push\"]\n");
                await AppendHostFieldsAsync(text, hosts.Server, indent: "  ", certificatesDirectory, cancellationToken).ConfigureAwait(false);
            }

            foreach (var host in hosts.Hosts)
            {
                text.Append('\n').Append("[host.").Append(TomlText.Quote(host.Url)).Append("]\n");
                text.Append("  capabilities = [\"pull\", \"resolve\"]\n");
                await AppendHostFieldsAsync(text, host, indent: "  ", certificatesDirectory, cancellationToken).ConfigureAwait(false);
            }

            files.Add(new ContainerdHostsFile(hosts.Upstream, hosts.Folder, text.ToString()));
        }

        return files;
    }

    /// <summary>Writes the tree: <c>DIRECTORY/HOST/hosts.toml</c> for each upstream, each file replaced atomically.</summary>
    /// <param name="directory">The certs.d folder containerd reads (<c>ctr --hosts-dir</c>, the CRI plugin's
    /// <c>config_path</c>); created when missing.</param>
    /// <param name="certificatesDirectory">The absolute certs.d folder whose <c>HOST/ca.crt</c> files become <c>ca</c>
    /// fields, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The full paths of the files written.</returns>
    /// <remarks>Every file is rendered and every folder checked before the first is written: a refusal writes nothing.
    /// A host's existing <c>hosts.toml</c> is replaced (a symbolic link there is replaced by the file, never followed);
    /// the folders of other hosts, and other files in a host's folder (its <c>ca.crt</c>), are left as they are. Files
    /// are 0644 and new folders 0755: they hold no secret. A host folder that is a symbolic link or not a folder is
    /// refused rather than written through.</remarks>
    /// <exception cref="ArgumentException">A path is empty or not usable (see <see cref="RenderAsync"/>).</exception>
    /// <exception cref="IOException">A folder cannot be created or a file written, or a host's folder is a symbolic link or a file.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder may not be written.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public async Task<IReadOnlyList<string>> WriteAsync(string directory, string? certificatesDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var files = await RenderAsync(certificatesDirectory, cancellationToken).ConfigureAwait(false);
        if (File.Exists(root))
        {
            throw new IOException($"'{directory}' is a file, not a folder: give the certs.d folder containerd reads, for example /etc/containerd/certs.d.");
        }

        var targets = new List<(string Folder, string Path, byte[] Content)>(files.Count);
        foreach (var file in files)
        {
            var folder = Path.Combine(root, file.Folder);
            if (!string.Equals(Path.GetDirectoryName(folder), root, StringComparison.Ordinal))
            {
                throw new IOException($"'{file.Folder}' is not one folder inside '{root}'.");
            }

            if (new DirectoryInfo(folder).LinkTarget is not null || File.Exists(folder))
            {
                throw new IOException($"'{folder}' is a symbolic link or a file, not a folder: remove it (or make it a folder) so that {FileName} is written where containerd reads it.");
            }

            targets.Add((folder, Path.Combine(folder, FileName), Encoding.UTF8.GetBytes(file.Content)));
        }

        CreateFolder(root);
        var written = new List<string>(targets.Count);
        foreach (var (folder, path, content) in targets)
        {
            CreateFolder(folder);
            await AtomicFile.ReplaceAsync(path, content, HostsFile, cancellationToken).ConfigureAwait(false);
            written.Add(path);
        }

        return written;
    }

    /// <inheritdoc/>
    public override string ToString() => $"containerd hosts.toml for {Upstreams.Count} registr{(Upstreams.Count == 1 ? "y" : "ies")}";

    // A rewrite that puts one prefix before every repository path, read by the model's own rewrite on sample paths, so
    // that what is written is exactly what a pull through the library names on the mirror.
    internal static bool TryGetPrefix(MirrorRewrite rewrite, out string prefix)
    {
        prefix = string.Empty;
        if (!WholePath.Contains(rewrite.Pattern, StringComparer.Ordinal))
        {
            return false;
        }

        string candidate;
        if (rewrite.Replacement.EndsWith("/$1", StringComparison.Ordinal))
        {
            candidate = rewrite.Replacement[..^3];
        }
        else if (rewrite.Replacement.EndsWith("/${1}", StringComparison.Ordinal))
        {
            candidate = rewrite.Replacement[..^5];
        }
        else
        {
            return false;
        }

        if (candidate.Length == 0 || candidate.Contains('$', StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var sample in (string[])["library/alpine", "a", "team/sub/app-1"])
        {
            if (!rewrite.TryApply(sample, out var rewritten) || !string.Equals(rewritten, candidate + "/" + sample, StringComparison.Ordinal))
            {
                return false;
            }
        }

        prefix = candidate;
        return true;
    }

    private static string BaseUrl(RegistryAddress address) => address.IsDockerHub ? DockerHubServer : "https://" + address;

    private static async Task AppendHostFieldsAsync(StringBuilder text, HostEntry host, string indent, string? certificatesDirectory, CancellationToken cancellationToken)
    {
        if (host.OverridePath)
        {
            text.Append(indent).Append("override_path = true\n");
        }

        if (certificatesDirectory is not null)
        {
            // The layout of trust (HostConfiguration's certs.d): DIR/HOST[:PORT]/ca.crt, named by the address as written.
            var caFile = Path.Combine(certificatesDirectory, host.Address.ToString(), "ca.crt");
            if (await Task.Run(() => File.Exists(caFile), cancellationToken).ConfigureAwait(false))
            {
                text.Append(indent).Append("ca = ").Append(TomlText.Quote(caFile)).Append('\n');
            }
        }
    }

    private static void CreateFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, FolderMode);
        }
    }

    private enum ServerRole
    {
        Upstream,
        Mirror,
        PushOnly,
    }

    private sealed record HostEntry(RegistryAddress Address, string Url, bool OverridePath);

    private sealed record HostNamespace(RegistryAddress Upstream, string Folder, IReadOnlyList<HostEntry> Hosts, HostEntry Server, ServerRole Role);
}
