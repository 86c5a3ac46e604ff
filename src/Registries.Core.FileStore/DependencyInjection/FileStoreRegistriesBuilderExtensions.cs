using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the durable file store.</summary>
public static class FileStoreRegistriesBuilderExtensions
{
    /// <summary>Keeps environments and registries in one JSON file, with passwords encrypted by a key file next to it (<c>PATH.key</c>, mode 0600).</summary>
    /// <remarks>Replaces the in-memory default. Several processes may share the file. The key file is created on the
    /// first write that needs it; back it up apart from the store file.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The store file.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static IRegistriesBuilder UseFileStore(this IRegistriesBuilder builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryStore>(_ => FileRegistryStore.Open(fullPath)));
        return builder;
    }

    /// <summary>Keeps environments and registries in one JSON file, with passwords protected by the given protector.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The store file.</param>
    /// <param name="protector">Creates the protector (for example one over ASP.NET Core Data Protection).</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="protector"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public static IRegistriesBuilder UseFileStore(this IRegistriesBuilder builder, string path, Func<IServiceProvider, ISecretProtector> protector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(protector);
        var fullPath = Path.GetFullPath(path);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryStore>(sp => new FileRegistryStore(fullPath, protector(sp))));
        return builder;
    }
}
