using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>Decides what a caller may do in an environment: the caller must be a member (an outsider gets "not found",
/// never "forbidden"), hold a role strong enough for the operation, and, for a registry operation, be in an environment
/// whose orchestration supports registries.</summary>
/// <remarks>The one place of these rules for <see cref="RegistryService"/>. Thread-safe when the store is.</remarks>
internal sealed class CallerAuthorization
{
    private readonly IRegistryStore _store;
    private readonly RegistriesOptions _options;

    public CallerAuthorization(IRegistryStore store, RegistriesOptions options)
    {
        _store = store;
        _options = options;
    }

    /// <summary>Reads the environment and applies <see cref="Authorize"/> to it.</summary>
    public async ValueTask<(RegistryEnvironment Environment, EnvironmentRole Role)> AuthorizeAsync(string caller, string environmentId, EnvironmentRole? minimum, string operation, bool registryOperation, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        ArgumentNullException.ThrowIfNull(environmentId);
        var environment = await _store.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return Authorize(caller, environmentId, environment, minimum, operation, registryOperation);
    }

    /// <summary>The rules, on an environment already read (<see langword="null"/>: none with that id): a member, in a
    /// supported orchestration when <paramref name="registryOperation"/>, with at least the <paramref name="minimum"/> role.</summary>
    public (RegistryEnvironment Environment, EnvironmentRole Role) Authorize(string caller, string environmentId, RegistryEnvironment? environment, EnvironmentRole? minimum, string operation, bool registryOperation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        if (environment?.RoleOf(caller) is not { } role)
        {
            throw new EnvironmentNotFoundException(environmentId);
        }

        if (registryOperation)
        {
            _options.EnsureSupported(environment);
        }

        // Owner < Member < ReadOnly in the enum: a smaller value is a stronger role.
        if (minimum is { } required && role > required)
        {
            throw new PermissionDeniedException(caller, environmentId, role, operation, required);
        }

        return (environment, role);
    }

    /// <summary>Lists the environments the caller is a member of, in order of creation.</summary>
    public async ValueTask<IReadOnlyList<RegistryEnvironment>> ListVisibleAsync(string caller, CancellationToken cancellationToken)
    {
        var all = await _store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(e => e.RoleOf(caller) is not null).ToArray();
    }

    /// <summary>Tells whether a permission concerns registries (and so needs a supported orchestration).</summary>
    public static bool IsRegistryPermission(RegistryPermission permission) => permission switch
    {
        RegistryPermission.ReadEnvironment or RegistryPermission.ManageMembers => false,
        RegistryPermission.ReadRegistries or RegistryPermission.ManageRegistries or RegistryPermission.UseCredentials => true,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, "Unknown permission: use ReadEnvironment, ReadRegistries, ManageRegistries, UseCredentials or ManageMembers."),
    };
}
