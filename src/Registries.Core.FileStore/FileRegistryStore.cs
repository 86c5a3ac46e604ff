using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.FileStore;

/// <summary>A durable <see cref="IRegistryStore"/>: one JSON file, shared safely by several processes.</summary>
/// <remarks>
/// <para><b>Files.</b> The store is the file at <see cref="FilePath"/> (created on the first write). Next to it
/// live <c>FILE.lock</c>, an empty file that writers lock (it may stay; its presence means nothing), and, with
/// <see cref="Open(string)"/> or <c>UseFileStore</c>, the key file of the default <see cref="KeyFileSecretProtector"/>
/// (<see cref="FileStoreOptions.KeyPath"/>, <c>FILE.key</c> by default).
/// When <see cref="FilePath"/> is a symbolic link, it stays one: writes replace the file it finally names, and the
/// lock file lives next to that file. Folders the store creates get mode 0700 and the store and lock files 0600,
/// whatever the umask; the store file is rewritten 0600 whatever mode it had. The document carries
/// <c>formatVersion</c> (1 to 4 in this release: the lowest that holds its content); a file with a higher version, or an
/// entry whose credential source this release does not know, is refused rather than misread.</para>
/// <para><b>Trust.</b> As OpenSSH does with its keys, the store reads only a regular file that belongs to the user
/// running the process (on Linux, where the owner is checked) and that neither group nor other users may write;
/// a lock file must belong to that user too (one that others may open is made 0600). A named pipe, a device, a
/// folder or a file larger than 64 MiB is refused at once, without blocking and without reading it whole. Each
/// refusal is a <see cref="RegistryStoreException"/> that names the file and says how to fix it (<c>chmod</c>,
/// <c>chown</c>, move it away), and changes nothing.</para>
/// <para><b>Writes.</b> Each change takes an exclusive OS lock on <c>FILE.lock</c> (<c>flock(LOCK_EX)</c> on Linux,
/// the same lock as .NET's <see cref="FileShare.None"/>, which other systems use: the kernel releases it when the
/// process dies, so a crash never leaves the store locked), re-reads the file, applies the change with the
/// same optimistic-concurrency rules as <see cref="InMemoryRegistryStore"/>, writes the whole document to a
/// temporary file in the same folder, flushes it to disk, renames it over the store file and flushes the folder.
/// A crash or a kill at any moment leaves the old or the new document, never a torn one; nothing one process
/// wrote is lost by another; identifiers and the registry order come from one counter in the file, so they stay
/// unique and increasing across processes. Within one process, writers to the same file also queue on an
/// in-process gate, so they do not spin on the OS lock.</para>
/// <para><b>Reads</b> take no lock: the rename makes each read see one complete document. Each read re-reads the
/// file's bytes and reuses the parsed, indexed state while they are unchanged, so resolution costs one small file
/// read and a dictionary lookup.</para>
/// <para><b>Secrets.</b> Passwords, and the refresh tokens of identity-token entries, pass through the
/// <see cref="ISecretProtector"/>: the file holds only protected values; a credential-helper or kubelet-plugin entry
/// holds none (it stores the source's kind and name), and a Removed entry holds none (its ciphertext is gone from the file on the write that removes it). Each
/// value is bound to its entry (<see cref="SecretContext"/>): copied onto another entry it does not decrypt. A value of
/// an earlier release (bound to no entry) still reads, and is protected anew, bound, the next time its entry is
/// written. After a key rotation, <see cref="ReprotectAsync"/> moves every entry to the new key in one atomic write,
/// and <see cref="RemoveKeyAsync"/> removes an old key of the key file once no entry uses it.</para>
/// <para><b>Errors.</b> A damaged or unreadable file, a file from a newer release, a missing or wrong key: each is a
/// <see cref="RegistryStoreException"/> that names the file; the file is never replaced by an empty store. A write
/// that the file system refuses (read-only, permission denied, no space left) fails at once with the system's
/// reason; only a lock held by another process is waited for (<see cref="FileStoreOptions.LockTimeout"/>, 30 s by default).</para>
/// <para>Thread-safe. Requires OS file locking: the store refuses to write when .NET file locking is disabled
/// (<c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c>), since concurrent writers could then lose changes.</para>
/// </remarks>
public sealed class FileRegistryStore : IRegistryStore
{
    // The store holds ciphertexts and the whole state: 0600 whatever mode an older file had (its owner and folder are
    // checked before, by PrivateFile), and never a link followed here (the target is resolved first).
    private static readonly AtomicFileChoices StoreFileChoices = new() { Mode = AtomicFile.OwnerOnly };

    /// <summary>The newest format version this release reads and writes.</summary>
    /// <remarks>Version 2 adds scopes (a path prefix, or a host pattern as the address); version 3 adds credential sources
    /// (a credential helper, a kubelet plugin, an identity token) and a stored credential's expiry date; version 4 adds
    /// an environment's policy rules and mirrors. A file is written with the lowest version that holds its content:
    /// version 1 while it holds only whole-address stored passwords without expiry, so older releases keep reading it;
    /// the first scoped entry makes it version 2, the first entry with another source or an expiry version 3, and the
    /// first policy rule or mirror version 4, which older releases refuse rather than read a path-scoped credential as
    /// one for the whole registry, a helper entry as one without a password, or an environment with a deny rule as one
    /// that allows every image.</remarks>
    internal const int CurrentFormatVersion = 4;

    /// <summary>The format version of a file with an environment that has a policy rule or a mirror.</summary>
    internal const int PolicyFormatVersion = 4;

    /// <summary>The format version of a file without policy or mirrors, one entry at least with a credential source other
    /// than a stored password, or with an expiry.</summary>
    internal const int SourcesFormatVersion = 3;

    /// <summary>The format version of a file whose entries all have a stored password without expiry, and no scope.</summary>
    internal const int UnscopedFormatVersion = 1;

    /// <summary>The format version of a file whose entries all have a stored password without expiry, one at least scoped.</summary>
    internal const int ScopedFormatVersion = 2;

    /// <summary>The largest store file read (64 MiB, about 150,000 registry entries): anything larger is not a store file.</summary>
    internal const int MaxFileLength = 64 * 1024 * 1024;

    private const string StoreFileRole = "store file";
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);
    private readonly ISecretProtector _protector;
    private readonly SemaphoreSlim _gate;
    private readonly ILogger _logger;
    private CachedState? _cache;
    private bool _leftoversDeleted;

    /// <summary>Initializes a store over the file <see cref="FileStoreOptions.Path"/> that protects passwords with <paramref name="protector"/>.</summary>
    /// <remarks>Nothing is read or written until the first operation. The options are read once, here: a later change
    /// to the same <see cref="FileStoreOptions"/> object does not move the store. <see cref="FileStoreOptions.KeyPath"/>
    /// is not used here (the protector holds its own key); <see cref="Open(string)"/> and <c>UseFileStore</c> create the
    /// protector from it.</remarks>
    /// <param name="options">The options; <see cref="FileStoreOptions.Path"/> is required.</param>
    /// <param name="protector">The protector of passwords; use the same one (the same key) every time for one file.</param>
    /// <param name="timeProvider">The clock of lock waits, or <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where the store says that it waits for another process's lock or cleaned up after a
    /// killed writer, or <see langword="null"/> for no logging. Paths only: no password or protected value is logged.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="protector"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options break a rule of <see cref="FileStoreOptions"/> (the message says which and how to fix it).</exception>
    public FileRegistryStore(IOptions<FileStoreOptions> options, ISecretProtector protector, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        var values = Validated(options);
        ArgumentNullException.ThrowIfNull(protector);
        FilePath = Path.GetFullPath(values.Path!);
        LockTimeout = values.LockTimeout;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FileRegistryStore>();
        _protector = protector;
        _gate = WriteGates.GetOrAdd(FilePath, _ => new SemaphoreSlim(1, 1));
    }

    /// <summary>Gets the full path of the store file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the full path of the lock file that writers lock.</summary>
    /// <remarks>It is <c>FILE.lock</c> next to the file the store path finally names: when the store is a symbolic
    /// link, next to the link's target, so that every path to one store file shares one lock.</remarks>
    /// <exception cref="RegistryStoreException">The store path is a link that cannot be followed.</exception>
    public string LockPath => PrivateFile.ResolveTarget(FilePath, StoreFileRole) + ".lock";

    /// <summary>Gets how long a write waits for another process's lock before it fails (<see cref="FileStoreOptions.LockTimeout"/>).</summary>
    internal TimeSpan LockTimeout { get; }

    /// <summary>Gets the check that tells whether .NET file locking is disabled (replaceable in tests, since the real
    /// switch is process-wide).</summary>
    internal Func<bool> IsFileLockingDisabled { get; init; } = IsFileLockingDisabledInProcess;

    /// <summary>Gets the clock for lock waits.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>Opens the store file at <paramref name="path"/> with the default protector, whose key file is <c><paramref name="path"/>.key</c>.</summary>
    /// <remarks>The one-line form for scripts and tests. The key file is created (mode 0600) with the first password.
    /// Keep it with the store: without it the passwords cannot be read. To keep the key elsewhere, or to set other
    /// options, use the constructor:
    /// <c>new FileRegistryStore(Options.Create(new FileStoreOptions { Path = p, KeyPath = k }), new KeyFileSecretProtector(k))</c>.</remarks>
    /// <param name="path">The store file.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is <see langword="null"/>, empty or white space.</exception>
    /// <exception cref="OptionsValidationException"><paramref name="path"/> cannot name a file (it names a folder, or holds a character no path may hold).</exception>
    public static FileRegistryStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var options = new FileStoreOptions { Path = path };
        var values = Validated(Options.Create(options));
        return new FileRegistryStore(Options.Create(options), new KeyFileSecretProtector(values.FullKeyPath()));
    }

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        return WriteAsync(
            transaction =>
            {
                var document = transaction.Document;
                var id = "1a" + (++document.Sequence).ToString(CultureInfo.InvariantCulture);
                var environment = new RegistryEnvironment(id, name, orchestration, members, 1);
                document.Environments.Add(new EnvironmentDocument
                {
                    Id = id,
                    Name = environment.Name,
                    Orchestration = orchestration,
                    Members = SortedMembers(environment),
                    Version = 1,
                });
                return environment;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Load().EnvironmentsById.GetValueOrDefault(environmentId));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Load().Environments);
    }

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return WriteAsync(
            transaction =>
            {
                var stored = transaction.Document.Environments.Find(e => string.Equals(e.Id, environment.Id, StringComparison.Ordinal))
                    ?? throw new EnvironmentNotFoundException(environment.Id);
                if (stored.Version != environment.Version)
                {
                    throw new ConcurrencyConflictException(environment.Id, environment.Version, stored.Version);
                }

                var written = StoreRules.WithVersion(environment, environment.Version + 1);
                stored.Name = written.Name;
                stored.Orchestration = written.Orchestration;
                stored.Members = SortedMembers(written);
                stored.Version = written.Version;
                WritePolicyAndMirrors(stored, written);
                return written;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(credential);
        return WriteAsync(
            transaction =>
            {
                var document = transaction.Document;
                if (!document.Environments.Exists(e => string.Equals(e.Id, environmentId, StringComparison.Ordinal)))
                {
                    throw new EnvironmentNotFoundException(environmentId);
                }

                // The id first: the ciphertext is bound to it. A protector failure throws before anything is written.
                var sequence = ++document.Sequence;
                var registry = new Registry("1r" + sequence.ToString(CultureInfo.InvariantCulture), environmentId, scope, RegistryState.Active, credential.Email, credential.Username, sequence, 1, credential.Source, credential.ExpiresAt);

                // The stored secret (a password or a refresh token), protected alike; a helper or plugin entry has none.
                var protectedPassword = credential.Password is { } secret ? transaction.Protect(secret, new SecretContext(environmentId, registry.Id)) : null;
                var entry = new RegistryDocument
                {
                    Id = registry.Id,
                    EnvironmentId = environmentId,
                    Address = scope.Address.ToString(),
                    Path = scope.IsHostLevel ? null : scope.Path,
                    State = registry.State,
                    Email = registry.Email,
                    Username = registry.Username,
                    Sequence = sequence,
                    Version = 1,
                    ProtectedPassword = protectedPassword,
                };
                WriteSource(entry, registry);
                document.Registries.Add(entry);
                return new StoredRegistry(registry, credential.Password);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(registryId);
        cancellationToken.ThrowIfCancellationRequested();
        var record = Load().RegistriesById.GetValueOrDefault(registryId);
        return ValueTask.FromResult(record is not null && string.Equals(record.Registry.EnvironmentId, environmentId, StringComparison.Ordinal) ? record : null);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Load().RegistriesOf(environmentId));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Load().RegistriesOf(environmentId, address));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesCoveringAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Load().RegistriesCovering(environmentId, address));
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        var changed = record.Registry;
        return WriteAsync(
            transaction =>
            {
                var stored = transaction.Document.Registries.Find(r => string.Equals(r.Id, changed.Id, StringComparison.Ordinal));
                if (stored is null || !transaction.Current.RegistriesById.TryGetValue(stored.Id, out var current))
                {
                    throw new RegistryNotFoundException(changed.EnvironmentId, changed.Id);
                }

                StoreRules.EnsureImmutablePartsUnchanged(current.Registry, changed);
                if (stored.Version != changed.Version)
                {
                    throw new ConcurrencyConflictException(changed.Id, changed.Version, stored.Version);
                }

                var written = new StoredRegistry(StoreRules.WithVersion(changed, changed.Version + 1), record.Password);

                // Keep the ciphertext of an unchanged secret while it is current (bound to its entry, newest key); a new
                // secret, or one of an earlier format or an older key, is protected anew; Removed, a helper and a plugin
                // keep none (StoredRegistry has checked which).
                stored.ProtectedPassword = record.Password is null ? null
                    : ReferenceEquals(record.Password, current.Password) && stored.ProtectedPassword is { } kept && IsCurrent(kept) ? kept
                    : transaction.Protect(record.Password, new SecretContext(stored.EnvironmentId, stored.Id));
                stored.State = written.Registry.State;
                stored.Email = written.Registry.Email;
                stored.Username = written.Registry.Username;
                stored.Version = written.Registry.Version;
                WriteSource(stored, written.Registry);
                return written;
            },
            cancellationToken);
    }

    /// <summary>Protects every stored password anew with the protector's current key, in one atomic write under the lock.</summary>
    /// <remarks>
    /// <para>The step after a key rotation (<see cref="KeyFileSecretProtector.RotateKeyAsync"/>, or a new default key of
    /// ASP.NET Core Data Protection): every entry that holds a password gets a value protected now, bound to its entry,
    /// so that no value is left with an older key (or in the unbound format of earlier releases) and the older keys can
    /// be removed. Nothing else changes: versions, states and order stay as they are, so no writer gets a conflict.</para>
    /// <para>The whole store is rewritten in one step: a crash or a kill leaves the old document or the new one. With
    /// the <see cref="KeyFileSecretProtector"/>, values already bound and under the newest key are kept (and not
    /// counted); with another protector every password is protected anew.</para>
    /// </remarks>
    /// <param name="cancellationToken">Cancels the operation until the file is replaced.</param>
    /// <returns>How many entries got a new protected value.</returns>
    /// <exception cref="RegistryStoreException">The file cannot be read or written, a password cannot be decrypted or
    /// protected, or the lock is held too long; nothing was written.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing was written.</exception>
    public Task<int> ReprotectAsync(CancellationToken cancellationToken = default)
        => WriteAsync(
            transaction =>
            {
                var moved = 0;
                foreach (var stored in transaction.Document.Registries)
                {
                    // Only the key-file protector can tell that a value is current; another protector's are all redone.
                    if (stored.ProtectedPassword is not { } value || (_protector is KeyFileSecretProtector keyFile && keyFile.IsCurrent(value)))
                    {
                        continue;
                    }

                    var context = new SecretContext(stored.EnvironmentId, stored.Id);
                    var secret = transaction.Current.SecretsByProtectedValue[new ProtectedSecretKey(context, value)];
                    stored.ProtectedPassword = transaction.Protect(secret, context);
                    moved++;
                }

                return moved;
            },
            cancellationToken).AsTask();

    /// <summary>Removes an old key from the key file of this store's <see cref="KeyFileSecretProtector"/>, once no entry uses it.</summary>
    /// <remarks>Holds the store's write lock while it checks every entry and rewrites the key file, so that no writer of
    /// this store protects a password with the key meanwhile. A key file shared by several stores is checked against
    /// this store only: remove a key only when every store that uses the key file has been re-protected.</remarks>
    /// <param name="keyId">The key (8 hex digits, as <see cref="KeyFileSecretProtector.GetKeyIdsAsync"/> lists it).</param>
    /// <param name="cancellationToken">Cancels the waits for the locks.</param>
    /// <returns>A task that completes once the key is gone from the key file.</returns>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The store's protector is not a <see cref="KeyFileSecretProtector"/>;
    /// an entry still uses the key (run <see cref="ReprotectAsync"/> first); the key is the newest one; or the key
    /// file does not hold it. Nothing was changed.</exception>
    /// <exception cref="RegistryStoreException">A file cannot be read or written, or a lock is held too long.</exception>
    public async Task RemoveKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        if (_protector is not KeyFileSecretProtector keyFile)
        {
            throw new InvalidOperationException($"The store '{FilePath}' protects its passwords with {_protector.GetType().Name}, not with a key file: its keys are managed by that protector.");
        }

        await WithLockAsync(
            async (document, _) =>
            {
                var values = document.Registries.Select(r => r.ProtectedPassword).OfType<string>().ToList();
                await keyFile.RemoveKeyAsync(keyId, values, cancellationToken).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    // Absent when empty, so a file without policy or mirrors keeps the format older releases read.
    private static void WritePolicyAndMirrors(EnvironmentDocument stored, RegistryEnvironment environment)
    {
        stored.Policy = environment.Policy.IsEmpty
            ? null
            : [.. environment.Policy.Rules.Select(r => new PolicyRuleDocument { Scope = StoredPolicy.ScopeText(r.Scope), Effect = StoredPolicy.EffectName(r.Effect), DigestOnly = r.DigestOnly })];
        stored.Mirrors = environment.Mirrors.IsEmpty
            ? null
            : [.. environment.Mirrors.All.Select(m => new MirrorDocument
            {
                Upstream = m.Upstream.ToString(),
                Address = m.Address.ToString(),
                Rewrite = m.Rewrite is { } rewrite ? new RewriteDocument { Pattern = rewrite.Pattern, Replacement = rewrite.Replacement } : null,
                MirrorOnly = m.MirrorOnly,
            })];
    }

    // A stored password writes no source (the form of formats 1 and 2); every other kind its name, as the CLI spells it.
    private static void WriteSource(RegistryDocument entry, Registry registry)
    {
        entry.SourceKind = registry.Source.Kind == CredentialSourceKind.Stored ? null : registry.Source.KindName;
        entry.SourceName = registry.Source.Name;
        entry.ExpiresAt = registry.ExpiresAt;
    }

    // The lowest format version that holds every entry, so that older releases keep reading what they can read right.
    private static int FormatVersionOf(StoreDocument document)
        => document.Environments.Exists(e => e.Policy is { Count: > 0 } || e.Mirrors is { Count: > 0 }) ? PolicyFormatVersion
            : document.Registries.Exists(r => r.SourceKind is not null || r.ExpiresAt is not null) ? SourcesFormatVersion
            : document.Registries.Exists(r => r.Path is not null || r.Address.StartsWith('*')) ? ScopedFormatVersion
            : UnscopedFormatVersion;

    // Sorted, so that the same state always gives the same bytes (and a readable diff).
    private static Dictionary<string, EnvironmentRole> SortedMembers(RegistryEnvironment environment)
        => environment.Members.OrderBy(m => m.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

    /// <summary>Returns the options' values after the rules of <see cref="FileStoreOptionsValidator"/>, as DI checks them.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its value is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">A rule is broken.</exception>
    internal static FileStoreOptions Validated(IOptions<FileStoreOptions> options)
        => ValidatedOptions.Get(options, new FileStoreOptionsValidator());

    internal static bool IsFileLockingDisabledInProcess()
    {
        if (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        {
            return true;
        }

        var variable = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING");
        return variable is not null && (variable == "1" || variable.Equals("true", StringComparison.OrdinalIgnoreCase));
    }

    private StoreSnapshot Load()
    {
        var bytes = ReadBytes();
        if (bytes is null)
        {
            return StoreSnapshot.Empty;
        }

        var cache = Volatile.Read(ref _cache);
        if (cache is not null && bytes.AsSpan().SequenceEqual(cache.Bytes))
        {
            return cache.Snapshot;
        }

        var snapshot = Parse(bytes, cache?.Snapshot).Snapshot;
        Volatile.Write(ref _cache, new CachedState(bytes, snapshot));
        return snapshot;
    }

    // Follows a link: the store may be a link to a file kept elsewhere.
    private byte[]? ReadBytes() => PrivateFile.Read(FilePath, StoreFileRole, MaxFileLength, PrivateFile.GroupOrOtherWrite);

    private (StoreDocument Document, StoreSnapshot Snapshot) Parse(byte[] bytes, StoreSnapshot? previous)
    {
        StoreDocument document;
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("formatVersion", out var versionElement)
                || !versionElement.TryGetInt32(out var version)
                || version < 1)
            {
                throw new StoreFormatException("it has no valid 'formatVersion'");
            }

            if (version > CurrentFormatVersion)
            {
                throw new RegistryStoreException($"The store file '{FilePath}' has format version {version}, written by a newer release of Registries.Core; this release reads format {CurrentFormatVersion}. Upgrade Registries.Core; the file was not changed.");
            }

            document = root.Deserialize(StoreDocumentContext.Default.StoreDocument)
                ?? throw new StoreFormatException("it holds no document");
            return (document, StoreSnapshot.Build(document, previous?.SecretsByProtectedValue ?? [], Unprotect));
        }
        catch (JsonException e)
        {
            throw Damaged($"it is not a valid store document ({e.Message})", e);
        }
        catch (StoreFormatException e)
        {
            throw Damaged(e.Message, e);
        }
        catch (StoreFromNewerReleaseException e)
        {
            throw new RegistryStoreException($"The store file '{FilePath}' was written by a newer release of Registries.Core: {e.Message}. Upgrade Registries.Core; the file was not changed.", e);
        }
    }

    // Only the key-file protector can tell a value that re-protecting would not change; any other value is kept as it is.
    private bool IsCurrent(string protectedValue) => _protector is not KeyFileSecretProtector keyFile || keyFile.IsCurrent(protectedValue);

    private RegistrySecret Unprotect(string protectedValue, SecretContext context)
    {
        try
        {
            return _protector.Unprotect(protectedValue, context);
        }
        catch (RegistryStoreException e)
        {
            throw new RegistryStoreException($"The store file '{FilePath}' holds a password that cannot be decrypted: {e.Message} The file was not changed.", e);
        }
    }

    private RegistryStoreException Damaged(string detail, Exception inner)
        => new($"The store file '{FilePath}' is damaged: {detail}. It was not changed; restore it from a backup, or move it away to start an empty store.", inner);

    private async ValueTask<T> WriteAsync<T>(Func<Transaction, T> apply, CancellationToken cancellationToken)
    {
        return await WithLockAsync(
            (document, current) => ValueTask.FromResult(Commit(document, current, apply, cancellationToken)),
            cancellationToken).ConfigureAwait(false);
    }

    // Holds the in-process gate and the OS lock around an action on the document as the file holds it now.
    private async ValueTask<T> WithLockAsync<T>(Func<StoreDocument, StoreSnapshot, ValueTask<T>> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (IsFileLockingDisabled())
        {
            throw new RegistryStoreException($"The store file '{FilePath}' cannot be written safely: .NET file locking is disabled (DOTNET_SYSTEM_IO_DISABLEFILELOCKING), so concurrent writers could lose changes. Unset it.");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A linked store stays a link: its final target is locked and replaced, next to the target.
            var target = PrivateFile.ResolveTarget(FilePath, StoreFileRole);
            PrivateFile.EnsureAcceptable(target, StoreFileRole, MaxFileLength, PrivateFile.GroupOrOtherWrite);
            PrivateFile.CreateDirectory(Path.GetDirectoryName(target)!, StoreFileRole);
            var lockPath = target + ".lock";
            using var fileLock = await PrivateFile.LockAsync(lockPath, LockTimeout, TimeProvider, () => FileStoreLog.WaitingForLock(_logger, lockPath, LockTimeout), cancellationToken).ConfigureAwait(false);
            var bytes = ReadBytes();
            var cache = Volatile.Read(ref _cache);
            var (document, current) = bytes is null ? (StoreDocument.CreateEmpty(), StoreSnapshot.Empty) : Parse(bytes, cache?.Snapshot);
            return await action(document, current).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // Under the lock: applies the change and replaces the file in one step.
    private T Commit<T>(StoreDocument document, StoreSnapshot current, Func<Transaction, T> apply, CancellationToken cancellationToken)
    {
        var target = PrivateFile.ResolveTarget(FilePath, StoreFileRole);
        var transaction = new Transaction(document, current, _protector);
        var result = apply(transaction);

        // The last moment at which cancelling still means "nothing written".
        cancellationToken.ThrowIfCancellationRequested();
        document.FormatVersion = FormatVersionOf(document);
        var content = JsonSerializer.SerializeToUtf8Bytes(document, StoreDocumentContext.Default.StoreDocument);
        try
        {
            if (!_leftoversDeleted)
            {
                if (AtomicFile.DeleteLeftovers(target) is > 0 and var deleted)
                {
                    FileStoreLog.LeftoversDeleted(_logger, deleted, target);
                }

                _leftoversDeleted = true;
            }

            // Always owner-only, whatever mode the old file had: the file tells who uses which registry.
            AtomicFile.Replace(target, content, StoreFileChoices);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryStoreException($"The store file '{FilePath}' could not be written: {PrivateFile.Reason(e)}. It was left unchanged.", e);
        }

        var known = new Dictionary<ProtectedSecretKey, RegistrySecret>(current.SecretsByProtectedValue);
        foreach (var (key, secret) in transaction.NewSecrets)
        {
            known[key] = secret;
        }

        Volatile.Write(ref _cache, new CachedState(content, StoreSnapshot.Build(document, known, Unprotect)));
        return result;
    }

    private sealed class CachedState(byte[] bytes, StoreSnapshot snapshot)
    {
        public byte[] Bytes { get; } = bytes;

        public StoreSnapshot Snapshot { get; } = snapshot;
    }

    private sealed class Transaction(StoreDocument document, StoreSnapshot current, ISecretProtector protector)
    {
        public StoreDocument Document { get; } = document;

        public StoreSnapshot Current { get; } = current;

        public Dictionary<ProtectedSecretKey, RegistrySecret> NewSecrets { get; } = [];

        public string Protect(RegistrySecret secret, SecretContext context)
        {
            var protectedValue = protector.Protect(secret, context);
            NewSecrets[new ProtectedSecretKey(context, protectedValue)] = secret;
            return protectedValue;
        }
    }
}
