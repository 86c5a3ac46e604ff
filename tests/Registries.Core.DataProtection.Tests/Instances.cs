using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Registries.Core.DependencyInjection;

namespace Registries.Core.DataProtection.Tests;

/// <summary>Application instances as a platform runs them: each its own service provider, all over one key folder.</summary>
internal static class Instances
{
    /// <summary>Starts an "instance": Data Protection over <paramref name="keyFolder"/> with <paramref name="applicationName"/>, and the Registries protector.</summary>
    /// <param name="keyFolder">The shared key ring folder.</param>
    /// <param name="applicationName">The application name every instance sets.</param>
    /// <returns>The instance's service provider.</returns>
    public static ServiceProvider Start(string keyFolder, string applicationName = "registries-tests")
    {
        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(keyFolder)).SetApplicationName(applicationName);
        services.AddRegistries().UseDataProtectionSecrets();
        return services.BuildServiceProvider(validateScopes: true);
    }

    /// <summary>Gets an instance's protector.</summary>
    /// <param name="instance">The instance.</param>
    /// <returns>Its <see cref="ISecretProtector"/>.</returns>
    public static ISecretProtector Protector(this ServiceProvider instance) => instance.GetRequiredService<ISecretProtector>();
}
