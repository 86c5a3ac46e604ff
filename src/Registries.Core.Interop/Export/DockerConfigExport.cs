using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>The effective, active credentials of an environment, ready to be written as a Docker <c>config.json</c> or a Kubernetes secret.</summary>
/// <remarks>
/// <para>The Docker config holds one <c>auths</c> entry per registry with the <c>auth</c> field
/// (base64 of <c>username:password</c>, UTF-8) and the <c>email</c>; the password never appears in clear text, not even
/// in separate <c>username</c>/<c>password</c> fields. Docker Hub's key is <c>https://index.docker.io/v1/</c>, as
/// <c>docker login</c> writes it; other registries are keyed <c>host[:port]</c>. Keys are sorted, so the output is
/// stable. The docker CLI, dockerd (through the CLI) and skopeo (<c>--authfile</c>) read it as it is.</para>
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

    internal DockerConfigExport(IEnumerable<ExportedCredential> credentials, IEnumerable<string> notes)
    {
        _credentials = credentials.OrderBy(c => c.Key, StringComparer.Ordinal).ToArray();
        Addresses = _credentials.Select(c => c.Address).ToArray();
        Notes = notes.ToArray();
    }

    /// <summary>Gets the addresses of the registries whose credentials the export holds, in the order of their keys.</summary>
    public IReadOnlyList<RegistryAddress> Addresses { get; }

    /// <summary>Gets why effective entries were left out (for example one that became inactive while exporting); no secrets.</summary>
    public IReadOnlyList<string> Notes { get; }

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

    /// <summary>Describes the export without any secret.</summary>
    /// <returns>For example <c>Docker config for 2 registries: docker.io, 10.0.0.5:5000 (passwords hidden)</c>.</returns>
    public override string ToString()
        => $"Docker config for {Addresses.Count} registries: {string.Join(", ", Addresses)} (passwords hidden)";

    internal byte[] ToDockerConfigUtf8()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("auths");
            foreach (var credential in _credentials)
            {
                writer.WriteStartObject(credential.Key);
                writer.WriteString("auth", EncodeAuth(credential.Username, credential.Password));
                writer.WriteString("email", credential.Email);
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
            writer.WriteString(KubernetesSecretKey, Convert.ToBase64String(ToDockerConfigUtf8()));
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

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
