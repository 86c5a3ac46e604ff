using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>The published native executables (samples/Registries.CredentialHelper and
/// samples/Registries.KubeletCredentialProvider, NativeAOT): eng/test.sh publishes them once into
/// <c>artifacts/native</c> and names the folder in <see cref="DirectoryVariable"/>.</summary>
/// <remarks>A test that runs them is marked Integration: it needs that publish step, which the unit loop does not
/// run. When they are missing it fails and says how to publish them; it never skips.</remarks>
internal static class NativeExecutables
{
    public const string DirectoryVariable = "REGISTRIES_TEST_NATIVE_DIR";

    public static string CredentialHelper => Find("docker-credential-registries", "Registries.CredentialHelper");

    public static string KubeletProvider => Find("registries-kubelet-credential-provider", "Registries.KubeletCredentialProvider");

    private static string Find(string name, string project)
    {
        var folder = System.Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } named ? named : RepositoryPaths.Combine("artifacts", "native");
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The native {name} is not published at {path}: run eng/test.sh (it publishes it), or dotnet publish samples/{project} -c Release -o artifacts/native, or name its folder in {DirectoryVariable}.");
        }

        return path;
    }
}
