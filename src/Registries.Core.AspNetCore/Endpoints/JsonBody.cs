using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Registries.Core.AspNetCore;

// Reads a request body the strict way: JSON only, at most MaxBytes, no unknown field, no field twice, no value of the
// wrong type; every refusal names the field and never quotes a value (a password may be in it). The request types bind
// themselves through it (IBindableFromHttpContext, see ApiModels): the framework's own body binding answers a bad body
// with an empty 400 (or one that depends on the application's JSON options), not with these ProblemDetails.
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

        // A backstop only: FirstDuplicate finds a repeated field first, and names it.
        AllowDuplicateProperties = false,
    };

    // The request types' BindAsync: a refusal is thrown (ApiProblemException), never a null body.
    public static async ValueTask<T?> BindAsync<T>(HttpContext context)
        where T : class
        => await ReadAsync<T>(context, context.RequestAborted).ConfigureAwait(false);

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

        if (FirstDuplicate(buffer.WrittenSpan) is { } duplicate)
        {
            var field = Cut(duplicate);
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-json", $"The body has the field '{field}' more than once: send each field once.", field);
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

    // The first name an object of the body holds twice, at any depth, as a path ("password", "email.a", "items[1].a"),
    // or null. The serializer would keep the last value, so two readers of one body (a proxy, a log, this API) could
    // disagree on the password or the name: refused, as the kubelet request parser refuses a repeated field (names
    // compared after unescaping, ordinally). A body that is not valid JSON has none here; the serializer reports it.
    internal static string? FirstDuplicate(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = Options.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var open = new Stack<Container>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var container = open.Peek();
                        container.Property = reader.GetString()!;
                        if (!container.Names!.Add(container.Property))
                        {
                            return Join(container.Path, container.Property);
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = open.TryPeek(out var parent) ? parent.PathOfValue() : string.Empty;
                        open.Push(new Container(path, reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        open.Pop();
                        break;
                    default:
                        if (open.TryPeek(out var current))
                        {
                            current.PathOfValue();
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

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

    // An object (with the names it holds so far) or an array (with the index of its next element) being read.
    private sealed class Container(string path, bool isObject)
    {
        private int _next;

        public string Path { get; } = path;

        public HashSet<string>? Names { get; } = isObject ? new(StringComparer.Ordinal) : null;

        public string Property { get; set; } = string.Empty;

        // The path of the value read next in this container: the current property's, or the next element's.
        public string PathOfValue()
            => Names is not null ? Join(Path, Property) : $"{Path}[{(_next++).ToString(System.Globalization.CultureInfo.InvariantCulture)}]";
    }
}
