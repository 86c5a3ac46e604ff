using System.Runtime.CompilerServices;
using PublicApiGenerator;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>The public surface is a reviewed diff: a change to it shows up as a change of PublicApi.approved.txt.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApi_HostConfiguration_MatchesTheApprovedFile()
    {
        var api = typeof(InsecureRegistryConfigurator).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(SourceDirectory(), "PublicApi.approved.txt");
        var receivedPath = Path.Combine(SourceDirectory(), "PublicApi.received.txt");

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        if (approved != api)
        {
            File.WriteAllText(receivedPath, api);
        }
        else if (File.Exists(receivedPath))
        {
            File.Delete(receivedPath);
        }

        Assert.True(approved == api, $"The public API changed. Review {receivedPath} and, if intended, rename it to PublicApi.approved.txt.");
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
