namespace Registries.Core.Interop.Tests;

/// <summary>A folder for one test, deleted afterwards.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory()
    {
        Path = Directory.CreateTempSubdirectory("registries-interop-").FullName;
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Makes a certs.d folder that trusts the test CA for the given registry addresses.</summary>
    public string CertsDirectoryTrusting(string caFile, params string[] authorities)
    {
        var root = Combine("certs.d");
        foreach (var authority in authorities)
        {
            var folder = System.IO.Path.Combine(root, authority);
            Directory.CreateDirectory(folder);
            File.Copy(caFile, System.IO.Path.Combine(folder, "ca.crt"), overwrite: true);
        }

        Directory.CreateDirectory(root);
        return root;
    }

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
