using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Registries.Core.AspNetCore;

// Reads a request body the strict way: JSON only, at most MaxBytes, no unknown field, no value of the wrong type;
// every refusal names the field and never quotes a value (a password may be in it).
internal static class JsonBody
{
    /// <summary>The largest request body the endpoints read: a registry entry is a few hundred bytes.</summary>
    public const int MaxBytes = 64 * 1024;

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNameCaseInsensitive = false,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 8,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<T> ReadAsync<T>(HttpContext context, CancellationToken cancellationToken)
        where T : class
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Send the body as a JSON object with 'Content-Type: application/json'.");
        }

        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        // Kestrel then stops reading at the limit itself, whatever the Content-Length said (or with chunked encoding).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > MaxBytes)
                {
                    throw TooLarge();
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }

        if (buffer.WrittenCount == 0)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", "The request body is empty: send a JSON object.");
        }

        T? body;
        try
        {
            body = JsonSerializer.Deserialize<T>(buffer.WrittenSpan, Options);
        }
        catch (JsonException ex)
        {
            throw Malformed(ex);
        }

        return body ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", "The request body is null: send a JSON object.");
    }

    public static string Required(string? value, string field)
        => string.IsNullOrEmpty(value)
            ? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", $"The field '{field}' is required.", field)
            : value;

    private static ApiProblemException TooLarge()
        => new(StatusCodes.Status413PayloadTooLarge, "body-too-large", $"The request body is larger than {MaxBytes / 1024} KiB: send only the documented fields.");

    // The serializer's own message may name .NET types; the path names the field the client wrote. Values are never
    // quoted: the field may be the password.
    private static ApiProblemException Malformed(JsonException exception)
    {
        var path = exception.Path is { Length: > 0 } p && p != "$" ? p : null;
        var field = path is null ? null : Cut(path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path);
        if (exception.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return new ApiProblemException(StatusCodes.Status400BadRequest, "unknown-field",
                field is null ? "The body has a field this endpoint does not take: send only the documented fields." : $"The body has the unknown field '{field}': send only the documented fields.",
                field);
        }

        return new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-json",
            field is null ? "The body is not a valid JSON object of the documented fields." : $"The field '{field}' has the wrong type or is not valid JSON: send it as a JSON string.",
            field);
    }

    private static string Cut(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");
}
