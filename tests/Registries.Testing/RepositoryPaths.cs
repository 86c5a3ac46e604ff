namespace Registries.Testing;

/// <summary>Finds files of the repository from a test's output folder.</summary>
/// <remarks>Not from <c>[CallerFilePath]</c>: CI builds map source paths to <c>/_/</c> (ContinuousIntegrationBuild).</remarks>
public static class RepositoryPaths
{
    /// <summary>Gets the repository's root folder (the one holding Registries.Core.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Gets the configuration the tests were built in.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>Returns a path below the repository's root.</summary>
    /// <param name="parts">The path's parts.</param>
    /// <returns>The full path.</returns>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Registries.Core.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Registries.Core.sln above {AppContext.BaseDirectory}.");
    }
}
