using System.Security.Cryptography;
using System.Text;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.FileStore;

/// <summary>The default <see cref="ISecretProtector"/>: AES-256-GCM with a key kept in a separate, owner-only key file.</summary>
/// <remarks>
/// <para>The key file holds one line, <c>registries-core-key v1 BASE64</c>, with 32 random bytes. It is created on the
/// first <see cref="Protect"/> call, in one step (written to a temporary file with mode 0600, flushed, then linked
/// under its name), so two processes that start together end up with the same key and a crash never leaves a
/// half-written key. As OpenSSH does with its private keys, a key file that group or other users may read or
/// write is refused (fix it with <c>chmod 600</c>), and so is, on Linux, one that belongs to another user than the
/// one running the process (root included, for a non-root user): a key planted by someone else would let them read
/// every password protected with it. A named pipe, a device or a folder is refused without blocking. A key file
/// that is a symbolic link is read, and created, through the link.</para>
/// <para>Each protected value is <c>v1.KEYID.BASE64</c>, where <c>KEYID</c> names the key (the first 8 hex digits of
/// its SHA-256) and <c>BASE64</c> holds a random 12-byte nonce, the ciphertext and the 16-byte tag; the same password
/// protected twice gives two different values. <see cref="Unprotect"/> never creates a key: without the key file
/// the passwords cannot be read, and the error says so.</para>
/// <para>Keep the key file out of the backups that hold the store file, or together with them if losing the key
/// must not lose the passwords. Thread-safe.</para>
/// </remarks>
public sealed class KeyFileSecretProtector : ISecretProtector
{
    private const string KeyHeader = "registries-core-key v1 ";
    private const string ValuePrefix = "v1.";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    // The key line is 68 bytes; a key file ten times as large is not one this library wrote.
    private const int MaxKeyFileLength = 4096;
    private const string KeyFileRole = "key file";
    private static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("Registries.Core registry password v1");
    private readonly Lock _lock = new();
    private LoadedKey? _key;

    /// <summary>Initializes a protector whose key lives in <paramref name="keyPath"/>.</summary>
    /// <remarks>Nothing is read or created until the protector is first used. The protector takes a plain path rather
    /// than options: a key file is all it needs, and it is not tied to the file store (a database store may keep its
    /// key in a file too). <c>UseFileStore</c> creates it from <see cref="FileStoreOptions.KeyPath"/>.</remarks>
    /// <param name="keyPath">The key file; created on first use when it does not exist.</param>
    /// <exception cref="ArgumentException"><paramref name="keyPath"/> is empty or not a valid path.</exception>
    public KeyFileSecretProtector(string keyPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPath);
        KeyPath = Path.GetFullPath(keyPath);
    }

    /// <summary>Gets the full path of the key file.</summary>
    public string KeyPath { get; }

    /// <inheritdoc/>
    /// <exception cref="RegistryStoreException">The key file cannot be created or read, is damaged, or is open to other users.</exception>
    public string Protect(RegistrySecret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = GetKey(create: true);
        var plain = Encoding.UTF8.GetBytes(secret.Reveal());
        var payload = new byte[NonceSize + plain.Length + TagSize];
        try
        {
            var nonce = payload.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Encrypt(nonce, plain, payload.AsSpan(NonceSize, plain.Length), payload.AsSpan(NonceSize + plain.Length, TagSize), AssociatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }

        return ValuePrefix + key.Id + "." + Convert.ToBase64String(payload);
    }

    /// <inheritdoc/>
    public RegistrySecret Unprotect(string protectedValue)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        var parts = protectedValue.Split('.');
        if (parts.Length != 3 || parts[0] + "." != ValuePrefix)
        {
            throw new RegistryStoreException($"A protected password is not in the format this release writes ('{ValuePrefix}KEYID.DATA'); the store is damaged or was written by another protector.");
        }

        byte[] payload;
        try
        {
            payload = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException e)
        {
            throw new RegistryStoreException("A protected password is damaged (its data is not base64); the store file was changed by hand or corrupted.", e);
        }

        if (payload.Length < NonceSize + TagSize + 1)
        {
            throw new RegistryStoreException("A protected password is damaged (too short); the store file was changed by hand or corrupted.");
        }

        var key = GetKey(create: false);
        if (!string.Equals(parts[1], key.Id, StringComparison.Ordinal))
        {
            throw new RegistryStoreException($"A password was protected with key {parts[1]}, but the key file '{KeyPath}' holds key {key.Id}: use the key file that was created with this store.");
        }

        var plain = new byte[payload.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize, plain.Length), payload.AsSpan(NonceSize + plain.Length, TagSize), plain, AssociatedData);
            return new RegistrySecret(Encoding.UTF8.GetString(plain));
        }
        catch (CryptographicException e)
        {
            throw new RegistryStoreException($"A password could not be decrypted with the key file '{KeyPath}': the value was changed or belongs to another key.", e);
        }
        catch (ArgumentException e)
        {
            throw new RegistryStoreException("A protected password decrypted to an empty password; the store file was changed by hand or corrupted.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static string KeyIdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key), 0, 4);

    private LoadedKey GetKey(bool create)
    {
        lock (_lock)
        {
            if (_key is not null)
            {
                return _key;
            }

            try
            {
                var content = ReadKeyFile();
                if (content is null)
                {
                    if (!create)
                    {
                        throw new RegistryStoreException($"The key file '{KeyPath}' does not exist, so the stored passwords cannot be decrypted. Restore the key file that was created with this store.");
                    }

                    CreateKeyFile();
                    content = ReadKeyFile()
                        ?? throw new RegistryStoreException($"The key file '{KeyPath}' vanished right after it was created; check what removes files in its folder.");
                }

                _key = ParseKey(content);
                return _key;
            }
            catch (IOException e)
            {
                throw new RegistryStoreException($"The key file '{KeyPath}' could not be read or created: {PrivateFile.Reason(e)}.", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new RegistryStoreException($"The key file '{KeyPath}' could not be read or created: {PrivateFile.Reason(e)}. Check the permissions of the file and its folder.", e);
            }
        }
    }

    private void CreateKeyFile()
    {
        // A link to a key that does not exist yet: create the key where the link points, and keep the link.
        var target = PrivateFile.ResolveTarget(KeyPath, KeyFileRole);
        PrivateFile.CreateDirectory(Path.GetDirectoryName(target)!, KeyFileRole);
        var key = RandomNumberGenerator.GetBytes(KeySize);
        var content = Encoding.ASCII.GetBytes(KeyHeader + Convert.ToBase64String(key) + "\n");
        try
        {
            // Another process may create it at the same moment: then exactly one file wins and both read it.
            AtomicFile.CreateExclusive(target, content, AtomicFile.OwnerOnly);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(content);
        }
    }

    // Follows a link; refuses a key that is not a regular file of this user, or that others may read or write.
    private byte[]? ReadKeyFile() => PrivateFile.Read(KeyPath, KeyFileRole, MaxKeyFileLength, PrivateFile.GroupOrOther);

    private LoadedKey ParseKey(byte[] content)
    {
        byte[]? key = null;
        try
        {
            var text = Encoding.ASCII.GetString(content).TrimEnd('\n', '\r');
            if (text.StartsWith(KeyHeader, StringComparison.Ordinal))
            {
                try
                {
                    key = Convert.FromBase64String(text[KeyHeader.Length..]);
                }
                catch (FormatException)
                {
                    key = null;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }

        if (key is not { Length: KeySize })
        {
            throw new RegistryStoreException($"The key file '{KeyPath}' is damaged: it must hold one line 'registries-core-key v1' followed by a base64 256-bit key. Restore it from a backup.");
        }

        return new LoadedKey(key, KeyIdOf(key));
    }

    private sealed class LoadedKey(byte[] bytes, string id)
    {
        public byte[] Bytes { get; } = bytes;

        public string Id { get; } = id;
    }
}
