using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>The operations a user performs on environments and their registries, with Rancher's rules.</summary>
/// <remarks>
/// <para>Every operation names the acting user. A user who is not a member of the environment gets
/// <see cref="EnvironmentNotFoundException"/> (the same as for an unknown id), so an outsider cannot learn that
/// an environment or registry exists. Owners and Members manage registries; ReadOnly members may list them.
/// Registry operations in an environment whose orchestration is not supported throw
/// <see cref="UnsupportedOrchestrationException"/>.</para>
/// <para>Read-modify-write operations retry after a <see cref="ConcurrencyConflictException"/> (see
/// <see cref="RegistriesOptions.ConcurrencyRetries"/>), checking the rules again on the fresh entry each time.
/// Thread-safe when the store is.</para>
/// </remarks>
public sealed class RegistryService
{
    private readonly IRegistryStore _store;
    private readonly RegistriesOptions _options;
    private readonly CredentialResolver _resolver;
    private readonly IRegistryEventObserver[] _observers;

    /// <summary>Initializes a new service.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="observers">Observers of registry events, for example an audit log.</param>
    /// <param name="resolutionObservers">Observers of resolutions made through <see cref="ResolveAsync"/>.</param>
    public RegistryService(IRegistryStore store, RegistriesOptions? options = null, IEnumerable<IRegistryEventObserver>? observers = null, IEnumerable<IResolutionObserver>? resolutionObservers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new RegistriesOptions();
        _resolver = new CredentialResolver(store, _options, resolutionObservers);
        _observers = observers?.ToArray() ?? [];
    }

    /// <summary>Creates an environment; the creator becomes its Owner.</summary>
    /// <param name="actor">The user creating it.</param>
    /// <param name="name">The display name; white space around it is removed.</param>
    /// <param name="orchestration">The orchestration kind.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new environment.</returns>
    /// <remarks>A name the creator can already see (as another environment's name, compared as
    /// <see cref="RegistryEnvironment.IsNamed(string)"/> does, or as its id) is refused, so that every name the creator sees
    /// can stand for an id (<see cref="GetEnvironmentByIdOrNameAsync"/>). The check is not atomic with the creation: two
    /// creations racing with one name may both succeed, and the name is then reported as ambiguous, never guessed.</remarks>
    /// <exception cref="ArgumentException">The user or name is empty, the name holds a control or invisible formatting character, or the orchestration is unknown.</exception>
    /// <exception cref="DuplicateEnvironmentNameException">The creator can already see an environment with that name or id.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string actor, string name, OrchestrationKind orchestration = OrchestrationKind.Cattle, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("An environment name is required.", nameof(name));
        }

        if (!Enum.IsDefined(orchestration))
        {
            throw new ArgumentOutOfRangeException(nameof(orchestration), orchestration, "Unknown orchestration kind: use Cattle, Kubernetes, Swarm or Mesos.");
        }

        var trimmed = name.Trim();
        DisplayName.Require(trimmed, "An environment name", nameof(name));
        var visible = await ListEnvironmentsAsync(actor, cancellationToken).ConfigureAwait(false);
        if (visible.FirstOrDefault(e => e.IsNamed(trimmed) || string.Equals(e.Id, trimmed, StringComparison.Ordinal)) is { } existing)
        {
            throw new DuplicateEnvironmentNameException(trimmed, existing.Id);
        }

        var members = new Dictionary<string, EnvironmentRole>(StringComparer.Ordinal) { [actor] = EnvironmentRole.Owner };
        return await _store.CreateEnvironmentAsync(trimmed, orchestration, members, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the environments the user is a member of.</summary>
    /// <param name="actor">The user.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environments, in order of creation.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var all = await _store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(e => e.RoleOf(actor) is not null).ToArray();
    }

    /// <summary>Reads an environment the user is a member of.</summary>
    /// <param name="actor">The user.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the user is not a member.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEnvironment> GetEnvironmentAsync(string actor, string environmentId, CancellationToken cancellationToken = default)
    {
        var (environment, _) = await AuthorizeAsync(actor, environmentId, null, "read the environment", registryOperation: false, cancellationToken).ConfigureAwait(false);
        return environment;
    }

    /// <summary>Reads an environment the user is a member of, given its id or its name.</summary>
    /// <param name="actor">The user.</param>
    /// <param name="idOrName">The environment's id or name, for example as a user typed it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment.</returns>
    /// <remarks>
    /// <para>The id wins: when <paramref name="idOrName"/> is the id of an environment the user is a member of, that
    /// environment is returned, whatever the names. Otherwise it is taken as a name, compared as
    /// <see cref="RegistryEnvironment.IsNamed(string)"/> does (ignoring case and surrounding white space), among the
    /// environments the user is a member of only: an environment the user cannot see is never found by its name, and
    /// gives the same <see cref="EnvironmentNotFoundException"/> as a name no environment bears.</para>
    /// <para>Pass the returned environment's <see cref="RegistryEnvironment.Id"/> to the other operations.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">The user is empty.</exception>
    /// <exception cref="EnvironmentNotFoundException">No environment the user is a member of has that id or name.</exception>
    /// <exception cref="AmbiguousEnvironmentNameException">Several environments the user is a member of bear that name; the error lists their ids.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEnvironment> GetEnvironmentByIdOrNameAsync(string actor, string idOrName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(idOrName);
        if (idOrName.Length > 0)
        {
            var byId = await _store.GetEnvironmentAsync(idOrName, cancellationToken).ConfigureAwait(false);
            if (byId?.RoleOf(actor) is not null)
            {
                return byId;
            }
        }

        var matches = (await ListEnvironmentsAsync(actor, cancellationToken).ConfigureAwait(false))
            .Where(e => e.IsNamed(idOrName))
            .ToArray();
        return matches.Length switch
        {
            0 => throw new EnvironmentNotFoundException(idOrName),
            1 => matches[0],
            _ => throw new AmbiguousEnvironmentNameException(idOrName.Trim(), matches.Select(e => e.Id).ToArray()),
        };
    }

    /// <summary>Adds a member or changes a member's role. Only Owners may do this.</summary>
    /// <param name="actor">The acting user.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="user">The user to add or change.</param>
    /// <param name="role">The role.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment.</returns>
    /// <exception cref="ArgumentException">The user name is empty or holds a control or invisible formatting character, or the role is unknown.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The actor is not an Owner.</exception>
    /// <exception cref="RegistryRuleException">The change would leave the environment without an Owner.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEnvironment> SetMemberAsync(string actor, string environmentId, string user, EnvironmentRole role, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(user))
        {
            throw new ArgumentException("A user name is required.", nameof(user));
        }

        DisplayName.Require(user, "A user name", nameof(user));

        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role: use Owner, Member or ReadOnly.");
        }

        for (var attempt = 0; ; attempt++)
        {
            var (environment, _) = await AuthorizeAsync(actor, environmentId, EnvironmentRole.Owner, "manage members", registryOperation: false, cancellationToken).ConfigureAwait(false);
            if (environment.RoleOf(user) == EnvironmentRole.Owner && role != EnvironmentRole.Owner
                && environment.Members.Count(m => m.Value == EnvironmentRole.Owner) == 1)
            {
                throw new RegistryRuleException($"User '{user}' is the last Owner of environment '{environmentId}': make another member Owner first.");
            }

            try
            {
                return await _store.UpdateEnvironmentAsync(environment.WithMember(user, role), cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < _options.ConcurrencyRetries)
            {
            }
        }
    }

    /// <summary>Adds a registry credential. It becomes the effective one for its address from now on.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address (<see cref="RegistryAddress.DockerHub"/>, <see cref="RegistryAddress.Quay"/> or a custom one).</param>
    /// <param name="credential">The e-mail address, username and password.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<Registry> AddRegistryAsync(string actor, string environmentId, RegistryAddress address, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(credential);
        await AuthorizeAsync(actor, environmentId, EnvironmentRole.Member, "add registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var before = CredentialResolver.SelectEffective(await _store.ListRegistriesByAddressAsync(environmentId, address, cancellationToken).ConfigureAwait(false));
        var added = await _store.AddRegistryAsync(environmentId, address, credential, cancellationToken).ConfigureAwait(false);
        await PublishAsync(new RegistryEvent(RegistryEventKind.Added, added.Registry, actor), cancellationToken).ConfigureAwait(false);
        if (before is not null && before.Registry.Sequence < added.Registry.Sequence)
        {
            await PublishAsync(new RegistryEvent(RegistryEventKind.Overridden, before.Registry, actor), cancellationToken).ConfigureAwait(false);
        }

        return added.Registry;
    }

    /// <summary>Lists the registry entries of an environment, oldest first, marking the effective ones.</summary>
    /// <param name="actor">The acting user (any member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entries, without passwords.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<IReadOnlyList<RegistryEntry>> ListRegistriesAsync(string actor, string environmentId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(actor, environmentId, EnvironmentRole.ReadOnly, "list registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var records = await _store.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var effectiveIds = records
            .GroupBy(r => r.Registry.Address)
            .Select(g => CredentialResolver.SelectEffective(g.ToArray())?.Registry.Id)
            .Where(id => id is not null)
            .ToHashSet(StringComparer.Ordinal);
        return records
            .OrderBy(r => r.Registry.Sequence)
            .Select(r => new RegistryEntry(r.Registry, effectiveIds.Contains(r.Registry.Id)))
            .ToArray();
    }

    /// <summary>Reads one registry entry.</summary>
    /// <param name="actor">The acting user (any member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The entry, without its password.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEntry> GetRegistryAsync(string actor, string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        await AuthorizeAsync(actor, environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryNotFoundException(environmentId, registryId);
        var effective = CredentialResolver.SelectEffective(await _store.ListRegistriesByAddressAsync(environmentId, record.Registry.Address, cancellationToken).ConfigureAwait(false));
        return new RegistryEntry(record.Registry, effective?.Registry.Id == record.Registry.Id);
    }

    /// <summary>Changes the e-mail address, username and password of an entry. The password is always required again.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="credential">The new credential; the address never changes.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry was deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<Registry> EditRegistryAsync(string actor, string environmentId, string registryId, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return ChangeAsync(actor, environmentId, registryId, "edit registries", RegistryEventKind.Edited, record =>
        {
            if (record.Registry.State == RegistryState.Removed)
            {
                throw new InvalidRegistryStateException(record.Registry.Id, record.Registry.State, $"Registry '{record.Registry.Id}' was deleted and cannot be edited: add a new credential for {record.Registry.Address} instead.");
            }

            return new RegistryRecord(record.Registry.WithIdentity(credential.Email, credential.Username), credential.Password);
        }, cancellationToken);
    }

    /// <summary>Deactivates an Active entry: while it is the effective entry for its address, pulls from the address are prohibited.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Active.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<Registry> DeactivateRegistryAsync(string actor, string environmentId, string registryId, CancellationToken cancellationToken = default)
        => ChangeAsync(actor, environmentId, registryId, "deactivate registries", RegistryEventKind.Deactivated, record =>
        {
            RequireState(record.Registry, RegistryState.Active, "deactivated", record.Registry.State == RegistryState.Inactive ? "it is already inactive" : "it was deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Inactive), record.Password);
        }, cancellationToken);

    /// <summary>Activates an Inactive entry again, without re-entering the password.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Inactive.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<Registry> ActivateRegistryAsync(string actor, string environmentId, string registryId, CancellationToken cancellationToken = default)
        => ChangeAsync(actor, environmentId, registryId, "activate registries", RegistryEventKind.Activated, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "activated", record.Registry.State == RegistryState.Active ? "it is already active" : "it was deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Active), record.Password);
        }, cancellationToken);

    /// <summary>Deletes an Inactive entry: its secret is erased for good and it is never used again.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The removed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is Active (deactivate it first) or already deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<Registry> DeleteRegistryAsync(string actor, string environmentId, string registryId, CancellationToken cancellationToken = default)
        => ChangeAsync(actor, environmentId, registryId, "delete registries", RegistryEventKind.Deleted, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "deleted", record.Registry.State == RegistryState.Active ? "it is active: deactivate it first" : "it was already deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Removed), null);
        }, cancellationToken);

    /// <summary>Resolves an image for a user who may launch containers (Owner or Member).</summary>
    /// <param name="actor">The acting user.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string actor, string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        await AuthorizeAsync(actor, environmentId, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true, cancellationToken).ConfigureAwait(false);
        return await _resolver.ResolveAsync(environmentId, image, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<Registry> ChangeAsync(string actor, string environmentId, string registryId, string operation, RegistryEventKind kind, Func<RegistryRecord, RegistryRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        for (var attempt = 0; ; attempt++)
        {
            await AuthorizeAsync(actor, environmentId, EnvironmentRole.Member, operation, registryOperation: true, cancellationToken).ConfigureAwait(false);
            var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryNotFoundException(environmentId, registryId);
            var changed = change(record);
            RegistryRecord stored;
            try
            {
                stored = await _store.UpdateRegistryAsync(changed, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < _options.ConcurrencyRetries)
            {
                continue;
            }

            await PublishAsync(new RegistryEvent(kind, stored.Registry, actor), cancellationToken).ConfigureAwait(false);
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

    private async ValueTask<(RegistryEnvironment Environment, EnvironmentRole Role)> AuthorizeAsync(string actor, string environmentId, EnvironmentRole? minimum, string operation, bool registryOperation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(environmentId);
        var environment = await _store.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false);
        if (environment?.RoleOf(actor) is not { } role)
        {
            throw new EnvironmentNotFoundException(environmentId);
        }

        if (registryOperation)
        {
            _resolver.EnsureSupported(environment);
        }

        // Owner < Member < ReadOnly in the enum: a smaller value is a stronger role.
        if (minimum is { } required && role > required)
        {
            throw new PermissionDeniedException(actor, environmentId, role, operation);
        }

        return (environment, role);
    }

    private async ValueTask PublishAsync(RegistryEvent registryEvent, CancellationToken cancellationToken)
    {
        foreach (var observer in _observers)
        {
            await observer.OnRegistryEventAsync(registryEvent, cancellationToken).ConfigureAwait(false);
        }
    }
}
