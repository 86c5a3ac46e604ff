using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Registries.Core.DataProtection;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the protector over ASP.NET Core Data Protection.</summary>
/// <remarks>In the builder's namespace, so that one <c>using Registries.Core.DependencyInjection;</c> brings every <c>Use*</c> method.</remarks>
public static class DataProtectionRegistriesBuilderExtensions
{
    /// <summary>Protects registry passwords with the application's ASP.NET Core Data Protection, so that every instance of
    /// the application decrypts what another wrote.</summary>
    /// <remarks>
    /// <para>Registers a <see cref="DataProtectionSecretProtector"/> (a singleton, also resolvable as itself) as the
    /// <see cref="ISecretProtector"/>, replacing any other (the file store's default key-file protector included),
    /// whether <c>UseFileStore</c> is called before or after.</para>
    /// <para>It does not configure Data Protection: the application does, the same way on every instance, for example
    /// <c>services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo("/srv/shared/keys")).SetApplicationName("my-platform")</c>.
    /// Every instance must share the key ring and the application name. Without <c>AddDataProtection()</c>, resolving the
    /// protector fails with an <see cref="InvalidOperationException"/> that says so.</para>
    /// <para>Calling this method more than once is harmless.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UseDataProtectionSecrets(this IRegistriesBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(sp => new DataProtectionSecretProtector(
            sp.GetService<IDataProtectionProvider>()
                ?? throw new InvalidOperationException("UseDataProtectionSecrets() needs ASP.NET Core Data Protection: call services.AddDataProtection().PersistKeysTo...(shared key ring).SetApplicationName(name), the same on every instance.")));
        services.Replace(ServiceDescriptor.Singleton<ISecretProtector>(sp => sp.GetRequiredService<DataProtectionSecretProtector>()));
        return builder;
    }
}
