using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registries.Core.HostConfiguration;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the Docker host configuration services.</summary>
public static class HostConfigurationRegistriesBuilderExtensions
{
    /// <summary>Registers <see cref="InsecureRegistryConfigurator"/> and <see cref="RegistryCertificateInstaller"/> as singletons over validated <see cref="DockerHostOptions"/>.</summary>
    /// <remarks>
    /// <para>The options are validated at start (<c>ValidateOnStart</c>): a relative or empty path, an undefined target or a
    /// connect timeout that is not positive or longer than an hour stops the host with an
    /// <see cref="OptionsValidationException"/> whose failures say what to fix.</para>
    /// <para>Services the application registered itself stay the ones used (<c>TryAdd</c>). Calling this method more than
    /// once is harmless; each call's <paramref name="configure"/> is applied. The services log the files they write
    /// through the registered <see cref="ILoggerFactory"/>, if any.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the paths and the timeout, or <see langword="null"/> for the standard locations.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseDockerHostConfiguration(this IRegistriesBuilder builder, Action<DockerHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<DockerHostOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DockerHostOptions>, DockerHostOptionsValidator>());
        builder.Services.TryAddSingleton(sp => new InsecureRegistryConfigurator(
            sp.GetRequiredService<IOptions<DockerHostOptions>>(),
            sp.GetService<ILoggerFactory>()));
        builder.Services.TryAddSingleton(sp => new RegistryCertificateInstaller(
            sp.GetRequiredService<IOptions<DockerHostOptions>>(),
            sp.GetService<ILoggerFactory>()));
        return builder;
    }
}
