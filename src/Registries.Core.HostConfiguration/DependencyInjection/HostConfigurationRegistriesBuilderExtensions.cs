using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.HostConfiguration;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the Docker host configuration services.</summary>
public static class HostConfigurationRegistriesBuilderExtensions
{
    /// <summary>Registers <see cref="InsecureRegistryConfigurator"/> and <see cref="RegistryCertificateInstaller"/> as singletons over one set of paths.</summary>
    /// <remarks>Instances the application registered itself stay the ones used (<c>TryAdd</c>).</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The paths and timeouts; the standard locations when <see langword="null"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseDockerHostConfiguration(this IRegistriesBuilder builder, DockerHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var hostOptions = options ?? new DockerHostOptions();
        builder.Services.TryAddSingleton(hostOptions);
        builder.Services.TryAddSingleton(sp => new InsecureRegistryConfigurator(sp.GetRequiredService<DockerHostOptions>()));
        builder.Services.TryAddSingleton(sp => new RegistryCertificateInstaller(sp.GetRequiredService<DockerHostOptions>()));
        return builder;
    }
}
