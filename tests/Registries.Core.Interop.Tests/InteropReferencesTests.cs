namespace Registries.Core.Interop.Tests;

/// <summary>The interop package depends on the domain, the registries builder it extends and Microsoft.Extensions'
/// options and DI abstractions, and the health checks (the credential sources' check, as the store packages have theirs)
/// only (its public API is approved in Registries.Architecture.Tests).</summary>
public sealed class InteropReferencesTests
{
    private static readonly string[] Allowed =
    [
        "Registries.Core",
        "Registries.Core.DependencyInjection",
        "Microsoft.Extensions.Options",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Diagnostics.HealthChecks",
        "Microsoft.Extensions.Diagnostics.HealthChecks.Abstractions",
        "netstandard",
    ];

    [Fact]
    public void References_Interop_OnlyTheDomainTheBuilderOptionsAndTheFramework()
    {
        var references = typeof(DockerConfigExporter).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("Registries.Core", references);
        Assert.All(references, name => Assert.True(
            Allowed.Contains(name, StringComparer.Ordinal) || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal),
            $"Registries.Core.Interop must reference only the domain, the registries builder, Microsoft.Extensions.Options/DependencyInjection.Abstractions, the health checks and the framework, not {name}."));
    }
}
