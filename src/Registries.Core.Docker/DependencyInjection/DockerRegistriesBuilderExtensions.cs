using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the Docker adapter.</summary>
public static class DockerRegistriesBuilderExtensions
{
    /// <summary>Pulls images through a Docker Engine: registers <see cref="DockerImageEngine"/> as the <see cref="IImageEngine"/>, which makes <see cref="ImagePullService"/> available.</summary>
    /// <remarks>The engine is a singleton. An <see cref="IImageEngine"/> the application registered itself stays the one
    /// used (<c>TryAdd</c>). Options are validated at start: an endpoint with an unsupported scheme fails then, with the fix in the message.</remarks>
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
        builder.Services.TryAddSingleton(sp => new DockerImageEngine(sp.GetRequiredService<IOptions<DockerEngineOptions>>().Value));
        builder.Services.TryAddSingleton<IImageEngine>(sp => sp.GetRequiredService<DockerImageEngine>());
        return builder;
    }

    private sealed class DockerEngineOptionsValidator : IValidateOptions<DockerEngineOptions>
    {
        public ValidateOptionsResult Validate(string? name, DockerEngineOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
