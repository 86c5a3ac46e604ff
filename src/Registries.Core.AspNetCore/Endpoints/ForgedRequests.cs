using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Registries.Core.AspNetCore;

// Cross-site request forgery, refused for every write before anything else is looked at. A page on another port of the
// same host is the same *site*, so a SameSite=Strict sign-in cookie goes along with what it sends; what it can send
// without a CORS preflight (which this API never grants) is a form (urlencoded, multipart or text/plain) or a no-cors
// fetch with one of those types or none. So a write is refused when its content type is one of those three (a bodyless
// write sends none), and when the browser says it comes from elsewhere: Sec-Fetch-Site other than same-origin or none,
// or an Origin other than the request's own scheme://host:port. A client that is not a browser (curl, HttpClient)
// sends neither header and keeps working. Behind a reverse proxy the request's scheme and host must be the public ones
// (UseForwardedHeaders), or a same-origin page's Origin does not match.
internal static class ForgedRequests
{
    private const string SecFetchSite = "Sec-Fetch-Site";

    private static readonly string[] FormMediaTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

    public static ApiProblemException? Refusal(HttpRequest request)
    {
        if (IsSafe(request.Method))
        {
            return null;
        }

        var headers = request.Headers;
        if (headers.TryGetValue(SecFetchSite, out var site)
            && !(site.Count == 1 && (string.Equals(site[0], "same-origin", StringComparison.OrdinalIgnoreCase) || string.Equals(site[0], "none", StringComparison.OrdinalIgnoreCase))))
        {
            return CrossOrigin($"The browser says this request comes from another site (Sec-Fetch-Site: {Cut(site.ToString())}): writes are accepted from this application's own pages only.");
        }

        if (headers.TryGetValue(HeaderNames.Origin, out var origin) && !IsOwnOrigin(request, origin))
        {
            return CrossOrigin($"The request comes from the page of another origin ({Cut(origin.ToString())}, not {request.Scheme}://{request.Host.Value}): writes are accepted from this application's own pages only.");
        }

        if (headers.ContentType.Count > 0 && IsFormType(headers.ContentType.ToString()))
        {
            return new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                "A write is never accepted as a form (application/x-www-form-urlencoded, multipart/form-data or text/plain): send a JSON body with 'Content-Type: application/json', or no body at all where the operation takes none.");
        }

        return null;
    }

    // What a browser may send across sites without asking first; the rest of the methods the API maps write.
    private static bool IsSafe(string method)
        => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    // An unparsable type is refused too: the API's bodies are JSON, and nothing legitimate sends a broken header.
    private static bool IsFormType(string contentType)
        => !MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            || FormMediaTypes.Any(t => string.Equals(parsed.MediaType.Value, t, StringComparison.OrdinalIgnoreCase));

    // Origin is scheme://host[:port] (RFC 6454), or "null" from a sandboxed or opaque page, which matches nothing.
    private static bool IsOwnOrigin(HttpRequest request, Microsoft.Extensions.Primitives.StringValues origin)
    {
        if (origin.Count != 1 || !Uri.TryCreate(origin[0], UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0
            || origin[0]!.EndsWith('/'))
        {
            return false;
        }

        if (!request.Host.HasValue || !string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var ownPort = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return uri.Port == ownPort;
    }

    private static ApiProblemException CrossOrigin(string detail)
        => new(StatusCodes.Status403Forbidden, "cross-origin", detail);

    // A header is chosen by whoever forged the request: shown short.
    private static string Cut(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");
}
