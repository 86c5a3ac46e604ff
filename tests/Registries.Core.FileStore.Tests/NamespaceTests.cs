using System.Reflection;
using System.Runtime.CompilerServices;
using Registries.Core.DependencyInjection;

namespace Registries.Core.FileStore.Tests;

/// <summary>The package's types live under its own name, as every package's do (API14: namespaces follow packages).</summary>
public sealed class NamespaceTests
{
    private static readonly Assembly FileStore = typeof(FileRegistryStore).Assembly;

    [Fact]
    public void PublicTypes_AllInRegistriesCoreFileStore_ExceptTheDependencyInjectionExtensions()
    {
        var misplaced = FileStore.GetExportedTypes()
            .Where(t => t != typeof(FileStoreRegistriesBuilderExtensions) && t.Namespace != "Registries.Core.FileStore")
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(misplaced);
        Assert.Equal("Registries.Core.DependencyInjection", typeof(FileStoreRegistriesBuilderExtensions).Namespace);
        Assert.Contains(typeof(FileStoreOptions), FileStore.GetExportedTypes());
        Assert.Contains(typeof(KeyFileSecretProtector), FileStore.GetExportedTypes());
    }

    [Fact]
    public void InternalTypes_InRegistriesCoreFileStore_OrTheLinkedSharedSource()
    {
        // Registries.Core.Shared is src/Shared, linked into several packages; nothing is left in Registries.Core.Storage.
        var misplaced = FileStore.GetTypes()
            .Where(t => !t.IsNested && !t.IsPublic && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null)
            .Where(t => t.Namespace is { } ns && ns.StartsWith("Registries", StringComparison.Ordinal))
            .Where(t => t.Namespace is not ("Registries.Core.FileStore" or "Registries.Core.Shared"))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(misplaced);
        Assert.Contains(FileStore.GetTypes(), t => t.Name == "FileStoreOptionsValidator" && t.Namespace == "Registries.Core.FileStore");
    }
}
