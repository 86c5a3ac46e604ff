using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.FileStore;

/// <summary>The default <see cref="ISecretProtector"/>: AES-256-GCM with keys kept in a separate, owner-only key file.</summary>
/// <remarks>
/// <para><b>Key file.</b> A new key file holds one line, <c>registries-core-key v1 BASE64</c>, with 32 random bytes.
/// It is created on the first <see cref="Protect"/> call, in one step (written to a temporary file with mode 0600,
/// flushed, then linked under its name), so two processes that start together end up with the same key and a crash
/// never leaves a half-written key. After <see cref="RotateKeyAsync"/> it holds several keys (format 2): the line
/// <c>registries-core-keys v2</c>, then one base64 key per line, oldest first; the last one encrypts, every one
/// decrypts. A one-key file of format 1 keeps working as it is. As OpenSSH does with its private keys, a key file
/// that group or other users may read or write is refused (fix it with <c>chmod 600</c>), and so is, on Linux, one
/// that belongs to another user than the one running the process (root included, for a non-root user): a key
/// planted by someone else would let them read every password protected with it. A named pipe, a device or a folder
/// is refused without blocking, and a file larger than a key file can be is refused without reading it whole. A key
/// file that is a symbolic link is read, created and rewritten through the link.</para>
/// <para><b>Values.</b> Each protected value is <c>v2.KEYID.BASE64</c>, where <c>KEYID</c> names the key (the first 8
/// hex digits of its SHA-256) and <c>BASE64</c> holds a random 12-byte nonce, the ciphertext and the 16-byte tag. The
/// value is bound to its <see cref="SecretContext"/> (the associated data of AES-GCM is
/// <see cref="SecretContext.ToAssociatedData"/>): copied onto another entry, or into another environment, it does not
/// decrypt. Values of format 1 (<c>v1.KEYID.BASE64</c>, written by earlier releases, bound to no entry) still decrypt;
/// the file store rewrites such a value in format 2 the next time its entry is written, and
/// <see cref="FileRegistryStore.ReprotectAsync"/> rewrites them all at once. The same password protected twice gives
/// two different values. <see cref="Unprotect"/> never creates a key: without the key file the passwords cannot be
/// read, and the error says so.</para>
/// <para><b>Rotation.</b> <see cref="RotateKeyAsync"/> adds a key, which encrypts from then on (in every process:
/// <see cref="Protect"/> reads the key file each time, so a rotation made by another process is followed at once);
/// <see cref="FileRegistryStore.ReprotectAsync"/> moves every entry to it; <see cref="RemoveKeyAsync"/> removes an old
/// key only once no value still uses it. Rewrites of the key file are serialized by an OS lock on <c>KEYFILE.lock</c>
/// and replace the file in one step (mode 0600), so a crash leaves the old or the new key file.</para>
/// <para>Keep the key file out of the backups that hold the store file, or together with them if losing the key
/// must not lose the passwords. Thread-safe.</para>
/// </remarks>
public sealed class KeyFileSecretProtector : ISecretProtector
{
    private const string KeyHeader = "registries-core-key v1 ";
    private const string RingHeader = "registries-core-keys v2";
    private const string LegacyValuePrefix = "v1";
    private const string ValuePrefix = "v2";
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The most keys one key file holds: enough for a rotation a week for a year, with room to spare.</summary>
    private const int MaxKeys = 100;

    // A key line is 45 bytes; a key file well above MaxKeys of them is not one this library wrote.
    private const int MaxKeyFileLength = 8192;
    private const string KeyFileRole = "key file";
    private static readonly TimeSpan KeyLockTimeout = TimeSpan.FromSeconds(30);
    private static readonly AtomicFileChoices KeyFileChoices = new() { Mode = AtomicFile.OwnerOnly };

    // What format 1 bound every value to: the same bytes for every entry.
    private static readonly byte[] LegacyAssociatedData = Encoding.ASCII.GetBytes("Registries.Core registry password v1");
    private readonly Lock _lock = new();
    private KeyRing? _ring;

    /// <summary>Initializes a protector whose keys live in <paramref name="keyPath"/>.</summary>
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

    /// <summary>Returns the id of the key a protected value names, without decrypting it.</summary>
    /// <param name="protectedValue">A value that <see cref="Protect"/> (of this or an earlier release) returned.</param>
    /// <returns>The key id (8 hex digits), or <see langword="null"/> when the value is not in a format of this protector.</returns>
    public static string? GetKeyId(string? protectedValue)
    {
        if (protectedValue is null)
        {
            return null;
        }

        var parts = protectedValue.Split('.');
        return parts.Length == 3 && parts[0] is LegacyValuePrefix or ValuePrefix && parts[1].Length == 8 ? parts[1] : null;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="secret"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryStoreException">The key file cannot be created or read, is damaged, or is open to other users.</exception>
    public string Protect(RegistrySecret secret, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(context);

        // Read each time: another process may have rotated the key, and the newest key must encrypt everywhere.
        var key = LoadRing(create: true).Current;
        var plain = Encoding.UTF8.GetBytes(secret.Reveal());
        var payload = new byte[NonceSize + plain.Length + TagSize];
        try
        {
            var nonce = payload.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Encrypt(nonce, plain, payload.AsSpan(NonceSize, plain.Length), payload.AsSpan(NonceSize + plain.Length, TagSize), context.ToAssociatedData());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }

        return ValuePrefix + "." + key.Id + "." + Convert.ToBase64String(payload);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="protectedValue"/> or <paramref name="context"/> is <see langword="null"/>.</exception>
    public RegistrySecret Unprotect(string protectedValue, SecretContext context)
    {
        ArgumentNullException.ThrowIfNull(protectedValue);
        ArgumentNullException.ThrowIfNull(context);
        var parts = protectedValue.Split('.');
        if (parts.Length != 3 || parts[0] is not (LegacyValuePrefix or ValuePrefix))
        {
            throw new RegistryStoreException($"The protected password of entry {context} is not in a format of the key-file protector ('v2.KEYID.DATA'); the store is damaged or was written by another protector.");
        }

        byte[] payload;
        try
        {
            payload = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException e)
        {
            throw new RegistryStoreException($"The protected password of entry {context} is damaged (its data is not base64); the store file was changed by hand or corrupted.", e);
        }

        if (payload.Length < NonceSize + TagSize + 1)
        {
            throw new RegistryStoreException($"The protected password of entry {context} is damaged (too short); the store file was changed by hand or corrupted.");
        }

        var keyId = parts[1];
        var ring = CachedRing();
        if (ring.Find(keyId) is null)
        {
            // Perhaps another process rotated the key since this one read the file.
            ring = LoadRing(create: false);
        }

        var key = ring.Find(keyId)
            ?? throw new RegistryStoreException($"A password was protected with key {keyId}, but the key file '{KeyPath}' holds key{(ring.Keys.Count == 1 ? string.Empty : "s")} {string.Join(", ", ring.Keys.Select(k => k.Id))}: use the key file that was created with this store (or the one that still holds key {keyId}).");
        var bound = parts[0] == ValuePrefix;
        var plain = new byte[payload.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key.Bytes, TagSize);
            aes.Decrypt(payload.AsSpan(0, NonceSize), payload.AsSpan(NonceSize, plain.Length), payload.AsSpan(NonceSize + plain.Length, TagSize), plain, bound ? context.ToAssociatedData() : LegacyAssociatedData);
            return new RegistrySecret(Encoding.UTF8.GetString(plain));
        }
        catch (CryptographicException e)
        {
            throw new RegistryStoreException(
                bound
                    ? $"The password of entry {context} could not be decrypted with key {keyId} of the key file '{KeyPath}': the value was protected for another entry (copied from one entry or environment onto another) or was changed. Restore the store file from a backup, or edit the entry to enter its password again."
                    : $"A password of entry {context} could not be decrypted with key {keyId} of the key file '{KeyPath}': the value was changed. Restore the store file from a backup, or edit the entry to enter its password again.",
                e);
        }
        catch (ArgumentException e)
        {
            throw new RegistryStoreException($"The protected password of entry {context} decrypted to an empty password; the store file was changed by hand or corrupted.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>Adds a new random key to the key file; from now on it encrypts, and every older key still decrypts.</summary>
    /// <remarks>Creates the key file when it does not exist (then with its first key, and adds the new one after it).
    /// Rewrites the file in format 2, in one step, under the key file's lock, so that two rotations at once both add
    /// their key. Run <see cref="FileRegistryStore.ReprotectAsync"/> next to move every entry to the new key.</remarks>
    /// <param name="cancellationToken">Cancels the wait for the lock; once the file is being replaced, the rotation completes.</param>
    /// <returns>The new key's id, as the protected values name it.</returns>
    /// <exception cref="RegistryStoreException">The key file cannot be read, created or written, is damaged or unsafe,
    /// already holds the most keys a key file may hold (remove an old one first), or its lock is held too long.</exception>
    public async Task<string> RotateKeyAsync(CancellationToken cancellationToken = default)
    {
        // A key file another process creates meanwhile is taken as it is, never overwritten unseen.
        LoadRing(create: true);
        return await UpdateRingAsync(
            ring =>
            {
                if (ring.Keys.Count >= MaxKeys)
                {
                    throw new RegistryStoreException(string.Create(CultureInfo.InvariantCulture, $"The key file '{KeyPath}' already holds {ring.Keys.Count} keys, the most it may hold: move every entry to the newest key (ReprotectAsync) and remove old keys (RemoveKeyAsync) before adding one."));
                }

                KeyEntry added;
                do
                {
                    // Ids are 32 bits of a hash: draw again in the unlikely case of a clash with a key already there.
                    var bytes = RandomNumberGenerator.GetBytes(KeySize);
                    added = new KeyEntry(bytes, KeyIdOf(bytes));
                }
                while (ring.Find(added.Id) is not null);

                return (new KeyRing([.. ring.Keys, added], version: 2), added.Id);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns the ids of the keys in the key file, oldest first; the last one encrypts.</summary>
    /// <param name="cancellationToken">Cancels before the file is read.</param>
    /// <returns>The key ids (empty when the key file does not exist yet).</returns>
    /// <exception cref="RegistryStoreException">The key file cannot be read, is damaged or unsafe.</exception>
    public Task<IReadOnlyList<string>> GetKeyIdsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var ring = TryLoadRing();
        return Task.FromResult<IReadOnlyList<string>>(ring is null ? [] : [.. ring.Keys.Select(k => k.Id)]);
    }

    /// <summary>Removes an old key from the key file, after checking that none of <paramref name="protectedValuesInUse"/> uses it.</summary>
    /// <remarks>A key is removed only by this explicit step, since a value protected with a removed key is lost. The
    /// caller passes every protected value that may still name the key, and keeps writers from protecting new ones
    /// meanwhile: <see cref="FileRegistryStore.RemoveKeyAsync"/> does both for a file store (under its write lock). The
    /// newest key, which encrypts, is never removed: rotate first.</remarks>
    /// <param name="keyId">The key to remove (8 hex digits, as <see cref="GetKeyIdsAsync"/> lists it).</param>
    /// <param name="protectedValuesInUse">Every protected value still stored.</param>
    /// <param name="cancellationToken">Cancels the wait for the lock.</param>
    /// <returns>A task that completes once the key file no longer holds the key.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="protectedValuesInUse"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">A value still uses the key, the key is the newest one, or the key file does not hold it; nothing was changed.</exception>
    /// <exception cref="RegistryStoreException">The key file cannot be read or written, is damaged or unsafe, or its lock is held too long.</exception>
    public Task RemoveKeyAsync(string keyId, IEnumerable<string> protectedValuesInUse, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentNullException.ThrowIfNull(protectedValuesInUse);
        var users = protectedValuesInUse.Count(v => string.Equals(GetKeyId(v), keyId, StringComparison.Ordinal));
        if (users > 0)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Key {keyId} of the key file '{KeyPath}' still protects {users} password{(users == 1 ? string.Empty : "s")}: move them to the newest key first (FileRegistryStore.ReprotectAsync); nothing was changed."));
        }

        return UpdateRingAsync(
            ring =>
            {
                if (ring.Find(keyId) is null)
                {
                    throw new InvalidOperationException($"The key file '{KeyPath}' holds no key {keyId} (it holds {string.Join(", ", ring.Keys.Select(k => k.Id))}); nothing was changed.");
                }

                if (string.Equals(ring.Current.Id, keyId, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Key {keyId} is the newest key of the key file '{KeyPath}', the one that encrypts: rotate first (RotateKeyAsync), move every entry (ReprotectAsync), then remove it; nothing was changed.");
                }

                return (new KeyRing([.. ring.Keys.Where(k => !string.Equals(k.Id, keyId, StringComparison.Ordinal))], version: 2), true);
            },
            cancellationToken);
    }

    /// <summary>Tells whether a value is bound to its entry and protected with the newest key, so that re-protecting it would change nothing.</summary>
    /// <param name="protectedValue">The value.</param>
    /// <returns><see langword="true"/> for a format-2 value of the newest key.</returns>
    /// <exception cref="RegistryStoreException">The key file cannot be read.</exception>
    internal bool IsCurrent(string protectedValue)
    {
        var parts = protectedValue.Split('.');
        return parts.Length == 3 && parts[0] == ValuePrefix
            && string.Equals(parts[1], (TryLoadRing() ?? CachedRing()).Current.Id, StringComparison.Ordinal);
    }

    private static string KeyIdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key), 0, 4);

    private KeyRing CachedRing()
    {
        lock (_lock)
        {
            return _ring ?? LoadRing(create: false);
        }
    }

    private KeyRing? TryLoadRing()
    {
        lock (_lock)
        {
            var content = Guarded(ReadKeyFile);
            return content is null ? null : _ring = ParseRing(content);
        }
    }

    private KeyRing LoadRing(bool create)
    {
        lock (_lock)
        {
            var content = Guarded(ReadKeyFile);
            if (content is null)
            {
                if (!create)
                {
                    throw new RegistryStoreException($"The key file '{KeyPath}' does not exist, so the stored passwords cannot be decrypted. Restore the key file that was created with this store.");
                }

                Guarded(() =>
                {
                    CreateKeyFile();
                    return true;
                });
                content = Guarded(ReadKeyFile)
                    ?? throw new RegistryStoreException($"The key file '{KeyPath}' vanished right after it was created; check what removes files in its folder.");
            }

            _ring = ParseRing(content);
            return _ring;
        }
    }

    private T Guarded<T>(Func<T> action)
    {
        try
        {
            return action();
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

    private async Task<T> UpdateRingAsync<T>(Func<KeyRing, (KeyRing Ring, T Result)> change, CancellationToken cancellationToken)
    {
        // A link to a key file stays a link: its final target is locked and replaced, next to the target.
        var target = PrivateFile.ResolveTarget(KeyPath, KeyFileRole);
        var lockPath = target + ".lock";
        using var fileLock = await PrivateFile.LockAsync(lockPath, KeyLockTimeout, TimeProvider.System, onBusy: null, cancellationToken).ConfigureAwait(false);

        // Under the lock: the file as another rotation may just have left it.
        var ring = LoadRing(create: false);
        var (changed, result) = change(ring);
        var content = Serialize(changed);
        try
        {
            // Temporary files of a rotation killed before its rename; only this lock's holders write them.
            AtomicFile.DeleteLeftovers(target);
            AtomicFile.Replace(target, content, KeyFileChoices);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The key file '{KeyPath}' could not be rewritten: {PrivateFile.Reason(e)}. It was left unchanged.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }

        lock (_lock)
        {
            _ring = changed;
        }

        return result;
    }

    private static byte[] Serialize(KeyRing ring)
    {
        var text = new StringBuilder(RingHeader).Append('\n');
        foreach (var key in ring.Keys)
        {
            text.Append(Convert.ToBase64String(key.Bytes)).Append('\n');
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private void CreateKeyFile()
    {
        // A link to a key that does not exist yet: create the key where the link points, and keep the link.
        var target = PrivateFile.ResolveTarget(KeyPath, KeyFileRole);
        PrivateFile.CreateDirectory(Path.GetDirectoryName(target)!, KeyFileRole);
        var key = RandomNumberGenerator.GetBytes(KeySize);

        // Format 1 while there is one key: a release before key rotation can still read a key file never rotated.
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

    private KeyRing ParseRing(byte[] content)
    {
        List<KeyEntry>? keys = null;
        var version = 0;
        try
        {
            var lines = Encoding.ASCII.GetString(content).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
            while (lines.Count > 0 && lines[^1].Length == 0)
            {
                lines.RemoveAt(lines.Count - 1);
            }

            if (lines.Count == 1 && lines[0].StartsWith(KeyHeader, StringComparison.Ordinal))
            {
                version = 1;
                keys = ParseKeys([lines[0][KeyHeader.Length..]]);
            }
            else if (lines.Count > 1 && lines[0] == RingHeader)
            {
                version = 2;
                keys = ParseKeys(lines.Skip(1));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }

        if (keys is not { Count: > 0 and <= MaxKeys } || keys.Select(k => k.Id).Distinct(StringComparer.Ordinal).Count() != keys.Count)
        {
            throw new RegistryStoreException($"The key file '{KeyPath}' is damaged: it must hold one line 'registries-core-key v1' followed by a base64 256-bit key, or the line '{RingHeader}' followed by one base64 256-bit key per line. Restore it from a backup.");
        }

        return new KeyRing(keys, version);
    }

    private static List<KeyEntry>? ParseKeys(IEnumerable<string> lines)
    {
        var keys = new List<KeyEntry>();
        foreach (var line in lines)
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(line);
            }
            catch (FormatException)
            {
                return null;
            }

            if (key.Length != KeySize)
            {
                return null;
            }

            keys.Add(new KeyEntry(key, KeyIdOf(key)));
        }

        return keys;
    }

    private sealed class KeyEntry(byte[] bytes, string id)
    {
        public byte[] Bytes { get; } = bytes;

        public string Id { get; } = id;
    }

    // A class, not a positional record: a generated ToString has no business near key bytes.
    private sealed class KeyRing(IReadOnlyList<KeyEntry> keys, int version)
    {
        public IReadOnlyList<KeyEntry> Keys { get; } = keys;

        public int Version { get; } = version;

        public KeyEntry Current => Keys[^1];

        public KeyEntry? Find(string id) => Keys.FirstOrDefault(k => string.Equals(k.Id, id, StringComparison.Ordinal));
    }
}
