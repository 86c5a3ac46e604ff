using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.AspNetCore.Tests.Infrastructure;
using Registries.Core.DependencyInjection;

namespace Registries.Core.AspNetCore.Tests.DependencyInjection;

/// <summary>UseHttpContextCaller and UseHttpApi: argument checks, what they register, the options, and the caller given.</summary>
public sealed class AspNetCoreRegistriesBuilderExtensionsTests
{
    [Fact]
    public void UseHttpContextCaller_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => AspNetCoreRegistriesBuilderExtensions.UseHttpContextCaller(null!));

    [Fact]
    public void UseHttpContextCaller_RegistersTheAccessorsAndReplacesAnEarlierCaller()
    {
        var services = new ServiceCollection();

        var builder = services.AddRegistries().UseCaller(_ => "someone").UseHttpContextCaller();
        builder.UseHttpContextCaller();

        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetService<IHttpContextAccessor>());
        Assert.IsType<HttpContextCallerAccessor>(provider.GetRequiredService<IRegistryCallerAccessor>());
        Assert.Single(services, d => d.ServiceType == typeof(IRegistryCallerAccessor));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<HttpContextCallerOptions>));

        // Outside a request there is no caller.
        Assert.Null(provider.GetRequiredService<IRegistryCallerAccessor>().Caller);
    }

    [Fact]
    public void UseHttpContextCaller_BlankClaimType_FailsValidation()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseHttpContextCaller(options => options.ClaimType = " ");

        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HttpContextCallerOptions>>().Value);
        Assert.Contains("ClaimType", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseHttpContextCaller_ClaimType_TakesTheCallerFromThatClaim()
    {
        await using var api = new ApiFactory(options => options.ClaimType = "email");
        await api.SeedAsync();
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add(HeaderAuthenticationHandler.EmailHeader, ApiFactory.Member);

        // Signed in as "nobody", but the email claim names the Member.
        var response = await ApiFactory.SendAsync(client, HttpMethod.Get, $"/api/registries/environments/{api.EnvironmentId}/registries", "nobody");

        Assert.Equal(200, response.Status);
    }

    [Fact]
    public async Task UseHttpContextCaller_ClaimTypeMissingFromTheRequest_Is401()
    {
        await using var api = new ApiFactory(options => options.ClaimType = "email");
        await api.SeedAsync();

        var response = await api.SendAsync(HttpMethod.Get, $"/api/registries/environments/{api.EnvironmentId}/registries", ApiFactory.Member);

        response.AssertProblem(401, "unauthenticated");
    }

    [Fact]
    public void UseHttpApi_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => AspNetCoreRegistriesBuilderExtensions.UseHttpApi(null!));

    [Fact]
    public void UseHttpApi_CalledTwice_RegistersTheCallerProblemDetailsAndOneExceptionHandler()
    {
        var services = new ServiceCollection();
        services.AddLogging();

        var builder = services.AddRegistries().UseCaller(_ => "someone").UseHttpApi();
        Assert.Same(builder, builder.UseHttpApi(options => options.ClaimType = "sub"));

        using var provider = services.BuildServiceProvider();
        Assert.IsType<HttpContextCallerAccessor>(provider.GetRequiredService<IRegistryCallerAccessor>());
        Assert.NotNull(provider.GetService<IProblemDetailsService>());
        Assert.IsType<RegistriesExceptionHandler>(Assert.Single(provider.GetServices<IExceptionHandler>()));
        Assert.Equal("sub", provider.GetRequiredService<IOptions<HttpContextCallerOptions>>().Value.ClaimType);
    }
}
