namespace Registries.Core;

// Environments and their members: create, list, read, members and roles, and the caller's permissions.
public sealed partial class RegistryService
{
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
        var visible = await _authorization.ListVisibleAsync(caller, cancellationToken).ConfigureAwait(false);
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
    public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
        => _authorization.ListVisibleAsync(CallerName(), cancellationToken);

    /// <summary>Reads an environment the user is a member of.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the user is not a member.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<RegistryEnvironment> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        var (environment, _) = await _authorization.AuthorizeAsync(CallerName(), environmentId, null, "read the environment", registryOperation: false, cancellationToken).ConfigureAwait(false);
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

        var matches = (await _authorization.ListVisibleAsync(caller, cancellationToken).ConfigureAwait(false))
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
            var (environment, _) = await _authorization.AuthorizeAsync(caller, environmentId, EnvironmentRole.Owner, "manage members", registryOperation: false, cancellationToken).ConfigureAwait(false);
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
            var (environment, _) = await _authorization.AuthorizeAsync(caller, environmentId, EnvironmentRole.Owner, "manage members", registryOperation: false, cancellationToken).ConfigureAwait(false);
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
        var (environment, _) = await _authorization.AuthorizeAsync(caller, environmentId, null, string.Empty, CallerAuthorization.IsRegistryPermission(permission), cancellationToken).ConfigureAwait(false);
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
        var (environment, role) = await _authorization.AuthorizeAsync(caller, environmentId, null, string.Empty, CallerAuthorization.IsRegistryPermission(permission), cancellationToken).ConfigureAwait(false);
        if (!environment.HasPermission(caller, permission))
        {
            throw new PermissionDeniedException(caller, environmentId, role, RegistryPermissions.Describe(permission));
        }

        return environment;
    }
}
