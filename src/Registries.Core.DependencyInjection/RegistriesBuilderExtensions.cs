using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Builder extensions of the core package.</summary>
public static class RegistriesBuilderExtensions
{
    /// <summary>Uses the in-memory store (the default): one process, nothing kept across restarts.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseInMemoryStore(this IRegistriesBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryStore, InMemoryRegistryStore>());
        return builder;
    }

    /// <summary>Uses a store the application provides.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="factory">Creates the store once, from the service provider.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseStore(this IRegistriesBuilder builder, Func<IServiceProvider, IRegistryStore> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        return builder;
    }

    /// <summary>Configures the options again (for example from an adapter or a later part of start-up).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="RegistriesOptions"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IRegistriesBuilder Configure(this IRegistriesBuilder builder, Action<RegistriesOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
