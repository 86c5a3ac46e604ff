using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Registries.Core.AspNetCore;

// The names and ids the routes carry ({environmentId}, {registryId}, {user}), decoded exactly once, in one place.
// The server decodes a path before routing except '%2F', which it keeps encoded so that it cannot split a segment,
// while '%25' is decoded: a route value "a%2Fb" may have been sent as a%2Fb (the name a/b) or as a%252Fb (the name
// a%2Fb). Each value is therefore decoded from the request target as the client sent it (Uri.UnescapeDataString's
// rules, invalid UTF-8 refused); only a server that keeps no raw target (the test server) gets its one kept escape
// undone instead. A user name is then checked as a name sent in a body is: not empty, no control or invisible
// formatting character (400 naming the field). Done before the arguments are bound (RegistriesEndpointRouteBuilderExtensions),
// so every handler of the group, the application's own included, is given the decoded names.
internal static class RouteNames
{
    private const string UserParameter = "user";

    // Every route parameter of the endpoints: whole path segments, all of them strings.
    private static readonly string[] Parameters = ["environmentId", "registryId", UserParameter];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Replaces each name in the request's route values by its decoded form, before the handler's arguments are bound
    // from them.
    public static void Decode(HttpContext context)
    {
        var values = context.Request.RouteValues;
        foreach (var name in Parameters)
        {
            if (values.TryGetValue(name, out var value) && value is string text)
            {
                values[name] = Decode(context, name, text);
            }
        }
    }

    public static string Decode(HttpContext context, string parameter, string value)
    {
        // The common case first: no escape in the value nor in the path as sent, so there is nothing to decode, and the
        // raw segment (which costs the path's segments twice over, about 800 bytes a request) would be the value itself.
        var decoded = !value.Contains('%', StringComparison.Ordinal) && RawPathHasNoEscape(context)
            ? value
            : RawSegment(context, parameter) is { } raw ? Unescape(raw, parameter) : value.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (parameter == UserParameter)
        {
            RequireName(decoded, parameter);
        }

        return decoded;
    }

    // Whether the path of the request target as sent (the query aside) holds no '%': false when the server keeps none.
    private static bool RawPathHasNoEscape(HttpContext context)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget))
        {
            return false;
        }

        var target = rawTarget.AsSpan();
        var end = target.IndexOfAny('?', '#');
        return !(end < 0 ? target : target[..end]).Contains('%');
    }

    // The parameter's segment of the request target as sent, or null when the server keeps none or the path was
    // rewritten after it arrived (then the raw target no longer lines up with the routed path).
    private static string? RawSegment(HttpContext context, string parameter)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || context.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return null;
        }

        var pattern = endpoint.RoutePattern.PathSegments;
        var fromEnd = 0;
        for (var i = 0; i < pattern.Count; i++)
        {
            if (pattern[i].IsSimple && pattern[i].Parts[0] is RoutePatternParameterPart part && part.Name == parameter)
            {
                fromEnd = pattern.Count - i;
            }
        }

        var rawPath = PathOf(rawTarget);
        var routedPath = (context.Request.PathBase + context.Request.Path).Value;
        if (fromEnd == 0 || rawPath is null || routedPath is null)
        {
            return null;
        }

        // The server turns no escape into '/', so the raw and routed paths have the same segments, and a segment
        // without any '%' reads the same in both: anything else means the path was rewritten.
        var raw = Segments(rawPath);
        var routed = Segments(routedPath);
        if (raw.Length != routed.Length || fromEnd >= raw.Length)
        {
            return null;
        }

        for (var i = 0; i < raw.Length; i++)
        {
            if (!raw[i].Contains('%', StringComparison.Ordinal) && !routed[i].Contains('%', StringComparison.Ordinal) && raw[i] != routed[i])
            {
                return null;
            }
        }

        return raw[^fromEnd];
    }

    // origin-form (/path?query) or absolute-form (http://host/path?query) of RFC 9112.
    private static string? PathOf(string rawTarget)
    {
        var path = rawTarget;
        if (!path.StartsWith('/'))
        {
            var scheme = path.IndexOf("://", StringComparison.Ordinal);
            var slash = scheme < 0 ? -1 : path.IndexOf('/', scheme + 3);
            if (slash < 0)
            {
                return null;
            }

            path = path[slash..];
        }

        var end = path.IndexOfAny(['?', '#']);
        return end < 0 ? path : path[..end];
    }

    // Routing matches a path with one trailing '/' as without it.
    private static string[] Segments(string path)
        => (path.Length > 1 && path.EndsWith('/') ? path[..^1] : path).Split('/');

    // Uri.UnescapeDataString's rules (a '%' not followed by two hex digits stays as it is), with invalid UTF-8 refused
    // instead of left escaped: the name would otherwise not be the one the client meant.
    private static string Unescape(string segment, string parameter)
    {
        if (!segment.Contains('%', StringComparison.Ordinal))
        {
            return segment;
        }

        var bytes = new ArrayBufferWriter<byte>(segment.Length);
        Span<byte> one = stackalloc byte[4];
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '%' && i + 2 < segment.Length && char.IsAsciiHexDigit(segment[i + 1]) && char.IsAsciiHexDigit(segment[i + 2]))
            {
                bytes.Write([byte.Parse(segment.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)]);
                i += 2;
            }
            else if (Rune.TryGetRuneAt(segment, i, out var rune))
            {
                bytes.Write(one[..rune.EncodeToUtf8(one)]);
                i += rune.Utf16SequenceLength - 1;
            }
            else
            {
                throw NotAName(parameter, "is not valid UTF-8 once its %-escapes are decoded");
            }
        }

        try
        {
            return StrictUtf8.GetString(bytes.WrittenSpan);
        }
        catch (DecoderFallbackException)
        {
            throw NotAName(parameter, "is not valid UTF-8 once its %-escapes are decoded");
        }
    }

    // The rule the library applies to a user name given to SetMemberAsync, here for every route that takes one (a DELETE
    // of a name no one can bear is bad input, not "no such member").
    private static void RequireName(string name, string parameter)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw NotAName(parameter, "is empty once decoded");
        }

        var rest = name.AsSpan();
        var position = 0;
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            position++;
            var codePoint = status == OperationStatus.Done ? rune.Value : rest[0];
            if (status != OperationStatus.Done || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw NotAName(parameter, string.Create(CultureInfo.InvariantCulture,
                    $"must not contain control or invisible formatting characters: it has U+{codePoint:X4} at position {position}. Use visible characters only"));
            }

            rest = rest[consumed..];
        }
    }

    private static ApiProblemException NotAName(string parameter, string why)
        => new(StatusCodes.Status400BadRequest, "invalid-input", $"The {parameter} in the path {why}.", parameter);
}
