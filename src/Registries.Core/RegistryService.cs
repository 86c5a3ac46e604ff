using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>The operations a user performs on environments and their registries, with Rancher's rules.</summary>
/// <remarks>
/// <para>Every operation acts for the caller: the one bound with <see cref="As(string)"/>, else the one the
/// registered <see cref="IRegistryCallerAccessor"/> gives (<see cref="MissingCallerException"/> when there is none). A caller who is not a member of the environment gets
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
    private readonly IRegistryCallerAccessor _callers;
    private readonly IRegistryEventObserver[] _observers;
    private readonly IObserverFailureHandler? _failures;

    /// <summary>Initializes a service over a store, with no observers: the simple form for scripts and tests.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <remarks>The service has no caller: bind one with <see cref="As(string)"/> before calling an operation.</remarks>
    /// <exception cref="ArgumentException">The options are not valid.</exception>
    public RegistryService(IRegistryStore store, RegistriesOptions? options = null)
        : this(new CredentialResolver(store, options))
    {
    }

    /// <summary>Initializes a service over the store, options and resolution observers of <paramref name="resolver"/>.</summary>
    /// <param name="resolver">The resolver; the service uses its store and options, so that both always agree.</param>
    /// <param name="callers">Tells who the current caller is (the application registers one); when <see langword="null"/>,
    /// every operation needs a caller bound with <see cref="As(string)"/>.</param>
    /// <param name="observers">Observers of registry events, for example an audit log. They run after the change is
    /// stored; what they throw goes to <paramref name="failureHandler"/>, never to the caller.</param>
    /// <param name="failureHandler">Receives the failures of observers; with none they are dropped.</param>
    public RegistryService(CredentialResolver resolver, IRegistryCallerAccessor? callers = null, IEnumerable<IRegistryEventObserver>? observers = null, IObserverFailureHandler? failureHandler = null)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        _resolver = resolver;
        _store = resolver.Store;
        _options = resolver.Options;
        _callers = callers ?? NoCaller.Instance;
        _observers = observers?.ToArray() ?? [];
        _failures = failureHandler;
    }

    private RegistryService(RegistryService other, IRegistryCallerAccessor callers)
    {
        _resolver = other._resolver;
        _store = other._store;
        _options = other._options;
        _observers = other._observers;
        _failures = other._failures;
        _callers = callers;
    }

    /// <summary>Returns a service bound to <paramref name="caller"/>: every operation on it acts as that user.</summary>
    /// <param name="caller">The user name, as environments list their members.</param>
    /// <returns>A service that shares this one's store, resolver and observers.</returns>
    /// <remarks>The simple form for scripts, workers and tests; an application that serves many users registers an
    /// <see cref="IRegistryCallerAccessor"/> instead. Cheap: call it per request if that is simpler.</remarks>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public RegistryService As(string caller) => As(new RegistryCaller(caller));

    /// <summary>Returns a service bound to <paramref name="caller"/>: every operation on it acts as that caller.</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>A service that shares this one's store, resolver and observers.</returns>
    public RegistryService As(RegistryCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new RegistryService(this, new FixedCaller(caller));
    }

    /// <summary>Creates an environment; the creator becomes its Owner.</summary>
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
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration = OrchestrationKind.Cattle, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
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
        var visible = await ListVisibleAsync(caller, cancellationToken).ConfigureAwait(false);
        if (visible.FirstOrDefault(e => e.IsNamed(trimmed) || string.Equals(e.Id, trimmed, StringComparison.Ordinal)) is { } existing)
        {
            throw new DuplicateEnvironmentNameException(trimmed, existing.Id);
        }

        var members = new Dictionary<string, EnvironmentRole>(StringComparer.Ordinal) { [caller] = EnvironmentRole.Owner };
        return await _store.CreateEnvironmentAsync(trimmed, orchestration, members, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lists the environments the user is a member of.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environments, in order of creation.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
        var all = await _store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(e => e.RoleOf(caller) is not null).ToArray();
    }

    /// <summary>Reads an environment the user is a member of.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the user is not a member.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        var (environment, _) = await AuthorizeAsync(CallerName(), environmentId, null, "read the environment", registryOperation: false, cancellationToken).ConfigureAwait(false);
        return environment;
    }

    /// <summary>Reads an environment the user is a member of, given its id or its name.</summary>
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
    /// <exception cref="MissingCallerException">No caller is known.</exception>
    /// <exception cref="EnvironmentNotFoundException">No environment the user is a member of has that id or name.</exception>
    /// <exception cref="AmbiguousEnvironmentNameException">Several environments the user is a member of bear that name; the error lists their ids.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<RegistryEnvironment> GetEnvironmentByIdOrNameAsync(string idOrName, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
        ArgumentNullException.ThrowIfNull(idOrName);
        if (idOrName.Length > 0)
        {
            var byId = await _store.GetEnvironmentAsync(idOrName, cancellationToken).ConfigureAwait(false);
            if (byId?.RoleOf(caller) is not null)
            {
                return byId;
            }
        }

        var matches = (await ListVisibleAsync(caller, cancellationToken).ConfigureAwait(false))
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
    /// <param name="environmentId">The environment.</param>
    /// <param name="user">The user to add or change.</param>
    /// <param name="role">The role.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment.</returns>
    /// <exception cref="ArgumentException">The user name is empty or holds a control or invisible formatting character, or the role is unknown.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="RegistryRuleException">The change would leave the environment without an Owner.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> SetMemberAsync(string environmentId, string user, EnvironmentRole role, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
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
            var (environment, _) = await AuthorizeAsync(caller, environmentId, EnvironmentRole.Owner, "manage members", registryOperation: false, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Removes a member from an environment. Only Owners may do this.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="user">The member to remove.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed environment; unchanged (and not written) when <paramref name="user"/> was not a member.</returns>
    /// <remarks>The removed user loses access at once: every later operation of theirs answers as for an unknown
    /// environment. A credential helper or kubelet provider bound to that user stops answering.</remarks>
    /// <exception cref="ArgumentException">The user name is empty.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is not an Owner.</exception>
    /// <exception cref="RegistryRuleException">The user is the last Owner.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the environment; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> RemoveMemberAsync(string environmentId, string user, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
        if (string.IsNullOrWhiteSpace(user))
        {
            throw new ArgumentException("A user name is required.", nameof(user));
        }

        for (var attempt = 0; ; attempt++)
        {
            var (environment, _) = await AuthorizeAsync(caller, environmentId, EnvironmentRole.Owner, "manage members", registryOperation: false, cancellationToken).ConfigureAwait(false);
            var role = environment.RoleOf(user);
            if (role is null)
            {
                return environment;
            }

            if (role == EnvironmentRole.Owner && environment.Members.Count(m => m.Value == EnvironmentRole.Owner) == 1)
            {
                throw new RegistryRuleException($"User '{user}' is the last Owner of environment '{environmentId}': make another member Owner first.");
            }

            try
            {
                return await _store.UpdateEnvironmentAsync(environment.WithoutMember(user), cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < _options.ConcurrencyRetries)
            {
            }
        }
    }

    /// <summary>Adds a registry credential for a whole address. It becomes the effective one for its address from now on.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address (<see cref="RegistryAddress.DockerHub"/>, <see cref="RegistryAddress.Quay"/> or a custom one).</param>
    /// <param name="credential">The e-mail address, username and password.</param>
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
    /// <param name="credential">The e-mail address, username and password.</param>
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
        await AuthorizeAsync(caller, environmentId, EnvironmentRole.Member, "add registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
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
    public async ValueTask<IReadOnlyList<RegistryEntry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        await AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "list registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var records = await _store.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var effectiveIds = StoreRules.SelectEffectivePerScope(records)
            .Select(r => r.Registry.Id)
            .ToHashSet(StringComparer.Ordinal);
        return records
            .OrderBy(r => r.Registry.Sequence)
            .Select(r => new RegistryEntry(r.Registry, effectiveIds.Contains(r.Registry.Id)))
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
    public async ValueTask<RegistryEntry> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        await AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryNotFoundException(environmentId, registryId);
        var effective = await EffectiveOfScopeAsync(environmentId, record.Registry.Scope, cancellationToken).ConfigureAwait(false);
        return new RegistryEntry(record.Registry, effective?.Registry.Id == record.Registry.Id);
    }

    /// <summary>Changes the e-mail address, username and password of an entry. The password is always required again.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="credential">The new credential; the address never changes.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry was deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> EditRegistryAsync(string environmentId, string registryId, RegistryCredential credential, CancellationToken cancellationToken = default)
        => EditCoreAsync(environmentId, registryId, credential, null, cancellationToken);

    /// <summary>Changes the e-mail address, username and password of an entry, only if it is still at the version the caller read.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="credential">The new credential; the address never changes.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <remarks>The store compares the version when it writes, so a change made since the read is never overwritten; there is no retry.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry was deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> EditRegistryAsync(string environmentId, string registryId, RegistryCredential credential, long expectedVersion, CancellationToken cancellationToken = default)
        => EditCoreAsync(environmentId, registryId, credential, expectedVersion, cancellationToken);

    private ValueTask<Registry> EditCoreAsync(string environmentId, string registryId, RegistryCredential credential, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return ChangeAsync(CallerName(), environmentId, registryId, "edit registries", RegistryEventKind.Edited, expectedVersion, record =>
        {
            if (record.Registry.State == RegistryState.Removed)
            {
                throw new InvalidRegistryStateException(record.Registry.Id, record.Registry.State, $"Registry '{record.Registry.Id}' was deleted and cannot be edited: add a new credential for {record.Registry.Address} instead.");
            }

            return new RegistryRecord(record.Registry.WithIdentity(credential.Email, credential.Username), credential.Password);
        }, cancellationToken);
    }

    /// <summary>Deactivates an Active entry: while it is the effective entry for its address, pulls from the address are prohibited.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Active.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeactivateRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
        => DeactivateCoreAsync(environmentId, registryId, null, cancellationToken);

    /// <summary>Deactivates an entry as <see cref="DeactivateRegistryAsync(string, string, CancellationToken)"/> does, only if it is still at the version the caller read.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <remarks>The store compares the version when it writes, so a change made since the read is never overwritten; there is no retry.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not in a state that allows it.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeactivateRegistryAsync(string environmentId, string registryId, long expectedVersion, CancellationToken cancellationToken = default)
        => DeactivateCoreAsync(environmentId, registryId, expectedVersion, cancellationToken);

    private ValueTask<Registry> DeactivateCoreAsync(string environmentId, string registryId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeAsync(CallerName(), environmentId, registryId, "deactivate registries", RegistryEventKind.Deactivated, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Active, "deactivated", record.Registry.State == RegistryState.Inactive ? "it is already inactive" : "it was deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Inactive), record.Password);
        }, cancellationToken);

    /// <summary>Activates an Inactive entry again, without re-entering the password.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not Inactive.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> ActivateRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
        => ActivateCoreAsync(environmentId, registryId, null, cancellationToken);

    /// <summary>Activates an entry as <see cref="ActivateRegistryAsync(string, string, CancellationToken)"/> does, only if it is still at the version the caller read.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <remarks>The store compares the version when it writes, so a change made since the read is never overwritten; there is no retry.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not in a state that allows it.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> ActivateRegistryAsync(string environmentId, string registryId, long expectedVersion, CancellationToken cancellationToken = default)
        => ActivateCoreAsync(environmentId, registryId, expectedVersion, cancellationToken);

    private ValueTask<Registry> ActivateCoreAsync(string environmentId, string registryId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeAsync(CallerName(), environmentId, registryId, "activate registries", RegistryEventKind.Activated, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "activated", record.Registry.State == RegistryState.Active ? "it is already active" : "it was deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Active), record.Password);
        }, cancellationToken);

    /// <summary>Deletes an Inactive entry: its secret is erased for good and it is never used again.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The removed entry.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is Active (deactivate it first) or already deleted.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">Others kept changing the entry; retry.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeleteRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
        => DeleteCoreAsync(environmentId, registryId, null, cancellationToken);

    /// <summary>Deletes an entry as <see cref="DeleteRegistryAsync(string, string, CancellationToken)"/> does, only if it is still at the version the caller read.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="expectedVersion">The <see cref="Registry.Version"/> the caller read (for example from an HTTP <c>If-Match</c>).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The changed entry.</returns>
    /// <remarks>The store compares the version when it writes, so a change made since the read is never overwritten; there is no retry.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="InvalidRegistryStateException">The entry is not in a state that allows it.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="ConcurrencyConflictException">The entry is no longer at <paramref name="expectedVersion"/>; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public ValueTask<Registry> DeleteRegistryAsync(string environmentId, string registryId, long expectedVersion, CancellationToken cancellationToken = default)
        => DeleteCoreAsync(environmentId, registryId, expectedVersion, cancellationToken);

    private ValueTask<Registry> DeleteCoreAsync(string environmentId, string registryId, long? expectedVersion, CancellationToken cancellationToken)
        => ChangeAsync(CallerName(), environmentId, registryId, "delete registries", RegistryEventKind.Deleted, expectedVersion, record =>
        {
            RequireState(record.Registry, RegistryState.Inactive, "deleted", record.Registry.State == RegistryState.Active ? "it is active: deactivate it first" : "it was already deleted");
            return new RegistryRecord(record.Registry.WithState(RegistryState.Removed), null);
        }, cancellationToken);

    /// <summary>Reads the effective entry for a whole registry address: the one whose credential (or prohibition) every
    /// image of the address gets unless a path-scoped entry covers it (the answer of <see cref="ResolveAsync(string, RegistryAddress, CancellationToken)"/>).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The effective entry, without its password, or <see langword="null"/> when the address has none (pulls are anonymous).</returns>
    /// <remarks>Any member may read it (<see cref="RegistryPermission.ReadRegistries"/>); the entry may be Inactive, in which
    /// case pulls from the address are prohibited.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEntry?> GetEffectiveRegistryAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        await AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var entries = await _store.ListRegistriesCoveringAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
        var effective = CredentialResolver.Resolve(address, entries).MatchedRegistry;
        return effective is null ? null : new RegistryEntry(effective, isEffective: true);
    }

    /// <summary>Explains how an image resolves: the candidate entries, which scope decides, which entry is effective in
    /// it, and why each other one is not used (overridden, less specific, removed, path or pattern did not match).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The explanation, which holds no password: any member may read it (<see cref="RegistryPermission.ReadRegistries"/>).</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<ResolutionExplanation> ExplainAsync(string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        await AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var records = await _store.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return CredentialResolver.Explain(image, records);
    }

    // The effective entry of one scope (null when it has none): what a new entry there overrides, and whether an entry
    // is the effective one of its scope.
    private async ValueTask<RegistryRecord?> EffectiveOfScopeAsync(string environmentId, RegistryScope scope, CancellationToken cancellationToken)
    {
        var entries = await _store.ListRegistriesByAddressAsync(environmentId, scope.Address, cancellationToken).ConfigureAwait(false);
        RegistryRecord? effective = null;
        foreach (var entry in entries)
        {
            if (entry.Registry.State != RegistryState.Removed && entry.Registry.Scope.Equals(scope)
                && (effective is null || entry.Registry.Sequence > effective.Registry.Sequence))
            {
                effective = entry;
            }
        }

        return effective;
    }

    /// <summary>Resolves an image for a caller who may use the environment's credentials (Owner or Member).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <remarks>The environment and the entries are read together (<see cref="IRegistryStore.ReadResolutionAsync"/>: one
    /// round trip on PostgreSQL, none with its resolution cache), for the permission check and the resolution.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var caller = CallerName();
        ArgumentNullException.ThrowIfNull(environmentId);
        var data = await _store.ReadResolutionAsync(environmentId, image.Address, cancellationToken).ConfigureAwait(false);
        Authorize(caller, environmentId, data.Environment, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true);
        return _resolver.ResolveIn(environmentId, image, data.Entries);
    }

    /// <summary>Resolves a registry address for a caller who may use the environment's credentials (Owner or Member).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied, the answer every image of the address gets, with
    /// <see cref="CredentialResolution.Image"/> <see langword="null"/>.</returns>
    /// <remarks>For what asks per server rather than per image: exported config files, credential helpers, and the
    /// check of an imported credential against the effective one.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var caller = CallerName();
        ArgumentNullException.ThrowIfNull(environmentId);
        var data = await _store.ReadResolutionAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
        Authorize(caller, environmentId, data.Environment, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true);
        return _resolver.ResolveIn(environmentId, address, data.Entries);
    }

    /// <summary>Resolves a scope for a caller who may use the environment's credentials (Owner or Member): the answer of
    /// the scope's own effective entry, whatever more or less specific scopes exist.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">The scope (an address or host pattern, and a path prefix or none).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated (the scope's effective entry is Active), Denied (it is Inactive) or Anonymous (the scope has
    /// no entry that is not Removed), with <see cref="CredentialResolution.Image"/> <see langword="null"/> and
    /// <see cref="CredentialResolution.Address"/> the scope's address or pattern.</returns>
    /// <remarks>For what writes one key per scope (the exports of a path-scoped or pattern entry, an import's check of
    /// what a key already holds); what an image gets is <see cref="ResolveAsync(string, ImageReference, CancellationToken)"/>.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, RegistryScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var effective = await EffectiveOfScopeAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
        return _resolver.ResolveIn(environmentId, scope, effective);
    }

    /// <summary>Tells whether the caller holds a permission in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="permission">The permission.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the caller's role grants it (see <see cref="RegistryEnvironment.HasPermission"/>).</returns>
    /// <remarks>Ask before work that the operation itself would refuse only at its end (verifying a credential against
    /// its registry, reading a file to import). A caller who is not a member learns nothing: the answer is the same
    /// <see cref="EnvironmentNotFoundException"/> as for an unknown id.</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">A registry permission was asked in an environment whose orchestration does not support registries.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<bool> HasPermissionAsync(string environmentId, RegistryPermission permission, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
        var (environment, _) = await AuthorizeAsync(caller, environmentId, null, string.Empty, IsRegistryPermission(permission), cancellationToken).ConfigureAwait(false);
        return environment.HasPermission(caller, permission);
    }

    /// <summary>Demands a permission: returns the environment when the caller holds it, and throws otherwise.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="permission">The permission.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller's role does not grant the permission.</exception>
    /// <exception cref="UnsupportedOrchestrationException">A registry permission was asked in an environment whose orchestration does not support registries.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> EnsurePermissionAsync(string environmentId, RegistryPermission permission, CancellationToken cancellationToken = default)
    {
        var caller = CallerName();
        var (environment, role) = await AuthorizeAsync(caller, environmentId, null, string.Empty, IsRegistryPermission(permission), cancellationToken).ConfigureAwait(false);
        if (!environment.HasPermission(caller, permission))
        {
            throw new PermissionDeniedException(caller, environmentId, role, RegistryPermissions.Describe(permission));
        }

        return environment;
    }

    // With an expected version the change is made on that version or not at all: the read must be at it, and the
    // store's own version check catches a write in between; without one, a conflict is retried on a fresh read.
    private async ValueTask<Registry> ChangeAsync(string caller, string environmentId, string registryId, string operation, RegistryEventKind kind, long? expectedVersion, Func<RegistryRecord, RegistryRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        if (expectedVersion is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "A registry entry's version is 1 or more.");
        }

        for (var attempt = 0; ; attempt++)
        {
            await AuthorizeAsync(caller, environmentId, EnvironmentRole.Member, operation, registryOperation: true, cancellationToken).ConfigureAwait(false);
            var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
                ?? throw new RegistryNotFoundException(environmentId, registryId);
            if (expectedVersion is { } expected && record.Registry.Version != expected)
            {
                throw new ConcurrencyConflictException(registryId, expected, record.Registry.Version);
            }

            var changed = change(record);
            RegistryRecord stored;
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

    private async ValueTask<(RegistryEnvironment Environment, EnvironmentRole Role)> AuthorizeAsync(string caller, string environmentId, EnvironmentRole? minimum, string operation, bool registryOperation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        ArgumentNullException.ThrowIfNull(environmentId);
        var environment = await _store.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Authorize(caller, environmentId, environment, minimum, operation, registryOperation);
    }

    // The rules of AuthorizeAsync on an environment already read (null: none with that id).
    private (RegistryEnvironment Environment, EnvironmentRole Role) Authorize(string caller, string environmentId, RegistryEnvironment? environment, EnvironmentRole? minimum, string operation, bool registryOperation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        if (environment?.RoleOf(caller) is not { } role)
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
            throw new PermissionDeniedException(caller, environmentId, role, operation);
        }

        return (environment, role);
    }

    private static bool IsRegistryPermission(RegistryPermission permission) => permission switch
    {
        RegistryPermission.ReadEnvironment or RegistryPermission.ManageMembers => false,
        RegistryPermission.ReadRegistries or RegistryPermission.ManageRegistries or RegistryPermission.UseCredentials => true,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, "Unknown permission: use ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers."),
    };

    private string CallerName() => (_callers.Caller ?? throw new MissingCallerException()).Name;

    private async ValueTask<IReadOnlyList<RegistryEnvironment>> ListVisibleAsync(string caller, CancellationToken cancellationToken)
    {
        var all = await _store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(e => e.RoleOf(caller) is not null).ToArray();
    }

    // The change is stored: from here on nothing may fail the operation, or a caller who retries would repeat it.
    // Observers are awaited one by one (an audit log is written when the operation returns), without the caller's
    // token: cancelling after the commit cannot undo it, so the observers still hear of it.
    private async ValueTask PublishAsync(RegistryEvent registryEvent)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnRegistryEventAsync(registryEvent, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best effort after the commit, reported to the failure handler.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ObserverFailures.Report(_failures, new ObserverFailure(observer, registryEvent, ex));
            }
        }
    }

    private sealed class NoCaller : IRegistryCallerAccessor
    {
        public static readonly NoCaller Instance = new();

        public RegistryCaller? Caller => null;
    }

    private sealed class FixedCaller(RegistryCaller caller) : IRegistryCallerAccessor
    {
        public RegistryCaller? Caller { get; } = caller;
    }
}
