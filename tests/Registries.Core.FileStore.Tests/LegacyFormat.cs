using System.Security.Cryptography;
using System.Text;

namespace Registries.Core.FileStore.Tests;

/// <summary>Writes key files and protected values exactly as the release before key rotation and bound values did
/// (key file format 1, value format 1), so that the tests read what existing stores hold.</summary>
internal static class LegacyFormat
{
    // The associated data every value of format 1 was encrypted with, whatever its entry.
    private static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("Registries.Core registry password v1");

    /// <summary>Writes a one-key file of format 1 (mode 0600) and returns its key.</summary>
    /// <param name="path">The key file.</param>
    /// <returns>The key.</returns>
    public static byte[] WriteKeyFile(string path)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        File.WriteAllText(path, "registries-core-key v1 " + Convert.ToBase64String(key) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return key;
    }

    /// <summary>Returns the key id the old release wrote in each value.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The first 8 hex digits of its SHA-256.</returns>
    public static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key), 0, 4);

    /// <summary>Protects a password as the old release did: <c>v1.KEYID.BASE64</c>, bound to no entry.</summary>
    /// <param name="key">The key.</param>
    /// <param name="password">The password.</param>
    /// <returns>The protected value.</returns>
    public static string Protect(byte[] key, string password)
    {
        var plain = Encoding.UTF8.GetBytes(password);
        var payload = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(payload.AsSpan(0, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(payload.AsSpan(0, 12), plain, payload.AsSpan(12, plain.Length), payload.AsSpan(12 + plain.Length, 16), AssociatedData);
        return "v1." + KeyId(key) + "." + Convert.ToBase64String(payload);
    }
}
