namespace Registries.Testing;

/// <summary>A fresh folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
/// <remarks>The one temporary-folder helper of the test projects: created 0700 by the runtime, so other users of the
/// machine see nothing of what a test writes there.</remarks>
public sealed class TestDirectory : IDisposable
{
    /// <summary>Creates the folder.</summary>
    /// <param name="prefix">The start of its name, so that a folder left behind says which tests made it.</param>
    public TestDirectory(string prefix = "registries-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>Gets the folder's full path.</summary>
    public string Path { get; }

    /// <summary>Returns the path of <paramref name="parts"/> inside the folder (nothing is created).</summary>
    /// <param name="parts">The relative path, one segment per argument or with '/'.</param>
    /// <returns>The full path.</returns>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Deletes the folder; a file that cannot be deleted (a test made it read-only) is left behind, never failing the test.</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
