using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Registries.Core.DependencyInjection;
using Registries.Core.FileStore;

namespace Registries.Core.DataProtection.Tests.DependencyInjection;

public sealed class DataProtectionRegistriesBuilderExtensionsTests : IDisposable
{
    private readonly TestDirectory _folder = new("registries-dataprotection-di-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void UseDataProtectionSecrets_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>(() => DataProtectionRegistriesBuilderExtensions.UseDataProtectionSecrets(null!));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UseDataProtectionSecrets_BeforeOrAfterUseFileStore_ReplacesTheKeyFileProtector(bool first)
    {
        var path = _folder.Combine("store.json");
        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(_folder.Combine("keys"))).SetApplicationName("di-tests");
        var builder = services.AddRegistries();
        if (first)
        {
            builder.UseDataProtectionSecrets().UseFileStore(path);
        }
        else
        {
            builder.UseFileStore(path).UseDataProtectionSecrets();
        }

        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var protector = Assert.IsType<DataProtectionSecretProtector>(provider.GetRequiredService<ISecretProtector>());
        Assert.Same(protector, provider.GetRequiredService<DataProtectionSecretProtector>());
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("r.example.com"), new RegistryCredential("o@example.com", "o", "pw"));
        Assert.False(File.Exists(path + ".key"));
        Assert.Contains("\"dp1.", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    public void UseDataProtectionSecrets_CalledTwice_OneProtector()
    {
        var services = new ServiceCollection();
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(_folder.Combine("keys")));
        services.AddRegistries().UseDataProtectionSecrets().UseDataProtectionSecrets();

        Assert.Single(services, d => d.ServiceType == typeof(ISecretProtector));
        Assert.Single(services, d => d.ServiceType == typeof(DataProtectionSecretProtector));
        using var provider = services.BuildServiceProvider(validateScopes: true);
        Assert.Same(provider.GetRequiredService<ISecretProtector>(), provider.GetRequiredService<DataProtectionSecretProtector>());
    }

    [Fact]
    public void UseDataProtectionSecrets_WithoutAddDataProtection_SaysWhatToCall()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseDataProtectionSecrets();
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ISecretProtector>());

        Assert.Contains("AddDataProtection()", error.Message, StringComparison.Ordinal);
        Assert.Contains("SetApplicationName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicTypes_InThePackageNamespace_ExceptTheDependencyInjectionExtensions()
    {
        var assembly = typeof(DataProtectionSecretProtector).Assembly;

        var misplaced = assembly.GetExportedTypes()
            .Where(t => t != typeof(DataProtectionRegistriesBuilderExtensions) && t.Namespace != "Registries.Core.DataProtection")
            .Select(t => t.FullName);

        Assert.Empty(misplaced);
        Assert.Equal("Registries.Core.DependencyInjection", typeof(DataProtectionRegistriesBuilderExtensions).Namespace);
        Assert.Equal([typeof(DataProtectionRegistriesBuilderExtensions), typeof(DataProtectionSecretProtector)], assembly.GetExportedTypes().OrderBy(t => t.Name, StringComparer.Ordinal));
    }
}
