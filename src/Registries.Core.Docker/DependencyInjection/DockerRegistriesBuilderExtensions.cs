using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.Shared;

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

    /// <summary>Adds the Docker Engine's health check, <c>registries-docker</c>: the Engine answers its ping
    /// (<c>GET /_ping</c>); Unhealthy otherwise.</summary>
    /// <remarks>Tagged <c>ready</c> unless <paramref name="tags"/> says otherwise (an engine that is down makes an
    /// instance unready for launches, never worth restarting it). A ping that takes longer than <paramref name="timeout"/>
    /// (5 s by default) reports Unhealthy. Calling this more than once is harmless. Needs <see cref="UseDocker"/>.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="tags">The check's tags, or <see langword="null"/> for <c>ready</c>.</param>
    /// <param name="timeout">How long the ping may take, or <see langword="null"/> for 5 s.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public static IRegistriesBuilder AddDockerHealthCheck(this IRegistriesBuilder builder, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistriesHealthChecks.Add(builder.Services, "registries-docker", sp => new DockerEngineHealthCheck(sp.GetRequiredService<DockerImageEngine>()), HealthStatus.Unhealthy, tags, timeout);
        return builder;
    }
}
