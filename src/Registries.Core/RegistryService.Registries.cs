using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core;

// Registry entries: add, list, read, edit, and the state changes Active -> Inactive -> Removed.
public sealed partial class RegistryService
{
    /// <summary>Adds a registry credential for a whole address. It becomes the effective one for its address from now on.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address (<see cref="RegistryAddress.DockerHub"/>, <see cref="RegistryAddress.Quay"/> or a custom one).</param>
    /// <param name="credential">The e-mail address and a stored username and password, or a source (see <see cref="RegistryCredential"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> AddRegistryAsync(string environmentId, RegistryAddress address, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        return AddRegistryAsync(environmentId, RegistryScope.Of(address), credential, cancellationToken);
    }

    /// <summary>Adds a registry credential for a scope: an address or host pattern, optionally narrowed to a repository
    /// path prefix. It becomes the effective one for its scope from now on.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">What the credential covers, for example <c>RegistryScope.Parse("registry.example.com", "team")</c>
    /// or <c>RegistryScope.Parse("*.corp.example")</c>.</param>
    /// <param name="credential">The e-mail address and a stored username and password, or a source (see <see cref="RegistryCredential"/>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <remarks>For an image, the most specific scope that covers it decides (see <see cref="CredentialResolver"/>).</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<Registry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(credential);
        var caller = CallerName();
        await _authorization.AuthorizeAsync(caller, environmentId, EnvironmentRole.Member, "add registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var before = await EffectiveOfScopeAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
        var added = await _store.AddRegistryAsync(environmentId, scope, credential, cancellationToken).ConfigureAwait(false);
        await PublishAsync(new RegistryEvent(RegistryEventKind.Added, added.Registry, caller)).ConfigureAwait(false);
        if (before is not null && before.Registry.Sequence < added.Registry.Sequence)
        {
            await PublishAsync(new RegistryEvent(RegistryEventKind.Overridden, before.Registry, caller)).ConfigureAwait(false);
        }

        return added.Registry;
    }

    /// <summary>Lists the registry entries of an environment, oldest first, marking the effective ones.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries, without passwords.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<IReadOnlyList<RegistryListing>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "list registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var records = await _store.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var effectiveIds = StoreRules.SelectEffectivePerScope(records)
            .Select(r => r.Registry.Id)
            .ToHashSet(StringComparer.Ordinal);
        return records
            .OrderBy(r => r.Registry.Sequence)
            .Select(r => new RegistryListing(r.Registry, effectiveIds.Contains(r.Registry.Id)))
            .ToArray();
    }

    /// <summary>Reads one registry entry.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entry, without its password.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryListing> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryNotFoundException(environmentId, registryId);
        var effective = await EffectiveOfScopeAsync(environmentId, record.Registry.Scope, cancellationToken).ConfigureAwait(false);
        return new RegistryListing(record.Registry, effective?.Registry.Id == record.Registry.Id);
    }

    /// <summary>Changes the credential of an entry: its e-mail address and either a stored username and password (with an
    /// optional expiry) or a source, which may differ from the entry's current one. A stored secret (a password or a
    /// refresh token) is always required again; what a source gave for the old version is never used again.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="credential">The new credential; the address never changes.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>):
    /// the change is made on that version or not at all, with no retry; <see langword="null"/> (the default) retries a
    /// concurrency conflict on a fresh read, checking the rules again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry was deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/> (nothing was
    /// written), or, without one, others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> EditRegistryAsync(string environmentId, string registryId, RegistryCredential credential, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return ChangeAsync(CallerName(), environmentId, registryId, "edit registries", RegistryEventKind.Edited, expectedVersion, record =>
        {
            if (record.Registry.State == RegistryState.Removed)
            {
                throw new InvalidRegistryStateException(record.Registry.Id, record.Registry.State, $"Registry '{record.Registry.Id}' was deleted and cannot be edited: add a new credential for {record.Registry.Address} instead.");
            }

            return new StoredRegistry(record.Registry.WithCredential(credential), credential.Password);
        }, cancellationToken);
    }

    /// <summary>Deactivates an Active entry: while it is the effective entry for its address, pulls from the address are prohibited.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>):
    /// the change is made on that version or not at all, with no retry; <see langword="null"/> (the default) retries a
    /// concurrency conflict on a fresh read, checking the rules again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Active.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/> (nothing was
    /// written), or, without one, others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeactivateRegistryAsync(string environmentId, string registryId, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => ChangeAsync(CallerName(), environmentId, registryId, "deactivate registries", RegistryEventKind.Deactivated, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Active, "deactivated", record.Registry.State == RegistryState.Inactive ? "it is already inactive" : "it was deleted");
            return new StoredRegistry(record.Registry.WithState(RegistryState.Inactive), record.Password);
        }, cancellationToken);

    /// <summary>Activates an Inactive entry again, without re-entering the password.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>):
    /// the change is made on that version or not at all, with no retry; <see langword="null"/> (the default) retries a
    /// concurrency conflict on a fresh read, checking the rules again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Inactive.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/> (nothing was
    /// written), or, without one, others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> ActivateRegistryAsync(string environmentId, string registryId, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => ChangeAsync(CallerName(), environmentId, registryId, "activate registries", RegistryEventKind.Activated, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "activated", record.Registry.State == RegistryState.Active ? "it is already active" : "it was deleted");
            return new StoredRegistry(record.Registry.WithState(RegistryState.Active), record.Password);
        }, cancellationToken);

    /// <summary>Deletes an Inactive entry: its secret is erased for good and it is never used again.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>):
    /// the change is made on that version or not at all, with no retry; <see langword="null"/> (the default) retries a
    /// concurrency conflict on a fresh read, checking the rules again.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The removed entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedVersion"/> is less than 1.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is Active (deactivate it first) or already deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/> (nothing was
    /// written), or, without one, others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeleteRegistryAsync(string environmentId, string registryId, long? expectedVersion = null, CancellationToken cancellationToken = default)
        => ChangeAsync(CallerName(), environmentId, registryId, "delete registries", RegistryEventKind.Deleted, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "deleted", record.Registry.State == RegistryState.Active ? "it is active: deactivate it first" : "it was already deleted");
            return new StoredRegistry(record.Registry.WithState(RegistryState.Removed), null);
        }, cancellationToken);

    // With an expected version the change is made on that version or not at all: the read must be at it, and the
    // store's own version check catches a write in between; without one, a conflict is retried on a fresh read.
    private async ValueTask<Registry> ChangeAsync(string caller, string environmentId, string registryId, string operation, RegistryEventKind kind, long? expectedVersion, Func<StoredRegistry, StoredRegistry> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        if (expectedVersion is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A registry entry's version is 1 or more.");
        }

        for (var attempt = 0; ; attempt++)
        {
            await _authorization.AuthorizeAsync(caller, environmentId, EnvironmentRole.Member, operation, registryOperation: true, cancellationToken).ConfigureAwait(false);
            var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryNotFoundException(environmentId, registryId);
            if (expectedVersion is { } expected && record.Registry.Version != expected)
            {
                throw new ConcurrencyConflictException(registryId, expected, record.Registry.Version);
            }

            var changed = change(record);
            StoredRegistry stored;
            try
            {
                stored = await _store.UpdateRegistryAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (expectedVersion is null && attempt < _options.ConcurrencyRetries)
            {
                continue;
            }

            await PublishAsync(new RegistryEvent(kind, stored.Registry, caller)).ConfigureAwait(false);
            return stored.Registry;
        }
    }

    private static void RequireState(Registry registry, RegistryState required, string verb, string why)
    {
        if (registry.State != required)
        {
            throw new InvalidRegistryStateException(registry.Id, registry.State, $"Registry '{registry.Id}' ({registry.Address}) cannot be {verb}: {why}.");
        }
    }
}
