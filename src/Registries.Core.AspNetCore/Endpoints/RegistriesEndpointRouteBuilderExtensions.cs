using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Registries.Core.AspNetCore;

/// <summary>Maps the registries HTTP API into an ASP.NET Core application.</summary>
public static class RegistriesEndpointRouteBuilderExtensions
{
    /// <summary>The default route prefix of <see cref="MapRegistries"/>.</summary>
    public const string DefaultPattern = "/api/registries";

    /// <summary>Maps the endpoints for environments, members, registries, the policy, the mirrors, resolve, explain and
    /// the exports under <paramref name="pattern"/>.</summary>
    /// <param name="endpoints">The application (or another route builder).</param>
    /// <param name="pattern">The route prefix; <c>/api/registries</c> by default.</param>
    /// <returns>The group of the endpoints, so the application can add <c>.RequireAuthorization()</c>, rate limits or
    /// its own filters.</returns>
    /// <remarks>
    /// <para>Needs <c>services.AddRegistries().UseHttpApi()</c> (the caller from the request, ProblemDetails and the
    /// API's exception handler). The API's endpoints answer their own errors with that handler, with or without the
    /// framework's exception handler middleware (<c>app.UseExceptionHandler()</c>). A request without a caller gets 401 before anything is read. Every error is a ProblemDetails
    /// document (<c>application/problem+json</c>) with a one-line <c>detail</c>, a stable <c>type</c>
    /// (<c>urn:registries:problem:CODE</c>) and the same <c>code</c> as an extension; an error the API does not know
    /// (a bug) is a 500 with a generic detail, its type and stack trace in the log.</para>
    /// <para>Optimistic concurrency: a registry entry's responses carry its version as <c>ETag: "VERSION"</c> (and in
    /// the <c>version</c> field); a write sent with <c>If-Match: "VERSION"</c> (or a list, <c>"3", "4"</c>, of which any
    /// may be the current version) is refused with 409 (<c>version-conflict</c>) when the entry changed in the meantime;
    /// the store compares the version as it writes, so of two clients that read the same version exactly one wins and
    /// nothing is lost.</para>
    /// <para>Forged requests: every write (POST, PUT, PATCH and DELETE, also of endpoints the application adds to the
    /// returned group) is refused before the caller is looked at: with 403 (<c>cross-origin</c>) when the browser says
    /// it comes from another origin (<c>Sec-Fetch-Site</c> other than <c>same-origin</c> or <c>none</c>, or an
    /// <c>Origin</c> other than the request's own scheme, host and port), and with 415 (<c>unsupported-media-type</c>)
    /// when its content type is one a form or a no-cors fetch can send (<c>application/x-www-form-urlencoded</c>,
    /// <c>multipart/form-data</c>, <c>text/plain</c>). A bodyless write sends no content type; a client that is not a
    /// browser sends neither header and is not affected. Behind a reverse proxy, apply the forwarded scheme and host
    /// (<c>UseForwardedHeaders</c>) so that the application's own pages match.</para>
    /// <para>Names in the path: <c>{user}</c>, <c>{environmentId}</c> and <c>{registryId}</c> are percent-decoded once, from
    /// the request target as sent (a user <c>a/b</c> is written <c>a%2Fb</c>, a user <c>a%2Fb</c> <c>a%252Fb</c>); a user
    /// name that is not valid UTF-8 once decoded, empty, or holds a control or invisible formatting character is 400
    /// (<c>invalid-input</c>, field <c>user</c>), as in a body.</para>
    /// <para>Exports: what the format cannot hold (path-scoped and host-pattern entries in a Docker <c>config.json</c>,
    /// a denial a wider key would undo) is listed in the <c>Registries-Export-Notes</c> response header, a JSON array of
    /// sentences; <c>?strict=true</c> refuses such an export with 409 (<c>export-refused</c>, a <c>scopes</c>
    /// extension listing each entry).</para>
    /// <para>Scopes: an entry's documents carry <c>scope</c> (<c>registry.example.com/team</c>) and, when it is narrowed
    /// to a repository path, <c>path</c>; <c>GET .../explain?image=IMAGE</c> says which scope decides and why each other
    /// entry was not used.</para>
    /// <para>Policy and mirrors: <c>GET .../policy</c> and <c>GET .../mirrors</c> for every member; <c>POST
    /// .../policy/rules</c> (<c>effect</c>, <c>scope</c>, <c>digestOnly</c>), <c>DELETE .../policy/rules?scope=SCOPE</c>,
    /// <c>POST .../mirrors</c> (<c>upstream</c>, <c>mirror</c>, <c>rewrite</c>, <c>mirrorOnly</c>) and <c>DELETE
    /// .../mirrors?upstream=U&amp;mirror=M</c> for Owners. A scope holds <c>/</c>, so it travels in the body or the query,
    /// never in a path segment. <c>GET .../resolve</c> answers <c>policy</c> (the deciding rule) and <c>mirrors</c> (where
    /// the image would be pulled from, in order).</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is null.</exception>
    /// <exception cref="InvalidOperationException"><c>UseHttpApi()</c> was not called on the application's registries
    /// builder.</exception>
    public static RouteGroupBuilder MapRegistries(this IEndpointRouteBuilder endpoints, string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (endpoints.ServiceProvider.GetService<RegistriesHttpApiMarker>() is null)
        {
            // Without the API's exception handler every refusal would be an empty 500: said at startup instead.
            throw new InvalidOperationException(
                "MapRegistries needs the API's services: call services.AddRegistries().UseHttpApi().");
        }

        var group = endpoints.MapGroup(pattern);
        group.WithTags("Registries");
        group.WithMetadata(RegistriesApiMetadata.Instance);
        ((IEndpointConventionBuilder)group).Finally(Guard);
        RegistriesEndpoints.Map(group);
        return group;
    }

    // "Where from", "who is calling" and "which names", for every endpoint of the group (the application's own
    // included), before the framework binds the handler's arguments: a forged write is refused before anything else,
    // the caller is checked before a body is read or the store is asked, and the names in the route are decoded once
    // (RouteNames) so that the handlers are given them decoded. A refusal is thrown, and answered with every other error
    // by RegistriesExceptionHandler.
    private static void Guard(EndpointBuilder endpoint)
    {
        if (endpoint.RequestDelegate is not { } next)
        {
            return;
        }

        endpoint.RequestDelegate = async context =>
        {
            try
            {
                if (ForgedRequests.Refusal(context.Request) is { } forged)
                {
                    throw forged;
                }

                if (context.RequestServices.GetService<IRegistryCallerAccessor>()?.Caller is null)
                {
                    throw new MissingCallerException();
                }

                RouteNames.Decode(context);
                await next(context).ConfigureAwait(false);
            }
            catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // The API answers its own errors here, with the same handler the exception handler middleware would
                // run: an application that forgot app.UseExceptionHandler() would otherwise send an empty 500 for
                // every 404, 403 and 409 of the API.
                var handler = context.RequestServices.GetRequiredService<RegistriesExceptionHandler>();
                if (!await handler.TryHandleAsync(context, exception, context.RequestAborted).ConfigureAwait(false))
                {
                    throw;
                }
            }
        };
    }
}
