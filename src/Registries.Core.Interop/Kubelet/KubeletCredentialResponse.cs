using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>The answer to a kubelet's <see cref="KubeletCredentialRequest"/>: the <c>CredentialProviderResponse</c> for an Authenticated or Anonymous resolution, or a denial the protocol cannot carry.</summary>
/// <remarks>
/// <para>The document is <c>{"apiVersion", "kind": "CredentialProviderResponse", "cacheKeyType": "Registry", "cacheDuration": "1m0s", "auth": {KEY: {"username", "password"}}}</c>.
/// <c>auth</c> has one entry, keyed by the registry as the kubelet matches it against the image (its first component:
/// <c>registry.example.com:5000</c>, or <c>docker.io</c> for Docker Hub); it is empty for an Anonymous resolution, and the
/// kubelet then pulls without credentials from this provider. <c>cacheKeyType</c> <c>Registry</c>: every image of a
/// registry gets the same answer, which is how the environment's rules work for a registry without path-scoped entries;
/// when the registry has one (<c>team</c>), <c>Image</c> (<see cref="ImageCacheKeyType"/>), so that the answer for
/// <c>REGISTRY/team/app</c> is never reused for <c>REGISTRY/team-b/app</c> nor the other way round.</para>
/// <para>The protocol has no denial: for <see cref="ResolutionOutcome.Denied"/> and <see cref="ResolutionOutcome.Unavailable"/>
/// there is no document (<see cref="HasDocument"/> is false, <see cref="ToJson"/> throws) and the provider exits with an
/// error, which the kubelet logs; it then has no credential from this provider and pulls as it would without one. The
/// same holds for a credential that is an identity or registry token: the protocol carries a username and a password
/// only, and a token sent as a password works only with registries whose token realm happens to accept it, so the
/// provider refuses it with a reason (<see cref="Refusal"/>) rather than hand the kubelet a credential that fails later.</para>
/// <para><c>cacheDuration</c> is never longer than the credential's remaining life (<see cref="CredentialResolution.ExpiresAt"/>),
/// so the kubelet asks again before a fetched token or a stored credential's own expiry.</para>
/// <para>The document holds the password in clear text, as the protocol demands; <see cref="ToString"/> does not.
/// Immutable and thread-safe.</para>
/// </remarks>
public sealed class KubeletCredentialResponse
{
    /// <summary>The kind of the response document.</summary>
    public const string Kind = "CredentialProviderResponse";

    /// <summary>The <c>cacheKeyType</c> of a response for a registry without path-scoped entries: the kubelet caches the answer per registry.</summary>
    public const string CacheKeyType = "Registry";

    /// <summary>The <c>cacheKeyType</c> of a response for a registry with path-scoped entries: the kubelet caches the answer per image, since images of one registry may get different answers.</summary>
    public const string ImageCacheKeyType = "Image";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,

        // The kubelet's JSON decoder reads any escape; relaxed keeps '+' and non-ASCII letters as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    internal KubeletCredentialResponse(KubeletCredentialRequest request, CredentialResolution resolution, string authKey, TimeSpan cacheDuration, string cacheKeyType = CacheKeyType, string? refusal = null)
    {
        Refusal = refusal ?? (resolution.Outcome is ResolutionOutcome.Denied or ResolutionOutcome.Unavailable ? resolution.Reason : null);
        CacheKey = cacheKeyType;
        Request = request;
        Resolution = resolution;
        AuthKey = authKey;
        CacheDuration = cacheDuration;
    }

    /// <summary>Gets the request answered.</summary>
    public KubeletCredentialRequest Request { get; }

    /// <summary>Gets the resolution of the image's registry for the environment.</summary>
    public CredentialResolution Resolution { get; }

    /// <summary>Gets the outcome: Authenticated (a credential in <c>auth</c>), Anonymous (an empty <c>auth</c>) or Denied (no document).</summary>
    public ResolutionOutcome Outcome => Resolution.Outcome;

    /// <summary>Gets the key of the <c>auth</c> entry: the registry as the kubelet matches it against the image.</summary>
    public string AuthKey { get; }

    /// <summary>Gets the <c>cacheKeyType</c>: <see cref="CacheKeyType"/> (<c>Registry</c>), or <see cref="ImageCacheKeyType"/> (<c>Image</c>) when the registry has path-scoped entries.</summary>
    public string CacheKey { get; }

    /// <summary>Gets how long the kubelet keeps the answer: the configured duration, or the credential's remaining life
    /// when shorter (whole seconds, rounded down; zero, which tells the kubelet not to cache it, when under a second is left).</summary>
    public TimeSpan CacheDuration { get; }

    /// <summary>Gets why there is no document to answer, or <see langword="null"/> when there is one: the reason of a
    /// Denied or Unavailable resolution, or why an Authenticated credential cannot be carried (a token, where the
    /// protocol has only a username and a password).</summary>
    public string? Refusal { get; }

    /// <summary>Gets a value indicating whether there is a <c>CredentialProviderResponse</c> to write (Authenticated with a
    /// password, or Anonymous); otherwise the provider reports <see cref="Refusal"/> and exits with an error.</summary>
    public bool HasDocument => Refusal is null;

    /// <summary>Renders the <c>CredentialProviderResponse</c>, in the request's API version.</summary>
    /// <returns>Indented JSON ending with a line break.</returns>
    /// <exception cref="InvalidOperationException">There is no document (<see cref="HasDocument"/> is false: Denied,
    /// Unavailable, or a token the protocol cannot carry); report <see cref="Refusal"/> and exit with an error instead.</exception>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8());

    /// <summary>Writes the <c>CredentialProviderResponse</c> to a stream (the provider's stdout) and flushes it.</summary>
    /// <param name="output">The stream; it is written, not closed.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the document is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">There is no document (see <see cref="ToJson"/>).</exception>
    /// <exception cref="IOException">The stream could not be written.</exception>
    public async Task WriteAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var content = ToUtf8();
        await output.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Describes the answer without the password.</summary>
    /// <returns>For example <c>docker.io/library/nginx: authenticated as deployer for docker.io, cached 1m0s (password hidden)</c>.</returns>
    public override string ToString() => Outcome switch
    {
        ResolutionOutcome.Authenticated when Refusal is not null => $"{Request.Reference}: not answered for registry {Resolution.RegistryId}: {Refusal}",
        ResolutionOutcome.Authenticated => $"{Request.Reference}: authenticated as {Resolution.Username} for {AuthKey}, cached {FormatDuration(CacheDuration)} (password hidden)",
        ResolutionOutcome.Anonymous => $"{Request.Reference}: anonymous (empty auth), cached {FormatDuration(CacheDuration)}",
        ResolutionOutcome.Unavailable => $"{Request.Reference}: unavailable from registry {Resolution.RegistryId}: {Resolution.Reason}",
        _ => $"{Request.Reference}: denied by registry {Resolution.RegistryId}: {Resolution.Reason}",
    };

    internal byte[] ToUtf8()
    {
        if (Refusal is not null)
        {
            throw new InvalidOperationException(
                $"There is no answer for {Request.Reference} ({Outcome}: {Refusal}); the kubelet's protocol has no document for it: report the reason on stderr and exit with an error.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", Request.ApiVersion);
            writer.WriteString("kind", Kind);
            writer.WriteString("cacheKeyType", CacheKey);
            writer.WriteString("cacheDuration", FormatDuration(CacheDuration));
            writer.WriteStartObject("auth");
            if (Outcome == ResolutionOutcome.Authenticated)
            {
                writer.WriteStartObject(AuthKey);
                writer.WriteString("username", Resolution.Username);
                writer.WriteString("password", Resolution.Password!.Reveal());
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    // Zero tells the kubelet not to cache the answer (a credential with under a second left).
    private static string FormatDuration(TimeSpan duration) => duration == TimeSpan.Zero ? "0s" : KubeletDuration.Format(duration);
}
