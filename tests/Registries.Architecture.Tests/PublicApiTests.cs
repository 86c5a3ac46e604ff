using PublicApiGenerator;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>The public surface of each package is approved: a change to it is a reviewed diff of PublicApi/*.approved.txt.</summary>
public sealed class PublicApiTests
{
    [Theory]
    [MemberData(nameof(PackageAssemblies.Names), MemberType = typeof(PackageAssemblies))]
    public void PublicApi_MatchesTheApprovedFile(string assemblyName)
    {
        var actual = PackageAssemblies.ByName(assemblyName).GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute", "System.Runtime.CompilerServices.InternalsVisibleToAttribute"],
        }).ReplaceLineEndings("\n");
        var approvedPath = RepositoryPaths.Combine("tests", "Registries.Architecture.Tests", "PublicApi", assemblyName + ".approved.txt");
        var receivedPath = Path.ChangeExtension(approvedPath, ".received.txt");

        if (Environment.GetEnvironmentVariable("REGISTRIES_ACCEPT_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (approved != actual)
        {
            File.WriteAllText(receivedPath, actual);
            Assert.Fail(
                $"The public API of {assemblyName} changed. Review the difference between {receivedPath} and {approvedPath}; "
                + "if it is deliberate, run the tests once with REGISTRIES_ACCEPT_API=1 and commit the approved file.");
        }

        File.Delete(receivedPath);
    }
}
