using System.Reflection;
using System.Runtime.CompilerServices;
using Registries.Core.DependencyInjection;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The package's types live under its own name, as every package's do (API14: namespaces follow packages).</summary>
public sealed class NamespaceTests
{
    private static readonly Assembly PostgreSql = typeof(PostgreSqlRegistryStore).Assembly;

    [Fact]
    public void PublicTypes_AllInRegistriesCorePostgreSql_ExceptTheDependencyInjectionExtensions()
    {
        var misplaced = PostgreSql.GetExportedTypes()
            .Where(t => t != typeof(PostgreSqlRegistriesBuilderExtensions) && t.Namespace != "Registries.Core.PostgreSql")
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(misplaced);
        Assert.Equal("Registries.Core.DependencyInjection", typeof(PostgreSqlRegistriesBuilderExtensions).Namespace);
        Assert.Equal(
            ["PostgreSqlRegistriesBuilderExtensions", "PostgreSqlRegistryStore", "PostgreSqlStoreOptions"],
            PostgreSql.GetExportedTypes().Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void InternalTypes_InRegistriesCorePostgreSql_OrTheLinkedSharedSource()
    {
        // Registries.Core.Shared is src/Shared, linked into several packages (here: the options validation).
        var misplaced = PostgreSql.GetTypes()
            .Where(t => !t.IsNested && !t.IsPublic && t.GetCustomAttribute<CompilerGeneratedAttribute>() is null)
            .Where(t => t.Namespace is { } ns && ns.StartsWith("Registries", StringComparison.Ordinal))
            .Where(t => t.Namespace is not ("Registries.Core.PostgreSql" or "Registries.Core.Shared"))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(misplaced);
    }
}
