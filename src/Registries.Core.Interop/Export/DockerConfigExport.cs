using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>The effective, active credentials of an environment, ready to be written as a Docker <c>config.json</c>, a Kubernetes secret, a containers <c>auth.json</c> or a k3s/rke2 <c>registries.yaml</c>.</summary>
/// <remarks>
/// <para>The Docker config holds one <c>auths</c> entry per registry with the <c>auth</c> field
/// (base64 of <c>username:password</c>, UTF-8) and the <c>email</c>; the password never appears in clear text, not even
/// in separate <c>username</c>/<c>password</c> fields. Docker Hub's key is <c>https://index.docker.io/v1/</c>, as
/// <c>docker login</c> writes it; other registries are keyed <c>host[:port]</c>. Keys are sorted, so the output is
/// stable. The docker CLI, dockerd (through the CLI) and skopeo (<c>--authfile</c>) read it as it is.</para>
/// <para>Scopes, per format. Docker <c>config.json</c> and k3s <c>registries.yaml</c> key credentials by host only:
/// path-scoped and host-pattern entries are left out with a note. containers <c>auth.json</c> takes <c>host/path</c>
/// keys (containers/image looks up the image's repository, then each parent namespace on <c>/</c> boundaries, then the
/// host, so the most specific key decides as here) but no host wildcards: patterns get a note. The Kubernetes
/// <c>.dockerconfigjson</c> is read by the kubelet's keyring, which matches a key's host label by label (<c>*</c> is one
/// DNS label, the same number of labels and the same port) and its path as a raw string prefix of the image's path;
/// paths are written <c>host/path/</c> (the trailing <c>/</c> keeps the <c>/</c> boundary, so <c>team/</c> does not match
/// <c>team-b</c>; an image named exactly <c>host/path</c> then gets only the host's key) and patterns as they are. The
/// kubelet tries every matching key, most specific first, so a failing path credential falls back to the host's there.
/// No format can express a denial: an inactive scoped entry under an exported wider key gets a note.</para>
/// <para>What each format cannot express is stated by <see cref="DescribeLimits(DockerConfigFormat)"/>, and which
/// entries that touches by <see cref="GetNotes(DockerConfigFormat)"/>.</para>
/// <para>These documents hold passwords on purpose: that is their whole point. <see cref="ToString"/> does not.
/// Immutable and thread-safe.</para>
/// </remarks>
public sealed partial class DockerConfigExport
{
    /// <summary>The Kubernetes secret type of a Docker config secret.</summary>
    public const string KubernetesSecretType = "kubernetes.io/dockerconfigjson";

    /// <summary>The data key of a Docker config secret.</summary>
    public const string KubernetesSecretKey = ".dockerconfigjson";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,

        // Keeps '+' and non-ASCII e-mail letters readable; a file is not HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly ExportedCredential[] _credentials;
    private readonly RegistryScope[] _denied;
    private readonly (RegistryScope Scope, string Reason)[] _unavailable;
    private readonly Dictionary<RegistryScope, ScopeVerdict> _verdicts;

    internal DockerConfigExport(
        IEnumerable<ExportedCredential> credentials,
        IEnumerable<string> notes,
        IEnumerable<RegistryScope>? denied = null,
        IEnumerable<(RegistryScope Scope, string Reason)>? unavailable = null,
        RegistryPolicy? policy = null,
        RegistryMirrors? mirrors = null)
    {
        _credentials = credentials.OrderBy(c => c.Scope.ToString(), StringComparer.Ordinal).ToArray();
        _denied = (denied ?? []).ToArray();
        _unavailable = (unavailable ?? []).ToArray();
        Policy = policy ?? RegistryPolicy.Empty;
        Mirrors = mirrors ?? RegistryMirrors.Empty;
        _verdicts = _credentials.ToDictionary(c => c.Scope, c => JudgeCredential(c.Scope));
        Addresses = _credentials.Where(c => c.IsWholeAddress).OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Address).ToArray();
        Scopes = _credentials.Select(c => c.Scope).ToArray();
        Notes = notes.ToArray();
    }

    /// <summary>Gets the environment's policy, which every format obeys where it can: a credential whose every image
    /// the policy denies is not written (with a note), one some of whose images it denies is written with a note, and
    /// the policy formats write the rules themselves.</summary>
    public RegistryPolicy Policy { get; }

    /// <summary>Gets the environment's mirrors, which the formats that have a place for mirrors write (k3s
    /// <c>mirrors</c>, Docker's <c>registry-mirrors</c>); what a format cannot express of them is a note.</summary>
    public RegistryMirrors Mirrors { get; }

    /// <summary>Gets the addresses of the registries whose whole-address credentials the export holds (the ones every format writes), in the order of their keys.</summary>
    public IReadOnlyList<RegistryAddress> Addresses { get; }

    /// <summary>Gets the scopes of every credential the export holds, path-scoped and host-pattern ones included; which of them a format writes is <see cref="GetScopes(DockerConfigFormat)"/>.</summary>
    public IReadOnlyList<RegistryScope> Scopes { get; }

    /// <summary>Gets why effective entries were left out whatever the format (for example one that became inactive while exporting); no secrets.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Gets the scopes whose credentials a format writes.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The scopes, in the order of their keys.</returns>
    /// <remarks>Docker <c>config.json</c> and k3s <c>registries.yaml</c>: whole addresses only. containers
    /// <c>auth.json</c>: also path-scoped entries of a concrete host (<c>host/path</c> keys). Kubernetes
    /// <c>.dockerconfigjson</c>: also host patterns (<c>*.corp.example</c>) and their paths.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public IReadOnlyList<RegistryScope> GetScopes(DockerConfigFormat format)
        => ExportRenderers.For(format).Scopes(this);

    /// <summary>Refuses a format that cannot express every credential the environment would use: a path-scoped or host-pattern entry it cannot key, or an inactive scoped entry whose denial a wider key in the file would undo.</summary>
    /// <param name="format">The format.</param>
    /// <remarks>The strict form of an export (<c>docker-config --strict</c>): without it, those entries are only listed in <see cref="GetNotes(DockerConfigFormat)"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="DockerConfigExportRefusedException">Some entry cannot be expressed in the format; the message names each one and says why.</exception>
    public void EnsureExpressible(DockerConfigFormat format)
    {
        var problems = ExportRenderers.For(format).Inexpressible(this).ToArray();
        if (problems.Length > 0)
        {
            throw new DockerConfigExportRefusedException(format, problems.Select(p => p.Scope).ToArray(), string.Join(" ", problems.Select(p => p.Note)));
        }
    }

    /// <summary>Renders the Docker <c>config.json</c> document.</summary>
    /// <returns>Indented JSON, <c>{"auths": {...}}</c>.</returns>
    public string ToDockerConfigJson() => Encoding.UTF8.GetString(ToDockerConfigUtf8());

    /// <summary>Renders a complete Kubernetes Secret manifest of type <c>kubernetes.io/dockerconfigjson</c> (JSON, which is also valid YAML).</summary>
    /// <param name="name">The secret's name: a DNS-1123 subdomain (lowercase letters, digits, '-' and '.', at most 253 characters).</param>
    /// <param name="namespace">The namespace (a DNS-1123 label), or <see langword="null"/> to leave it to <c>kubectl</c>.</param>
    /// <returns>The manifest, whose <c>.dockerconfigjson</c> data is the base64 of <see cref="ToDockerConfigJson"/>.</returns>
    /// <exception cref="ArgumentException">The name or namespace is not valid for Kubernetes; the message says why.</exception>
    public string ToKubernetesSecretJson(string name, string? @namespace = null) => Encoding.UTF8.GetString(ToKubernetesSecretUtf8(name, @namespace));

    /// <summary>Writes the Docker <c>config.json</c> atomically, readable by its owner only (0600 on Unix).</summary>
    /// <param name="path">The file, for example <c>~/.docker/config.json</c> or <c>$DOCKER_CONFIG/config.json</c>; its folder is created when missing.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public Task WriteDockerConfigAsync(string path, CancellationToken cancellationToken = default)
        => WriteSecretFileAsync(path, ToDockerConfigUtf8(), cancellationToken);

    /// <summary>Writes the Kubernetes Secret manifest atomically, readable by its owner only (0600 on Unix).</summary>
    /// <param name="path">The file.</param>
    /// <param name="name">The secret's name (a DNS-1123 subdomain).</param>
    /// <param name="namespace">The namespace, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The path is empty, or the name or namespace is not valid for Kubernetes.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public Task WriteKubernetesSecretAsync(string path, string name, string? @namespace = null, CancellationToken cancellationToken = default)
        => WriteSecretFileAsync(path, ToKubernetesSecretUtf8(name, @namespace), cancellationToken);

    /// <summary>Renders a containers <c>auth.json</c> (podman, skopeo, buildah <c>--authfile</c>).</summary>
    /// <returns>Indented JSON, <c>{"auths": {KEY: {"auth": ...}}}</c>, keyed as <c>podman login</c> writes: <c>docker.io</c> for Docker Hub, else <c>host[:port]</c>.</returns>
    public string ToContainersAuthJson() => Encoding.UTF8.GetString(ToContainersAuthUtf8());

    /// <summary>Writes the containers <c>auth.json</c> atomically, readable by its owner only (0600 on Unix).</summary>
    /// <param name="path">The file, for example <c>$XDG_RUNTIME_DIR/containers/auth.json</c>; its folder is created when missing.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The path is empty.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public Task WriteContainersAuthAsync(string path, CancellationToken cancellationToken = default)
        => WriteSecretFileAsync(path, ToContainersAuthUtf8(), cancellationToken);

    /// <summary>Renders a k3s/rke2 <c>registries.yaml</c>: <c>configs</c> keyed by <c>host[:port]</c> with <c>auth</c>, and <c>tls.ca_file</c> where a CA is installed.</summary>
    /// <param name="certificatesDirectory">The certs.d folder <c>registries trust</c> installs into (<c>DIR/HOST[:PORT]/ca.crt</c>), an absolute path; a registry whose <c>ca.crt</c> is there gets <c>tls.ca_file</c>. <see langword="null"/> writes no <c>tls</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The YAML, every string double-quoted and escaped so that any password reads back exactly.</returns>
    /// <exception cref="ArgumentException"><paramref name="certificatesDirectory"/> is empty or not an absolute path.</exception>
    public async Task<string> ToK3sRegistriesYamlAsync(string? certificatesDirectory = null, CancellationToken cancellationToken = default)
        => Encoding.UTF8.GetString(await ToK3sRegistriesUtf8Async(certificatesDirectory, cancellationToken).ConfigureAwait(false));

    /// <summary>Writes the k3s/rke2 <c>registries.yaml</c> atomically, readable by its owner only (0600 on Unix).</summary>
    /// <param name="path">The file, for example <c>/etc/rancher/k3s/registries.yaml</c> or <c>/etc/rancher/rke2/registries.yaml</c>.</param>
    /// <param name="certificatesDirectory">The certs.d folder whose <c>ca.crt</c> files become <c>tls.ca_file</c>, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the file is in place.</returns>
    /// <exception cref="ArgumentException">The path is empty, or <paramref name="certificatesDirectory"/> is empty or not absolute.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public async Task WriteK3sRegistriesAsync(string path, string? certificatesDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var content = await ToK3sRegistriesUtf8Async(certificatesDirectory, cancellationToken).ConfigureAwait(false);
        await WriteSecretFileAsync(path, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Says what a format cannot express, whatever the environment holds.</summary>
    /// <param name="format">The format.</param>
    /// <returns>One or more sentences, no secret.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static string DescribeLimits(DockerConfigFormat format) => ExportRenderers.For(format).Limits;

    /// <summary>Gets why entries were left out or may not be used as they are, in a format: <see cref="Notes"/>, then the format's own notes (for example a one-label host that podman reads as a Docker Hub repository); no secrets.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The notes, one sentence each.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public IReadOnlyList<string> GetNotes(DockerConfigFormat format)
    {
        var renderer = ExportRenderers.For(format);
        var notes = new List<string>(Notes);
        notes.AddRange(renderer.Inexpressible(this).Select(p => p.Note));
        notes.AddRange(renderer.Advisories(this));
        return notes;
    }

    /// <summary>Renders the export in a format: its files and its notes.</summary>
    /// <param name="format">The format.</param>
    /// <param name="options">What the format needs beyond the export (the Secret's name, the certs.d folder), or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The document: one file for a one-file format, the tree's files otherwise, and what the format could not express.</returns>
    /// <remarks>This does not refuse anything: call <see cref="EnsureExpressible(DockerConfigFormat)"/> first for the strict form.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="ArgumentException">An option the format reads is not valid (a Secret name, a certificates folder that is not absolute); the message says why.</exception>
    public async Task<ExportDocument> RenderAsync(DockerConfigFormat format, ExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        var renderer = ExportRenderers.For(format);
        var files = await renderer.RenderAsync(this, options ?? ExportOptions.Default, cancellationToken).ConfigureAwait(false);
        return new ExportDocument(format, renderer.IsTree, files, GetNotes(format));
    }

    /// <summary>Writes the export in a format, readable by its owner only: a one-file format to the file at
    /// <paramref name="path"/>, a tree format into the folder at <paramref name="path"/>; each file replaced atomically
    /// (0600 on Unix, folders created 0700).</summary>
    /// <param name="format">The format.</param>
    /// <param name="path">The file, or for a tree format the folder.</param>
    /// <param name="options">What the format needs beyond the export, or <see langword="null"/> for the defaults.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The document written (its notes included).</returns>
    /// <remarks>This does not refuse anything: call <see cref="EnsureExpressible(DockerConfigFormat)"/> first for the strict form.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="ArgumentException">The path is empty, or an option the format reads is not valid.</exception>
    /// <exception cref="IOException">A file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public async Task<ExportDocument> WriteAsync(DockerConfigFormat format, string path, ExportOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var document = await RenderAsync(format, options, cancellationToken).ConfigureAwait(false);
        if (document.IsTree)
        {
            await WriteTreeAsync(path, document.Files, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await WriteSecretFileAsync(path, document.Files[0].Bytes, cancellationToken).ConfigureAwait(false);
        }

        return document;
    }

    /// <summary>Describes the export without any secret.</summary>
    /// <returns>For example <c>Docker config for 2 registries: docker.io, 10.0.0.5:5000 (passwords hidden)</c>.</returns>
    public override string ToString()
        => $"Docker config for {Addresses.Count} registries: {string.Join(", ", Addresses)} (passwords hidden)";

    internal byte[] ToDockerConfigUtf8() => AuthsUtf8(Keyed(DockerConfigFormat.Docker), withEmail: true);

    private static byte[] AuthsUtf8(IEnumerable<(string Key, ExportedCredential Credential)> keyed, bool withEmail)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("auths");
            foreach (var (key, credential) in keyed)
            {
                writer.WriteStartObject(key);
                if (credential.SecretKind == CredentialSecretKind.IdentityToken)
                {
                    // As docker login and podman login write an identity token: the username alone in auth, the token beside it.
                    writer.WriteString("auth", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.Username + ":")));
                    writer.WriteString("identitytoken", credential.Password.Reveal());
                }
                else
                {
                    writer.WriteString("auth", EncodeAuth(credential.Username, credential.Password));
                }

                if (withEmail)
                {
                    writer.WriteString("email", credential.Email);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal byte[] ToKubernetesSecretUtf8(string name, string? @namespace)
    {
        ValidateKubernetesNames(name, @namespace);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", "v1");
            writer.WriteString("kind", "Secret");
            writer.WriteStartObject("metadata");
            writer.WriteString("name", name);
            if (@namespace is not null)
            {
                writer.WriteString("namespace", @namespace);
            }

            writer.WriteEndObject();
            writer.WriteString("type", KubernetesSecretType);
            writer.WriteStartObject("data");
            writer.WriteString(KubernetesSecretKey, Convert.ToBase64String(AuthsUtf8(Keyed(DockerConfigFormat.Kubernetes), withEmail: true)));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal byte[] ToContainersAuthUtf8() => AuthsUtf8(Keyed(DockerConfigFormat.ContainersAuth), withEmail: false);

    internal async Task<byte[]> ToK3sRegistriesUtf8Async(string? certificatesDirectory, CancellationToken cancellationToken)
    {
        if (certificatesDirectory is not null && (string.IsNullOrWhiteSpace(certificatesDirectory) || !Path.IsPathFullyQualified(certificatesDirectory)))
        {
            throw new ArgumentException(
                $"The certificates directory '{certificatesDirectory}' is not an absolute path: k3s reads tls.ca_file on the node, so give the absolute certs.d folder, for example /etc/docker/certs.d.",
                nameof(certificatesDirectory));
        }

        var text = new StringBuilder();
        K3sRegistriesRenderer.AppendMirrors(this, text);
        var keyed = Keyed(DockerConfigFormat.K3s).ToArray();
        if (keyed.Length == 0)
        {
            text.Append("configs: {}\n");
        }
        else
        {
            text.Append("configs:\n");
        }

        foreach (var (key, credential) in keyed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            text.Append("  ").Append(YamlText.Quote(key)).Append(":\n");
            text.Append("    auth:\n");
            text.Append("      username: ").Append(YamlText.Quote(credential.Username)).Append('\n');
            text.Append(credential.SecretKind == CredentialSecretKind.IdentityToken ? "      identity_token: " : "      password: ").Append(YamlText.Quote(credential.Password.Reveal())).Append('\n');
            if (certificatesDirectory is not null)
            {
                // The layout of trust (HostConfiguration's certs.d): DIR/HOST[:PORT]/ca.crt, named by the address as written.
                var caFile = Path.Combine(certificatesDirectory, credential.Address.ToString(), "ca.crt");
                if (await Task.Run(() => File.Exists(caFile), cancellationToken).ConfigureAwait(false))
                {
                    text.Append("    tls:\n");
                    text.Append("      ca_file: ").Append(YamlText.Quote(caFile)).Append('\n');
                }
            }
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    // What each format keys, and how. docker login writes Docker Hub as its legacy index URL; podman login, skopeo,
    // containerd and the kubelet's keyring name it docker.io.
    internal IEnumerable<(string Key, ExportedCredential Credential)> Keyed(DockerConfigFormat format)
    {
        // A credential the policy denies every image of is never written: the file would hand it to a tool for nothing
        // the environment allows.
        var exportable = _credentials.Where(c => _verdicts[c.Scope].Reach != PolicyReach.Denied);
        IEnumerable<(string Key, ExportedCredential Credential)> keyed = format switch
        {
            DockerConfigFormat.Docker => exportable.Where(c => c.IsWholeAddress).Select(c => (c.Key, c)),
            DockerConfigFormat.K3s => exportable.Where(c => c.IsWholeAddress).Select(c => (HostKey(c.Address), c)),

            // containers/image looks a credential up by the image's repository, then each parent namespace on '/'
            // boundaries, then the host: a host/path key means exactly the scope. It has no host wildcards.
            DockerConfigFormat.ContainersAuth => exportable
                .Where(c => !c.Address.IsPattern)
                .Select(c => (c.Scope.IsHostLevel ? HostKey(c.Address) : HostKey(c.Address) + "/" + c.Scope.Path, c)),

            // The kubelet's keyring matches '*' per DNS label (same label count, same port) and the path as a raw
            // prefix: "team" would also match "team-b", so the key ends with '/' to keep the '/' boundary.
            DockerConfigFormat.Kubernetes => exportable
                .Select(c => (c.IsWholeAddress ? c.Key : HostKey(c.Address) + (c.Scope.IsHostLevel ? string.Empty : "/" + c.Scope.Path + "/"), c)),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined DockerConfigFormat."),
        };
        return keyed.Where(p => Carries(format, p.Credential.SecretKind)).OrderBy(p => p.Key, StringComparer.Ordinal);
    }

    // Docker config.json, containers auth.json and k3s registries.yaml have an identity-token field; the kubelet's
    // keyring reads username and password only. No format has a place for a bare registry access token.
    private static bool Carries(DockerConfigFormat format, CredentialSecretKind kind) => kind switch
    {
        CredentialSecretKind.Password => true,
        CredentialSecretKind.IdentityToken => format != DockerConfigFormat.Kubernetes,
        _ => false,
    };

    internal static string HostKey(RegistryAddress address) => address.IsDockerHub ? "docker.io" : address.ToString();

    // The entries a credential format cannot express: credentials the policy denies wholly or in part, active scoped
    // credentials it does not key, and denials a wider key undoes.
    internal IEnumerable<ExportProblem> CredentialProblems(DockerConfigFormat format)
    {
        var written = Keyed(format).Select(k => k.Credential.Scope).ToArray();
        var name = FormatName(format);
        foreach (var credential in _credentials)
        {
            var verdict = _verdicts[credential.Scope];
            if (verdict.Reach == PolicyReach.Denied)
            {
                yield return new(credential.Scope, $"{credential.Scope}: not exported: the environment's policy denies every image it would be sent for ({verdict.Reason}).");
            }
            else if (verdict.Reach == PolicyReach.Partial && written.Contains(credential.Scope))
            {
                yield return new(credential.Scope, $"{credential.Scope}: written, but the environment's policy denies some of its images ({verdict.Reason}); {name} cannot refuse single images, so a tool reading it sends the credential for those too (the pull service and the credential helper refuse them).");
            }
        }

        foreach (var (scope, reason) in _unavailable)
        {
            yield return new(scope, $"{scope}: not exported: its credential is unavailable ({reason}); nothing was written for it, so a tool reading this file has no credential for it.");
        }

        foreach (var credential in _credentials.Where(c => !Carries(format, c.SecretKind)))
        {
            yield return new(credential.Scope, $"{credential.Scope}: not exported: its credential is {(credential.SecretKind == CredentialSecretKind.IdentityToken ? "an identity token" : "a registry access token")}, which {name} has no field for; give the tools the credential helper, or a format that has one (docker-config --format docker).");
        }

        foreach (var credential in _credentials.Where(c => c.ExpiresAt is not null && written.Contains(c.Scope)))
        {
            yield return new(credential.Scope, $"{credential.Scope}: written with a credential that expires at {credential.ExpiresAt!.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}; a file cannot renew itself: export again before then, or give the tools the credential helper, which resolves at every pull.");
        }

        foreach (var credential in _credentials.Where(c => !written.Contains(c.Scope) && Carries(format, c.SecretKind) && _verdicts[c.Scope].Reach != PolicyReach.Denied))
        {
            var why = credential.Address.IsPattern
                ? $"{name} has no host patterns"
                : $"{name} keys credentials by registry host only";
            yield return new(credential.Scope, $"{credential.Scope}: not exported: {why}, and under the host it would cover every repository; give the tools a format that can express it (docker-config --format {(credential.Address.IsPattern ? "kubernetes" : "containers-auth")}) or a host-level entry.");
        }

        foreach (var scope in _denied)
        {
            var wider = written.Where(w => w.CompareSpecificity(scope) < 0 && Widens(w, scope)).ToArray();
            if (wider.Length > 0)
            {
                yield return new(scope, $"{scope}: inactive, so its images are denied here, but {name} cannot express a denial: a tool reading this file sends the credential of {string.Join(", ", wider.Select(w => w.ToString()))} for them.");
            }
        }
    }

    // Whether a written, less specific scope covers images of a denied scope.
    private static bool Widens(RegistryScope written, RegistryScope denied)
    {
        var addressCovered = denied.Address.IsPattern
            ? written.Address.Equals(denied.Address) || (written.Address.IsPattern && written.Address.Covers(RegistryAddress.Parse(denied.Address.ToString().Replace("*", "x", StringComparison.Ordinal))))
            : written.Address.Covers(denied.Address);
        return addressCovered && (written.IsHostLevel || written.CoversPath(denied.Path));
    }

    // Notes strict mode lets pass: a key the format's tools reach by another name than the image's.
    internal IEnumerable<string> OneLabelAdvisories(DockerConfigFormat format)
    {
        foreach (var credential in Keyed(format).Select(k => k.Credential).Where(c => c.IsWholeAddress && IsOneLabel(c.Address)))
        {
            // Docker's own tools use such a key for "docker login registry"; podman, skopeo and containerd read the
            // name of an image "registry/app" as a Docker Hub repository, so no image reaches this entry.
            yield return $"{credential.Address}: written, but an image '{credential.Address}/app' means docker.io/{credential.Address}/app to this format's tools: name the registry with a port or a dotted host name.";
        }
    }

    // What the policy says of the images a credential is sent for: those of its own scope, and for a mirror's address
    // the images of each upstream it mirrors (policy is decided on the name asked for, never on the mirror's).
    private ScopeVerdict JudgeCredential(RegistryScope scope)
    {
        var own = ScopePolicy.Judge(Policy, scope);
        if (own.Reach == PolicyReach.Allowed || !scope.IsHostLevel || scope.Address.IsPattern)
        {
            return own;
        }

        var served = Mirrors.All.Where(m => m.Address.Equals(scope.Address)).Select(m => ScopePolicy.Judge(Policy, RegistryScope.Of(m.Upstream))).ToArray();
        if (served.Length == 0 || served.All(v => v.Reach == PolicyReach.Denied))
        {
            return own;
        }

        // Its own images are denied (wholly or in part), an upstream's it mirrors are not all: written, with a note.
        return new ScopeVerdict(PolicyReach.Partial, own.Rule, own.Reason + ", though it is written for the upstreams it mirrors");
    }

    private static async Task WriteTreeAsync(string folder, IReadOnlyList<ExportedFile> files, CancellationToken cancellationToken)
    {
        foreach (var file in files)
        {
            // The renderer names each file; a name that would climb out of the folder is a bug, never written.
            var parts = file.Path.Split('/');
            if (parts.Any(p => p.Length == 0 || p is "." or ".." || p.Contains('\\', StringComparison.Ordinal) || p.Contains('\0', StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"The export file name '{file.Path}' is not a relative path inside the folder.");
            }

            await WriteSecretFileAsync(Path.Combine([folder, .. parts]), file.Bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static string FormatName(DockerConfigFormat format) => format switch
    {
        DockerConfigFormat.Docker => "a Docker config.json",
        DockerConfigFormat.Kubernetes => "a Kubernetes .dockerconfigjson",
        DockerConfigFormat.ContainersAuth => "a containers auth.json",
        DockerConfigFormat.DockerDaemon => "a Docker daemon.json",
        _ => "a k3s registries.yaml",
    };

    private static bool IsOneLabel(RegistryAddress address)
        => address.Port is null && !address.IsIPv6 && !address.IsDockerHub && !address.Host.Contains('.', StringComparison.Ordinal)
            && !address.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    internal static string EncodeAuth(string username, RegistrySecret password) => DockerAuth.BasicValue(username, password);

    // A file that holds passwords: 0600 from its first byte whatever mode an older file had, its folder (when missing)
    // created 0700, and a symbolic link at the path replaced by the file rather than followed to wherever it points.
    private static readonly AtomicFileChoices SecretFile = new()
    {
        Mode = AtomicFile.OwnerOnly,
        CreateDirectoryMode = AtomicFile.OwnerOnly | UnixFileMode.UserExecute,
    };

    private static Task WriteSecretFileAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return AtomicFile.ReplaceAsync(path, content, SecretFile, cancellationToken);
    }

    private static void ValidateKubernetesNames(string name, string? @namespace)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 253 || !SubdomainPattern().IsMatch(name))
        {
            throw new ArgumentException(
                $"'{name}' is not a valid Kubernetes secret name: use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, for example 'registry-credentials'.",
                nameof(name));
        }

        if (@namespace is not null && (@namespace.Length is 0 or > 63 || !LabelPattern().IsMatch(@namespace)))
        {
            throw new ArgumentException(
                $"'{@namespace}' is not a valid Kubernetes namespace: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit, for example 'default'.",
                nameof(@namespace));
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex SubdomainPattern();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();
}
