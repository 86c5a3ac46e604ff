namespace Registries.Core.Interop;

/// <summary>Reads an environment's policy and mirrors for containers' <c>registries.conf</c> and <c>policy.json</c>.</summary>
/// <remarks>Acts for the caller of the <see cref="RegistryService"/> it is given (as <see cref="DockerConfigExporter"/>
/// does). Policy and mirrors hold no secret, so every member of the environment, ReadOnly ones included, may export
/// them. Thread-safe when the service's store is.</remarks>
public sealed class ContainersPolicyExporter
{
    private readonly RegistryService _service;

    /// <summary>Initializes a new exporter over the user-facing service.</summary>
    /// <param name="service">The service that checks membership and reads the environment, for its caller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> is <see langword="null"/>.</exception>
    public ContainersPolicyExporter(RegistryService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <summary>Reads an environment's policy and mirrors, for the service's caller.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The export, which renders registries.conf and policy.json.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<ContainersPolicyExport> ExportAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        var policy = await _service.GetPolicyAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var mirrors = await _service.GetMirrorsAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return ContainersPolicyExport.Create(policy, mirrors);
    }
}
