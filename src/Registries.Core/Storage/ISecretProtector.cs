namespace Registries.Core.Storage;

/// <summary>The protector port: turns a registry password into text a store may keep, and back.</summary>
/// <remarks>
/// <para>A durable store never writes a password in clear text (nor merely encoded): it keeps only what
/// <see cref="Protect"/> returns. An implementation encrypts with a key kept apart from the store, so that the store
/// file alone does not reveal any password.</para>
/// <para>Implementations are safe for concurrent use. A protected value must not contain the password, nor any
/// reversible encoding of it without the key. It is bound to its <see cref="SecretContext"/>: unprotecting it with
/// another context fails, so a ciphertext copied onto another entry does not decrypt.</para>
/// </remarks>
public interface ISecretProtector
{
    /// <summary>Protects a password for storage.</summary>
    /// <param name="secret">The password.</param>
    /// <param name="context">The entry the password belongs to.</param>
    /// <returns>The protected value: printable text that can be stored as it is.</returns>
    /// <exception cref="RegistryStoreException">The protector could not protect the value (for example its key is unreadable).</exception>
    string Protect(RegistrySecret secret, SecretContext context);

    /// <summary>Recovers a password from a value that <see cref="Protect"/> returned.</summary>
    /// <param name="protectedValue">The protected value.</param>
    /// <param name="context">The entry the value is read for.</param>
    /// <returns>The password.</returns>
    /// <exception cref="RegistryStoreException">The value cannot be decrypted: it was protected with another key or for another
    /// entry, or it is damaged. The message says which key was used and never contains the value.</exception>
    RegistrySecret Unprotect(string protectedValue, SecretContext context);
}
