using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.Sources;
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

    /// <summary>Plugs in the application's caller: every <see cref="RegistryService"/> operation acts as the caller <typeparamref name="TAccessor"/> gives.</summary>
    /// <typeparam name="TAccessor">The accessor, registered as a singleton (it must be thread-safe, and read the caller of the current request or job, for example through <c>IHttpContextAccessor</c>).</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Replaces an accessor registered before. Code that knows its caller can still use <see cref="RegistryService.As(string)"/>.</remarks>
    public static IRegistriesBuilder UseCaller<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TAccessor>(this IRegistriesBuilder builder)
        where TAccessor : class, IRegistryCallerAccessor
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryCallerAccessor, TAccessor>());
        return builder;
    }

    /// <summary>Plugs in the application's caller through a function asked at the start of every operation.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="caller">Returns the current caller's user name, or <see langword="null"/> when nobody is signed in
    /// (the operation then throws <see cref="MissingCallerException"/>). It gets the root service provider.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>For example, in ASP.NET Core:
    /// <c>.UseCaller(sp => sp.GetRequiredService&lt;IHttpContextAccessor&gt;().HttpContext?.User.Identity?.Name)</c>.</remarks>
    public static IRegistriesBuilder UseCaller(this IRegistriesBuilder builder, Func<IServiceProvider, string?> caller)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(caller);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryCallerAccessor>(sp => new DelegateCallerAccessor(sp, caller)));
        return builder;
    }

    private sealed class DelegateCallerAccessor(IServiceProvider services, Func<IServiceProvider, string?> caller) : IRegistryCallerAccessor
    {
        public RegistryCaller? Caller => caller(services) is { } name && !string.IsNullOrWhiteSpace(name) ? new RegistryCaller(name) : null;
    }

    /// <summary>Configures how fetched credentials are cached and renewed (see <see cref="CredentialSources"/>).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Configures <see cref="CredentialSourceOptions"/>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <remarks>Validated at start (<c>ValidateOnStart</c>) with the messages <see cref="CredentialSources"/> gives.
    /// Sources themselves are registered as <see cref="ICredentialSource"/> singletons (one per kind), for example by
    /// the interop package.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder ConfigureCredentialSources(this IRegistriesBuilder builder, Action<CredentialSourceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
