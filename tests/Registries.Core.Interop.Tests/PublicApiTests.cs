using PublicApiGenerator;
using Snapshooter.Xunit;

namespace Registries.Core.Interop.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_Interop_MatchesApprovedSnapshot()
    {
        var api = typeof(DockerConfigExporter).Assembly.GeneratePublicApi(new ApiGeneratorOptions { ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute"] });

        Snapshot.Match(api);
    }

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
