namespace Registries.Architecture.Tests;

/// <summary>Namespaces follow packages: a reader who sees a type's namespace knows which package to reference.</summary>
public sealed class NamespaceTests
{
    // The builder's namespace: every package's Use* extensions live there (in the package's DependencyInjection
    // folder), so one using brings them all, as Microsoft.Extensions packages do for IServiceCollection.
    private const string BuilderNamespace = "Registries.Core.DependencyInjection";

    [Theory]
    [MemberData(nameof(PackageAssemblies.Names), MemberType = typeof(PackageAssemblies))]
    public void PublicTypes_LiveUnderTheirPackagesName(string assemblyName)
    {
        var offenders = PackageAssemblies.ByName(assemblyName).GetExportedTypes()
            .Where(t => !IsUnder(t.Namespace, assemblyName) && !IsBuilderExtension(t))
            .Select(t => t.FullName)
            .ToArray();

        Assert.Empty(offenders);
    }

    [Fact]
    public void Namespaces_BelongToOnePackageEach_ExceptTheBuildersExtensions()
    {
        var shared = PackageAssemblies.All
            .SelectMany(a => a.GetExportedTypes().Where(t => !IsBuilderExtension(t)).Select(t => (Namespace: t.Namespace!, Package: a.GetName().Name!)))
            .Distinct()
            .GroupBy(x => x.Namespace, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key + ": " + string.Join(", ", g.Select(x => x.Package)))
            .ToArray();

        Assert.Empty(shared);
    }

    [Theory]
    [MemberData(nameof(PackageAssemblies.Names), MemberType = typeof(PackageAssemblies))]
    public void BuilderExtensions_AreInTheBuildersNamespace(string assemblyName)
    {
        var misplaced = PackageAssemblies.ByName(assemblyName).GetExportedTypes()
            .Where(t => t.Name.EndsWith("RegistriesBuilderExtensions", StringComparison.Ordinal) && t.Namespace != BuilderNamespace)
            .Select(t => t.FullName)
            .ToArray();

        Assert.Empty(misplaced);
    }

    private static bool IsUnder(string? ns, string package)
        => ns is not null && (ns == package || ns.StartsWith(package + ".", StringComparison.Ordinal));

    private static bool IsBuilderExtension(Type type)
        => type.Namespace == BuilderNamespace && type.IsAbstract && type.IsSealed
            && (type.Name.EndsWith("RegistriesBuilderExtensions", StringComparison.Ordinal) || type.Name == "RegistriesServiceCollectionExtensions");
}
