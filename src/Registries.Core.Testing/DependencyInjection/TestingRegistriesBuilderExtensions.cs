using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Testing;

namespace Registries.Core.DependencyInjection;

/// <summary>Puts the test doubles of Registries.Core.Testing into an application's service collection.</summary>
public static class TestingRegistriesBuilderExtensions
{
    /// <summary>Makes <paramref name="engine"/> the <see cref="IImageEngine"/>, replacing one registered before (for example by <c>UseDocker</c> in the application's own start-up code).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="engine">The fake engine the test asserts on.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>Call it after the application's registrations, as a test host's <c>ConfigureServices</c> does.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseFakeImageEngine(this IRegistriesBuilder builder, FakeImageEngine engine)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(engine);
        builder.Services.Replace(ServiceDescriptor.Singleton<IImageEngine>(engine));
        builder.Services.TryAddSingleton(engine);
        return builder;
    }

    /// <summary>Makes the seeded store the application's <c>IRegistryStore</c>, replacing the one registered before.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="registries">What <see cref="RegistriesSeed.CreateAsync(Action{RegistriesSeedBuilder}, RegistriesOptions?, CancellationToken)"/> returned.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseSeededStore(this IRegistriesBuilder builder, SeededRegistries registries)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(registries);
        return builder.UseStore(_ => registries.Store);
    }

    /// <summary>Makes <paramref name="source"/> the <see cref="ICredentialSource"/> of its kind, replacing a source of the
    /// same kind registered before as an instance.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="source">The fake source the test scripts and asserts on.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <remarks>A source of the same kind that the application registers with a factory or a type is not replaced (the
    /// kind is known only once it is built): register the fake instead of it.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseFakeCredentialSource(this IRegistriesBuilder builder, FakeCredentialSource source)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        var services = builder.Services;
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(ICredentialSource) && !services[i].IsKeyedService
                && services[i].ImplementationInstance is ICredentialSource existing && existing.Kind == source.Kind)
            {
                services.RemoveAt(i);
            }
        }

        services.AddSingleton<ICredentialSource>(source);
        return builder;
    }
}
