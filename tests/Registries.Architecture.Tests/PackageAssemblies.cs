using System.Reflection;

namespace Registries.Architecture.Tests;

/// <summary>The assemblies the repository ships as packages.</summary>
internal static class PackageAssemblies
{
    public static IReadOnlyList<Assembly> All { get; } =
    [
        typeof(Registries.Core.RegistryService).Assembly,
        typeof(Registries.Core.DependencyInjection.IRegistriesBuilder).Assembly,
        typeof(Registries.Core.Docker.DockerImageEngine).Assembly,
        typeof(Registries.Core.HostConfiguration.InsecureRegistryConfigurator).Assembly,
        typeof(Registries.Core.Interop.DockerConfigExporter).Assembly,
        typeof(Registries.Core.FileStore.FileRegistryStore).Assembly,
        typeof(Registries.Core.Testing.FakeImageEngine).Assembly,
        typeof(Registries.Core.Storage.Conformance.RegistryStoreConformanceTests).Assembly,
        typeof(Registries.Core.PostgreSql.PostgreSqlRegistryStore).Assembly,
        typeof(Registries.Core.DataProtection.DataProtectionSecretProtector).Assembly,
        typeof(Registries.Core.AspNetCore.RegistriesEndpointRouteBuilderExtensions).Assembly,
    ];

    public static Assembly Domain => typeof(Registries.Core.RegistryService).Assembly;

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var assembly in All)
        {
            data.Add(assembly.GetName().Name!);
        }

        return data;
    }

    public static Assembly ByName(string name) => All.Single(a => a.GetName().Name == name);
}
