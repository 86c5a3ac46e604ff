using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Registries.Core.AspNetCore;

// Every error of the API's endpoints leaves here: the endpoints hand it over themselves (MapRegistries' guard), and the
// framework's exception handler middleware would too (with the ProblemDetails service that UseHttpApi registers): the library's documented
// exceptions and the API's own refusals get their status and code (ApiProblems), anything else a generic 500. Only the
// endpoints of MapRegistries' group are answered; the application's other endpoints keep their own error handling.
internal sealed class RegistriesExceptionHandler(ILoggerFactory loggerFactory) : IExceptionHandler
{
    // The category the API has always logged under.
    private readonly ILogger _logger = loggerFactory.CreateLogger("Registries.Core.AspNetCore");

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);

        // The middleware has cleared the endpoint by now and keeps it in its feature, with the path as it was (an
        // ExceptionHandlingPath rewrites the request's).
        var feature = httpContext.Features.Get<IExceptionHandlerFeature>();
        var endpoint = feature?.Endpoint ?? httpContext.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RegistriesApiMetadata>() is null)
        {
            return false;
        }

        var path = feature?.Path ?? httpContext.Request.Path.Value ?? string.Empty;
        var problem = ApiProblems.From(exception, _logger, httpContext.Request.Method, path);
        await TypedResults.Problem(problem).ExecuteAsync(httpContext).ConfigureAwait(false);
        return true;
    }
}

// Marks the endpoints of MapRegistries' group (the application's own ones added to it included): the exception handler
// answers for these only.
internal sealed class RegistriesApiMetadata
{
    public static readonly RegistriesApiMetadata Instance = new();

    private RegistriesApiMetadata()
    {
    }
}

// Registered by UseHttpApi: MapRegistries refuses to map the API without its exception handler.
internal sealed class RegistriesHttpApiMarker
{
}
