using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registries.Core.FileStore;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the durable file store.</summary>
/// <remarks>In the builder's namespace, so that one <c>using Registries.Core.DependencyInjection;</c> brings every <c>Use*</c> method.</remarks>
public static class FileStoreRegistriesBuilderExtensions
{
    /// <summary>Keeps environments and registries in one JSON file (<see cref="FileStoreOptions.Path"/>), with passwords
    /// encrypted by a key file (<see cref="FileStoreOptions.KeyPath"/>, by default <c>PATH.key</c>, mode 0600).</summary>
    /// <remarks>
    /// <para>Replaces the in-memory default store with a <see cref="FileRegistryStore"/> (a singleton, also resolvable as
    /// itself, for <see cref="FileRegistryStore.FilePath"/>). Several processes
    /// may share the file. The options are checked when the application starts (<c>ValidateOnStart</c>); options bound
    /// elsewhere (<c>services.Configure&lt;FileStoreOptions&gt;(...)</c>) count too, so <paramref name="configure"/> may be
    /// <see langword="null"/>.</para>
    /// <para>The passwords go through the registered <see cref="ISecretProtector"/>. The default, a
    /// <see cref="KeyFileSecretProtector"/> over <see cref="FileStoreOptions.KeyPath"/>, is added with <c>TryAdd</c>: a
    /// protector the application registers (for example over ASP.NET Core Data Protection), before or after, is the one
    /// used. The key file is created on the first write that needs it; back it up apart from the store file.</para>
    /// <para>Calling this method more than once is harmless: one store and one default protector are registered, and
    /// each call's <paramref name="configure"/> is applied in order.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (at least <see cref="FileStoreOptions.Path"/>), or <see langword="null"/> when they are configured elsewhere.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseFileStore(this IRegistriesBuilder builder, Action<FileStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<FileStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FileStoreOptions>, FileStoreOptionsValidator>());
        services.TryAddSingleton<ISecretProtector>(sp => new KeyFileSecretProtector(sp.GetRequiredService<IOptions<FileStoreOptions>>().Value.FullKeyPath()));
        services.Replace(ServiceDescriptor.Singleton(sp => new FileRegistryStore(
            sp.GetRequiredService<IOptions<FileStoreOptions>>(),
            sp.GetRequiredService<ISecretProtector>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetService<ILoggerFactory>())));
        services.Replace(ServiceDescriptor.Singleton<IRegistryStore>(sp => sp.GetRequiredService<FileRegistryStore>()));
        return builder;
    }

    /// <summary>Keeps environments and registries in the JSON file <paramref name="path"/>, with passwords encrypted by the key file <c>PATH.key</c>.</summary>
    /// <remarks>Short for <c>UseFileStore(o =&gt; o.Path = path)</c>; see <see cref="UseFileStore(IRegistriesBuilder, Action{FileStoreOptions})"/>.
    /// The path is made absolute here, from the current folder at registration.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The store file.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    public static IRegistriesBuilder UseFileStore(this IRegistriesBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);

        // Resolved now, as before: a relative path means the folder the application started in, not the one current when the store is first used.
        var fullPath = Path.GetFullPath(path);
        return builder.UseFileStore(o => o.Path = fullPath);
    }

    /// <summary>Keeps environments and registries in the JSON file <paramref name="path"/>, with passwords protected by the given protector.</summary>
    /// <remarks>Short for <c>UseFileStore(o =&gt; o.Path = path)</c> plus the registration of <paramref name="protector"/> as
    /// the application's <see cref="ISecretProtector"/>, replacing one registered before. No key file is used.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The store file.</param>
    /// <param name="protector">Creates the protector once (for example one over ASP.NET Core Data Protection).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="protector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    public static IRegistriesBuilder UseFileStore(this IRegistriesBuilder builder, string path, Func<IServiceProvider, ISecretProtector> protector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(protector);
        builder.UseFileStore(path);
        builder.Services.Replace(ServiceDescriptor.Singleton(protector));
        return builder;
    }

    /// <summary>Adds the file store's health check, <c>registries-store</c>: the store file is readable and the key
    /// that protects the passwords protects and reveals a probe; Unhealthy otherwise.</summary>
    /// <remarks>Tagged <c>ready</c> unless <paramref name="tags"/> says otherwise. A check that takes longer than
    /// <paramref name="timeout"/> (5 s by default) reports Unhealthy. Calling this more than once is harmless. Needs
    /// <c>UseFileStore</c>. The answer names the file and what to fix, never a secret.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="tags">The check's tags, or <see langword="null"/> for <c>ready</c>.</param>
    /// <param name="timeout">How long the check may take, or <see langword="null"/> for 5 s.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public static IRegistriesBuilder AddFileStoreHealthCheck(this IRegistriesBuilder builder, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistriesHealthChecks.Add(builder.Services, "registries-store", sp => new FileStoreHealthCheck(sp.GetRequiredService<FileRegistryStore>(), sp.GetRequiredService<ISecretProtector>()), HealthStatus.Unhealthy, tags, timeout);
        return builder;
    }
}
