using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Registries.Core.Diagnostics;
using Registries.Core.Engine;
using Registries.Core.Events;
using Registries.Core.Sources;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers Registries.Core in a service collection.</summary>
public static class RegistriesServiceCollectionExtensions
{
    /// <summary>Adds the registry services: <see cref="RegistryService"/> (for users), <see cref="LaunchResolver"/> (for the platform's launch path), the in-memory store by default, validated options, logging and <see cref="RegistriesTelemetry"/> (metrics and traces).</summary>
    /// <remarks>
    /// <para>Defaults are registered with <c>TryAdd*</c>: a store, observer or engine that the application registered
    /// before or after stays the one used. Calling this method more than once is harmless; each call's
    /// <paramref name="configure"/> is applied. Options are validated at start (<c>ValidateOnStart</c>) and on first use.</para>
    /// <para>Credential sources: every <see cref="ICredentialSource"/> registered (one per kind) serves the entries whose
    /// credential comes from a source, through one <see cref="CredentialSources"/> cache shared by the services, with
    /// <see cref="CredentialSourceOptions"/> (validated at start), the registered <see cref="TimeProvider"/> and a logging
    /// observer that never logs a secret.</para>
    /// <para>Lifetimes: everything is a singleton; the store and services are thread-safe.
    /// <see cref="ImagePullService"/> is available once an engine is registered (for example with <c>UseDocker</c>).</para>
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures <see cref="RegistriesOptions"/>, or <see langword="null"/>.</param>
    /// <returns>A builder for adapters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder AddRegistries(this IServiceCollection services, Action<RegistriesOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<RegistriesOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RegistriesOptions>, RegistriesOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRegistryStore, InMemoryRegistryStore>();

        // Metrics through the application's IMeterFactory when it has one (every host does), so that its meter is the
        // application's to scope and dispose; spans on the library's one ActivitySource.
        services.TryAddSingleton(sp => new RegistriesTelemetry(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new RegistriesLogging(sp.GetService<ILogger<RegistriesLogging>>() ?? NullLogger<RegistriesLogging>.Instance));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IRegistryEventObserver, RegistriesLogging>(sp => sp.GetRequiredService<RegistriesLogging>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IResolutionObserver, RegistriesLogging>(sp => sp.GetRequiredService<RegistriesLogging>()));
        services.TryAddSingleton<IObserverFailureHandler>(sp => sp.GetRequiredService<RegistriesLogging>());
        AddCredentialSources(services);
        services.TryAddSingleton(sp => new LaunchResolver(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<IOptions<RegistriesOptions>>().Value,
            sp.GetServices<IResolutionObserver>(),
            sp.GetService<IObserverFailureHandler>(),
            sp.GetRequiredService<CredentialSources>(),
            sp.GetRequiredService<RegistriesTelemetry>()));

        // The caller comes from the accessor the application registers (UseCaller); without one, every operation needs
        // a caller bound with RegistryService.As(user).
        services.TryAddSingleton(sp => new RegistryService(
            sp.GetRequiredService<IRegistryStore>(),
            sp.GetRequiredService<IOptions<RegistriesOptions>>().Value,
            sp.GetService<IRegistryCallerAccessor>(),
            sp.GetServices<IRegistryEventObserver>(),
            sp.GetServices<IResolutionObserver>(),
            sp.GetService<IObserverFailureHandler>(),
            sp.GetRequiredService<CredentialSources>(),
            sp.GetRequiredService<RegistriesTelemetry>()));

        // A launch acts for the platform, not for a user: the pull service resolves through the caller-less LaunchResolver.
        services.TryAddSingleton(sp => new ImagePullService(
            sp.GetRequiredService<LaunchResolver>(),
            sp.GetService<IImageEngine>() ?? throw new InvalidOperationException(
                "No container engine is registered: call services.AddRegistries().UseDocker(...) (or register an IImageEngine) to pull images.")));
        return new RegistriesBuilder(services);
    }

    // One cache for the whole container, shared by RegistryService and LaunchResolver: every ICredentialSource registered
    // (before or after), the validated options, the container's TimeProvider and every ICredentialSourceObserver (the
    // logging one by default, never given a secret).
    private static void AddCredentialSources(IServiceCollection services)
    {
        services.AddOptions<CredentialSourceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CredentialSourceOptions>, CredentialSourceOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICredentialSourceObserver, RegistriesLogging>(sp => sp.GetRequiredService<RegistriesLogging>()));
        services.TryAddSingleton(sp => new CredentialSources(
            sp.GetServices<ICredentialSource>(),
            sp.GetRequiredService<IOptions<CredentialSourceOptions>>().Value,
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetServices<ICredentialSourceObserver>(),
            sp.GetRequiredService<RegistriesTelemetry>()));
    }
}
