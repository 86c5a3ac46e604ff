using System.Globalization;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>The request the kubelet writes on a credential provider's stdin: a <c>CredentialProviderRequest</c> of <c>credentialprovider.kubelet.k8s.io/v1</c>.</summary>
/// <remarks>
/// <para>The document is <c>{"apiVersion": "credentialprovider.kubelet.k8s.io/v1", "kind": "CredentialProviderRequest", "image": "..."}</c>.
/// The image is the one the kubelet pulls, normalized by the kubelet (<c>nginx</c> arrives as <c>docker.io/library/nginx</c>).
/// <c>v1beta1</c>, which has the same fields, is accepted too, and the response answers in the request's version, as the
/// protocol asks. Other fields (<c>serviceAccountToken</c>, <c>serviceAccountAnnotations</c> of newer kubelets) are
/// ignored and never repeated.</para>
/// <para>Immutable and thread-safe.</para>
/// </remarks>
public sealed class KubeletCredentialRequest
{
    /// <summary>The API version of the kubelet's credential provider protocol.</summary>
    public const string ApiVersionV1 = "credentialprovider.kubelet.k8s.io/v1";

    /// <summary>The beta version of the same protocol, still spoken by older kubelets.</summary>
    public const string ApiVersionV1Beta1 = "credentialprovider.kubelet.k8s.io/v1beta1";

    /// <summary>The kind of the request document.</summary>
    public const string Kind = "CredentialProviderRequest";

    /// <summary>The largest request read, in bytes: an image name and a service account token fit many times over.</summary>
    public const int MaxBytes = 64 * 1024;

    private const int MaxImageLength = 4096;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 8 };

    private KubeletCredentialRequest(string apiVersion, string image, ImageReference reference)
    {
        ApiVersion = apiVersion;
        Image = image;
        Reference = reference;
    }

    /// <summary>Gets the API version of the request, which the response repeats.</summary>
    public string ApiVersion { get; }

    /// <summary>Gets the image as the kubelet wrote it.</summary>
    public string Image { get; }

    /// <summary>Gets the image, parsed.</summary>
    public ImageReference Reference { get; }

    /// <summary>Builds a request for an image, as the kubelet would send it.</summary>
    /// <param name="image">The image reference.</param>
    /// <returns>A <c>v1</c> request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public static KubeletCredentialRequest For(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new KubeletCredentialRequest(ApiVersionV1, image.ToString(), image);
    }

    /// <summary>Reads a request from its UTF-8 JSON.</summary>
    /// <param name="utf8Json">The document, at most <see cref="MaxBytes"/> bytes.</param>
    /// <returns>The request.</returns>
    /// <exception cref="KubeletCredentialRequestException">The document is too large, not a JSON object, of another API version or kind, or its image is missing or no image reference.</exception>
    public static KubeletCredentialRequest Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxBytes)
        {
            throw TooLarge();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The parser's message names the line and byte, never the content.
            throw new KubeletCredentialRequestException(
                $"The CredentialProviderRequest on stdin is not valid JSON ({ex.Message}); the kubelet writes one JSON object such as {{\"apiVersion\":\"{ApiVersionV1}\",\"kind\":\"{Kind}\",\"image\":\"registry.example.com/app:1.0\"}}.",
                ex);
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <summary>Reads a request from a stream (the kubelet's pipe on stdin) to its end, never more than <see cref="MaxBytes"/> bytes.</summary>
    /// <param name="input">The stream; it is read, not closed.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is <see langword="null"/>.</exception>
    /// <exception cref="KubeletCredentialRequestException">The stream holds more than <see cref="MaxBytes"/> bytes, or its document is not a valid request.</exception>
    /// <exception cref="IOException">The stream could not be read.</exception>
    public static async Task<KubeletCredentialRequest> ReadAsync(Stream input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);

        // One byte more than the bound tells a document at the bound from one past it, without reading the rest.
        var buffer = new byte[MaxBytes + 1];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await input.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return length > MaxBytes ? throw TooLarge() : Parse(buffer.AsSpan(0, length));
    }

    /// <summary>Describes the request.</summary>
    /// <returns>For example <c>CredentialProviderRequest (credentialprovider.kubelet.k8s.io/v1) for docker.io/library/nginx</c>.</returns>
    public override string ToString() => $"{Kind} ({ApiVersion}) for {Reference}";

    private static KubeletCredentialRequest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new KubeletCredentialRequestException($"The CredentialProviderRequest on stdin is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object; the kubelet writes {{\"apiVersion\":\"{ApiVersionV1}\",\"kind\":\"{Kind}\",\"image\":\"...\"}}.");
        }

        var apiVersion = RequiredString(root, "apiVersion");
        if (apiVersion is not (ApiVersionV1 or ApiVersionV1Beta1))
        {
            throw new KubeletCredentialRequestException(
                $"The request's apiVersion '{Shorten(apiVersion)}' is not one this provider speaks: set apiVersion: {ApiVersionV1} for this provider in the kubelet's CredentialProviderConfig.");
        }

        var kind = RequiredString(root, "kind");
        if (kind != Kind)
        {
            throw new KubeletCredentialRequestException($"The request's kind '{Shorten(kind)}' is not {Kind}: the kubelet writes a {Kind} on the provider's stdin.");
        }

        var image = RequiredString(root, "image");
        if (image.Length == 0)
        {
            throw new KubeletCredentialRequestException("The request's image is empty: the kubelet names the image it pulls, for example \"registry.example.com/app:1.0\".");
        }

        if (image.Length > MaxImageLength)
        {
            throw new KubeletCredentialRequestException(
                $"The request's image is {image.Length.ToString(CultureInfo.InvariantCulture)} characters long; an image reference has at most {MaxImageLength.ToString(CultureInfo.InvariantCulture)}.");
        }

        try
        {
            return new KubeletCredentialRequest(apiVersion, image, ImageReference.Parse(image));
        }
        catch (ImageReferenceFormatException ex)
        {
            throw new KubeletCredentialRequestException($"The request's image is not an image reference: {ex.Message}", ex);
        }
    }

    private static string RequiredString(JsonElement root, string name)
    {
        string? value = null;
        var count = 0;
        foreach (var property in root.EnumerateObject())
        {
            if (property.NameEquals(name))
            {
                count++;
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new KubeletCredentialRequestException($"The request's {name} is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}, not a string.");
                }

                value = property.Value.GetString();
            }
        }

        // Two values for one field would let two readers of the same document disagree on the image: refused.
        return count switch
        {
            0 => throw new KubeletCredentialRequestException($"The request has no {name}: the kubelet writes apiVersion, kind and image ({{\"apiVersion\":\"{ApiVersionV1}\",\"kind\":\"{Kind}\",\"image\":\"...\"}})."),
            > 1 => throw new KubeletCredentialRequestException($"The request has {name} {count.ToString(CultureInfo.InvariantCulture)} times; a request has each field once."),
            _ => value!,
        };
    }

    private static string Shorten(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "…");

    private static KubeletCredentialRequestException TooLarge()
        => new($"The CredentialProviderRequest on stdin is larger than {(MaxBytes / 1024).ToString(CultureInfo.InvariantCulture)} KiB; the kubelet's request is a small JSON object: check what is piped to the provider.");
}
