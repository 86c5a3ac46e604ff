using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registries.Core.AspNetCore;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the ASP.NET Core caller: the user of the current request.</summary>
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
    /// <see cref="RegistriesEndpointRouteBuilderExtensions.MapRegistries"/> answer 401.</remarks>
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
}
