using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registries.Core.AspNetCore;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the ASP.NET Core caller (the user of the current request) and the services of the HTTP API.</summary>
public static class AspNetCoreRegistriesBuilderExtensions
{
    /// <summary>Takes the caller of every registry operation from the current request's
    /// <see cref="System.Security.Claims.ClaimsPrincipal"/> (its authenticated identity's name, or the claim set in
    /// <see cref="HttpContextCallerOptions.ClaimType"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures which claim names the caller; optional.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Registers <c>IHttpContextAccessor</c> and replaces any caller registered before (as
    /// <see cref="RegistriesBuilderExtensions.UseCaller{TAccessor}(IRegistriesBuilder)"/> does). An anonymous request has
    /// no caller: the library throws <see cref="MissingCallerException"/>, and the endpoints of
    /// <see cref="RegistriesEndpointRouteBuilderExtensions.MapRegistries"/> answer 401. An application that maps the
    /// HTTP API calls <see cref="UseHttpApi"/>, which calls this.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IRegistriesBuilder UseHttpContextCaller(this IRegistriesBuilder builder, Action<HttpContextCallerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<HttpContextCallerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpContextCallerOptions>, HttpContextCallerOptionsValidator>());
        builder.Services.AddHttpContextAccessor();
        builder.Services.TryAddSingleton<HttpContextCallerAccessor>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryCallerAccessor>(sp => sp.GetRequiredService<HttpContextCallerAccessor>()));
        return builder;
    }

    /// <summary>Registers what the HTTP API of <see cref="RegistriesEndpointRouteBuilderExtensions.MapRegistries"/>
    /// needs: the caller from the request (<see cref="UseHttpContextCaller"/>), the framework's ProblemDetails service
    /// (<c>AddProblemDetails()</c>) and the API's <see cref="IExceptionHandler"/>, which answers every error of the API's
    /// endpoints with its ProblemDetails.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures which claim names the caller; optional.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>
    /// <para>The API's endpoints hand their errors to this handler themselves, so they are answered whether or not the
    /// application runs the framework's exception handler middleware (<c>app.UseExceptionHandler()</c>); the handler
    /// answers for the API's endpoints only, and the application's other endpoints keep their own error handling.</para>
    /// <para>It maps the library's documented exceptions to their status and <c>urn:registries:problem:CODE</c> type
    /// (404 not found or not a member, 403 not permitted, 409 refused by the rules or a stale version, 503 the store
    /// down, 401 no caller) and the API's own refusals of its input to 400, 413 or 415; anything else is a bug: 500
    /// with a generic detail, its type and stack trace in the log, never its message. Harmless when called twice.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    public static IRegistriesBuilder UseHttpApi(this IRegistriesBuilder builder, Action<HttpContextCallerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseHttpContextCaller(configure);
        builder.Services.AddProblemDetails();
        // One instance, registered for the middleware and resolved by the API's endpoints themselves.
        builder.Services.TryAddSingleton<RegistriesExceptionHandler>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IExceptionHandler, RegistriesExceptionHandler>(sp => sp.GetRequiredService<RegistriesExceptionHandler>()));
        builder.Services.TryAddSingleton<RegistriesHttpApiMarker>();
        return builder;
    }
}
