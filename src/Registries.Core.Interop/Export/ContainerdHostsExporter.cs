namespace Registries.Core.Interop;

/// <summary>Exports an environment's mirrors as containerd's registry host configuration (a <c>certs.d</c> tree of
/// <c>hosts.toml</c> files, see <see cref="ContainerdHostsExport"/>).</summary>
/// <remarks>
/// <para>The exporter acts for the caller of the <see cref="RegistryService"/> it is given, like
/// <see cref="DockerConfigExporter"/>. It reads the mirrors, the policy and the list of entries, which every member
/// may read (ReadOnly members included): the files hold no credential, only which hosts have one, for a note.</para>
/// <para>Thread-safe when the service's store is.</para>
/// </remarks>
public sealed class ContainerdHostsExporter
{
    private readonly RegistryService _service;

    /// <summary>Initializes a new exporter over the user-facing service.</summary>
    /// <param name="service">The service that checks permissions and reads the environment, for its caller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> is <see langword="null"/>.</exception>
    public ContainerdHostsExporter(RegistryService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <summary>Reads an environment's mirrors (and, for the notes, its policy and which hosts have credentials), for the service's caller.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The export, which renders and writes the tree.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<ContainerdHostsExport> ExportAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        var mirrors = await _service.GetMirrorsAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var policy = await _service.GetPolicyAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var entries = await _service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var credentials = entries.Where(e => e.IsEffective && e.Registry.State == RegistryState.Active).Select(e => e.Registry.Scope);
        return new ContainerdHostsExport(mirrors, policy, credentials);
    }
}
