using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the Docker adapter.</summary>
public static class DockerRegistriesBuilderExtensions
{
    /// <summary>Pulls images through a Docker Engine: registers <see cref="DockerImageEngine"/> as the <see cref="IImageEngine"/>, which makes <see cref="ImagePullService"/> available.</summary>
    /// <remarks>
    /// <para>Registers <see cref="DockerEngineOptions"/> (each call's <paramref name="configure"/> is applied, in order),
    /// their validator, and <c>ValidateOnStart</c>: invalid options (an endpoint with an unsupported scheme, a client
    /// certificate without its key) fail when the host starts, with an <see cref="OptionsValidationException"/> whose
    /// message says what to fix.</para>
    /// <para>The engine is a singleton, built with the <see cref="ILoggerFactory"/> of the container when there is one.
    /// An <see cref="IImageEngine"/> the application registered itself, before or after, stays the one used
    /// (<c>TryAdd</c>). Calling this method twice is harmless.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures the endpoint, timeout and TLS; by default <c>DOCKER_HOST</c> or the platform's socket.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseDocker(this IRegistriesBuilder builder, Action<DockerEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DockerEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerEngineOptions>, DockerEngineOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new DockerImageEngine(
            sp.GetRequiredService<IOptions<DockerEngineOptions>>(),
            sp.GetService<ILoggerFactory>()));
        builder.Services.TryAddSingleton<IImageEngine>(sp => sp.GetRequiredService<DockerImageEngine>());
        return builder;
    }
}
