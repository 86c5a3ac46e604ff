using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Registries.Core.DependencyInjection;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>MapRegistries: argument checks, and the group it returns under the pattern given.</summary>
public sealed class RegistriesEndpointRouteBuilderExtensionsTests
{
    [Fact]
    public void MapRegistries_NullArguments_Throw()
    {
        using var app = NewApp();
        Assert.Throws<ArgumentNullException>(() => RegistriesEndpointRouteBuilderExtensions.MapRegistries(null!));
        Assert.Throws<ArgumentNullException>(() => app.MapRegistries(null!));
    }

    [Fact]
    public async Task MapRegistries_Pattern_MapsEveryEndpointUnderIt()
    {
        await using var app = NewApp();

        var group = app.MapRegistries("/v2/reg").RequireAuthorization();

        Assert.NotNull(group);
        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToArray();
        Assert.Equal(23, routes.Length);
        Assert.All(routes, route => Assert.StartsWith("/v2/reg/environments", route, StringComparison.Ordinal));
    }

    private static WebApplication NewApp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddRegistries().UseHttpApi();
        builder.Services.AddAuthorization();
        return builder.Build();
    }
}
