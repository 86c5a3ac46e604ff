namespace Registries.Core.Interop.Tests;

/// <summary>The interop package depends on the domain only (its public API is approved in Registries.Architecture.Tests).</summary>
public sealed class InteropReferencesTests
{
    [Fact]
    public void References_Interop_OnlyTheDomainAndTheFramework()
    {
        var references = typeof(DockerConfigExporter).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("Registries.Core", references);
        Assert.All(references, name => Assert.True(
            name == "Registries.Core" || name.StartsWith("System", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal) || name == "netstandard",
            $"Registries.Core.Interop must reference only the domain and the framework, not {name}."));
    }
}
