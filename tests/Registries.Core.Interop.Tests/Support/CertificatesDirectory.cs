using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Lays out a certs.d folder in Docker's layout (<c>{folder}/HOST:PORT/ca.crt</c>) inside a test folder.</summary>
internal static class CertificatesDirectory
{
    /// <summary>Makes <c>certs.d</c> in <paramref name="directory"/>, trusting the CA file for the given registry addresses.</summary>
    /// <returns>The certs.d folder.</returns>
    public static string CertificatesDirectoryTrusting(this TestDirectory directory, string caFile, params string[] authorities)
    {
        var root = directory.Combine("certs.d");
        Directory.CreateDirectory(root);
        foreach (var authority in authorities)
        {
            var folder = Path.Combine(root, authority);
            Directory.CreateDirectory(folder);
            File.Copy(caFile, Path.Combine(folder, "ca.crt"), overwrite: true);
        }

        return root;
    }
}
