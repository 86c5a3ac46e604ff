using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Registries.Core.DependencyInjection;

namespace Registries.Core.AspNetCore.Tests.Infrastructure;

/// <summary>The small application the tests serve, the way an application wires the package: AddRegistries with the
/// HTTP API's services, header authentication, the exception handler middleware, MapRegistries and the OpenAPI
/// document.</summary>
internal static class TestApp
{
    public static void ConfigureServices(IServiceCollection services, SwitchableStore store, FakeLogCollector logs, Action<HttpContextCallerOptions>? caller = null)
    {
        services.AddLogging(logging => logging.ClearProviders().AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        services.AddAuthentication(HeaderAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>(HeaderAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddRegistries()
            .UseStore(_ => store)
            .UseHttpApi(caller);
        services.AddOpenApi();
    }

    public static void Configure(IApplicationBuilder app, Action<RouteGroupBuilder>? group = null)
    {
        app.UseExceptionHandler();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseEndpoints(endpoints => MapEndpoints(endpoints, group));
    }

    public static void MapEndpoints(IEndpointRouteBuilder endpoints, Action<RouteGroupBuilder>? group = null)
    {
        var registries = endpoints.MapRegistries();
        group?.Invoke(registries);
        endpoints.MapOpenApi();
    }
}
