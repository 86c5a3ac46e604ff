namespace Registries.Core.Interop;

/// <summary>Exports the credentials an environment uses as a Docker <c>config.json</c> or a Kubernetes pull secret.</summary>
/// <remarks>
/// <para>Only the effective, Active entry of each address is exported: inactive, overridden and removed entries never
/// are. The credentials are read through <see cref="RegistryService.ResolveAsync(string, string, ImageReference, CancellationToken)"/>,
/// so exporting needs the Owner or Member role (a ReadOnly member gets <see cref="PermissionDeniedException"/> before
/// anything is read, even when no entry is active; an outsider <see cref="EnvironmentNotFoundException"/>), exactly as
/// using the credentials for a pull does.</para>
/// <para>Thread-safe when the service's store is.</para>
/// </remarks>
public sealed class DockerConfigExporter
{
    private readonly RegistryService _service;

    /// <summary>Initializes a new exporter over the user-facing service.</summary>
    /// <param name="service">The service that checks roles and resolves credentials.</param>
    public DockerConfigExporter(RegistryService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <summary>Reads the effective, active credentials of an environment.</summary>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The export, which renders a Docker config.json or a Kubernetes secret.</returns>
    /// <exception cref="ArgumentException">The actor is empty.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly and may not read the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<DockerConfigExport> ExportAsync(string actor, string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(environmentId);

        // The role is checked before anything is listed: a ReadOnly member is refused even when nothing is active,
        // instead of getting an empty export that looks like permission.
        var environment = await _service.GetEnvironmentAsync(actor, environmentId, cancellationToken).ConfigureAwait(false);
        if (environment.RoleOf(actor) is EnvironmentRole.ReadOnly)
        {
            throw new PermissionDeniedException(actor, environmentId, EnvironmentRole.ReadOnly, "use the environment's credentials");
        }

        var entries = await _service.ListRegistriesAsync(actor, environmentId, cancellationToken).ConfigureAwait(false);
        var credentials = new List<ExportedCredential>();
        var notes = new List<string>();
        foreach (var entry in entries)
        {
            if (!entry.IsEffective || entry.Registry.State != RegistryState.Active)
            {
                continue;
            }

            var address = entry.Registry.Address;

            // Resolution works on images; any image of the address resolves to the address's effective entry.
            if (!ImageReference.TryParse(address + "/x", out var image) || !image.Registry.Equals(address))
            {
                notes.Add($"{address}: not exported: an image reference cannot name this address (Docker would read '{address}/...' as a Docker Hub repository).");
                continue;
            }

            var resolution = await _service.ResolveAsync(actor, environmentId, image, cancellationToken).ConfigureAwait(false);
            if (resolution.Outcome != ResolutionOutcome.Authenticated)
            {
                // The entry changed between the listing and the resolution: the resolution is what holds now.
                notes.Add($"{address}: not exported: it is no longer active ({resolution.Outcome}).");
                continue;
            }

            credentials.Add(new ExportedCredential(address, resolution.Username!, resolution.Email!, resolution.Password!));
        }

        return new DockerConfigExport(credentials, notes);
    }
}
