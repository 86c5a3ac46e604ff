using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Registries.Core.AspNetCore.Tests.Infrastructure;
using Registries.Core.DependencyInjection;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>The API's exception handler answers for the endpoints of MapRegistries' group only, and an application that
/// maps the API without its services learns it at startup.</summary>
public sealed class RegistriesExceptionHandlerTests
{
    [Fact]
    public async Task TryHandleAsync_EndpointOfAnotherPartOfTheApplication_LeavesItToTheApplication()
    {
        var handler = new RegistriesExceptionHandler(NullLoggerFactory.Instance);
        var context = ContextAfterTheMiddleware(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "the application's page"));

        var handled = await handler.TryHandleAsync(context, new EnvironmentNotFoundException("prod"), CancellationToken.None);

        Assert.False(handled);
        Assert.False(context.Response.HasStarted);
    }

    [Fact]
    public async Task TryHandleAsync_EndpointOfTheApi_AnswersWithItsProblem()
    {
        var handler = new RegistriesExceptionHandler(NullLoggerFactory.Instance);
        var context = ContextAfterTheMiddleware(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(RegistriesApiMetadata.Instance), "an API endpoint"));

        var handled = await handler.TryHandleAsync(context, new EnvironmentNotFoundException("prod"), CancellationToken.None);

        Assert.True(handled);
        Assert.Equal(404, context.Response.StatusCode);
        Assert.StartsWith("application/problem+json", context.Response.ContentType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEndpointOutsideTheGroup_ThatThrowsALibraryException_KeepsTheApplicationsOwnAnswer()
    {
        // The application calls the library from its own endpoint: the API's table does not take over its errors.
        await using var api = new ApiFactory();
        await api.SeedAsync();
        using var client = api.WithWebHostBuilder(web => web.Configure(app =>
        {
            app.UseExceptionHandler();
            app.UseRouting();
            app.UseEndpoints(endpoints =>
            {
                TestApp.MapEndpoints(endpoints);
                endpoints.MapGet("/mine", () => { throw new EnvironmentNotFoundException("prod"); });
            });
        })).CreateClient();

        using var response = await client.GetAsync(new Uri("/mine", UriKind.Relative));

        Assert.Equal(500, (int)response.StatusCode);
        Assert.DoesNotContain("urn:registries:problem", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void MapRegistries_WithoutUseHttpApi_ThrowsAtStartupNamingTheWiring()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRegistries().UseHttpContextCaller();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapRegistries());

        Assert.Contains("UseHttpApi()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApiEndpoints_WithoutTheExceptionHandlerMiddleware_StillAnswerTheirProblems()
    {
        // An application that forgot app.UseExceptionHandler(): the API's 404 must not become an empty 500.
        await using var api = new ApiFactory();
        await api.SeedAsync();
        using var client = api.WithWebHostBuilder(web => web.Configure(app =>
        {
            app.UseRouting();
            app.UseAuthentication();
            app.UseAuthorization();
            app.UseEndpoints(endpoints => TestApp.MapEndpoints(endpoints));
        })).CreateClient();

        var response = await ApiFactory.SendAsync(client, HttpMethod.Get, "/api/registries/environments/no-such-environment", ApiFactory.Owner);

        Assert.Equal(404, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Contains("urn:registries:problem:not-found", response.Body, StringComparison.Ordinal);
    }

    // What the exception handler middleware hands its handlers: the endpoint cleared, kept in the feature.
    private static DefaultHttpContext ContextAfterTheMiddleware(Endpoint endpoint)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = new InvalidOperationException(), Endpoint = endpoint, Path = "/api/registries/environments/prod" });
        return context;
    }
}
