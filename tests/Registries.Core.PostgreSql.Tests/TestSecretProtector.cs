using System.Security.Cryptography;
using System.Text;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>A protector for these tests: AES-256-GCM with a random key, the entry's <see cref="SecretContext"/> as associated data.</summary>
/// <remarks>The tests do not use the file store's <c>KeyFileSecretProtector</c>, so that this package's tests depend on
/// no other store package. The value is <c>t1:</c> + base64(nonce | tag | ciphertext): without the key it reveals
/// nothing of the password, and with another context it does not decrypt. The file is also compiled into
/// tests/Registries.Core.PostgreSql.Worker: a test and its worker processes share one key through
/// <see cref="TestSecretProtector(byte[])"/>.</remarks>
internal sealed class TestSecretProtector : ISecretProtector
{
    private const string Prefix = "t1:";
    private readonly byte[] _key;

    /// <summary>Initializes a protector with a new random key.</summary>
    public TestSecretProtector()
        : this(RandomNumberGenerator.GetBytes(32))
    {
    }

    /// <summary>Initializes a protector with a given 32-byte key, so that several processes decrypt what each other wrote.</summary>
    /// <param name="key">The AES-256 key.</param>
    public TestSecretProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("A test protector key is 32 bytes.", nameof(key));
        }

        _key = key;
    }

    public string Protect(RegistrySecret secret, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(context);
        var plain = Encoding.UTF8.GetBytes(secret.Reveal());
        var output = new byte[12 + 16 + plain.Length];
        var nonce = output.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plain, output.AsSpan(28), output.AsSpan(12, 16), context.ToAssociatedData());
        return Prefix + Convert.ToBase64String(output);
    }

    public RegistrySecret Unprotect(string protectedValue, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            if (!protectedValue.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new FormatException("not a test protector value");
            }

            var input = Convert.FromBase64String(protectedValue[Prefix.Length..]);
            var plain = new byte[input.Length - 28];
            using var aes = new AesGcm(_key, 16);
            aes.Decrypt(input.AsSpan(0, 12), input.AsSpan(28), input.AsSpan(12, 16), plain, context.ToAssociatedData());
            return new RegistrySecret(Encoding.UTF8.GetString(plain));
        }
        catch (Exception e) when (e is FormatException or CryptographicException or OverflowException or ArgumentException)
        {
            throw new RegistryStoreException($"The protected password of '{context}' cannot be decrypted with the test key (another key, another entry, or damaged).", e);
        }
    }
}
