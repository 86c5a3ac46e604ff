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
/// <para>The protocol has no denial: for <see cref="ResolutionOutcome.Denied"/> there is no document
/// (<see cref="ToJson"/> throws) and the provider exits with an error, which the kubelet logs; it then has no
/// credential from this provider and pulls as it would without one.</para>
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

    internal KubeletCredentialResponse(KubeletCredentialRequest request, CredentialResolution resolution, string authKey, TimeSpan cacheDuration, string cacheKeyType = CacheKeyType)
    {
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

    /// <summary>Gets how long the kubelet keeps the answer.</summary>
    public TimeSpan CacheDuration { get; }

    /// <summary>Renders the <c>CredentialProviderResponse</c>, in the request's API version.</summary>
    /// <returns>Indented JSON ending with a line break.</returns>
    /// <exception cref="InvalidOperationException">The resolution is Denied: the protocol has no document for a denial; report <see cref="CredentialResolution.Reason"/> and exit with an error instead.</exception>
    public string ToJson() => Encoding.UTF8.GetString(ToUtf8());

    /// <summary>Writes the <c>CredentialProviderResponse</c> to a stream (the provider's stdout) and flushes it.</summary>
    /// <param name="output">The stream; it is written, not closed.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the document is written.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The resolution is Denied (see <see cref="ToJson"/>).</exception>
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
        ResolutionOutcome.Authenticated => $"{Request.Reference}: authenticated as {Resolution.Username} for {AuthKey}, cached {KubeletDuration.Format(CacheDuration)} (password hidden)",
        ResolutionOutcome.Anonymous => $"{Request.Reference}: anonymous (empty auth), cached {KubeletDuration.Format(CacheDuration)}",
        _ => $"{Request.Reference}: denied by registry {Resolution.RegistryId}: {Resolution.Reason}",
    };

    internal byte[] ToUtf8()
    {
        if (Outcome == ResolutionOutcome.Denied)
        {
            throw new InvalidOperationException(
                $"The resolution of {Request.Reference} is Denied ({Resolution.Reason}); the kubelet's protocol has no answer for a denial: report the reason on stderr and exit with an error.");
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", Request.ApiVersion);
            writer.WriteString("kind", Kind);
            writer.WriteString("cacheKeyType", CacheKey);
            writer.WriteString("cacheDuration", KubeletDuration.Format(CacheDuration));
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
}
