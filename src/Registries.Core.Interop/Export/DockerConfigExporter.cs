namespace Registries.Core.Interop;

/// <summary>Exports what an environment decides (its credentials, policy and mirrors) for the formats of <see cref="DockerConfigFormat"/>.</summary>
/// <remarks>
/// <para>The exporter acts for the caller of the <see cref="RegistryService"/> it is given: the one the service's
/// <see cref="IRegistryCallerAccessor"/> gives (dependency injection with <c>UseCaller</c>), or the one bound with
/// <see cref="RegistryService.As(string)"/> (<c>new DockerConfigExporter(service.As("alice"))</c>).</para>
/// <para>Only the effective, Active entry of each scope is exported: inactive, overridden and removed entries never
/// are. Path-scoped (<c>HOST/team</c>) and host-pattern (<c>*.corp.example</c>) entries are read too; each format
/// writes what it can express (<see cref="DockerConfigExport.GetScopes(DockerConfigFormat)"/>) and lists the rest in
/// <see cref="DockerConfigExport.GetNotes(DockerConfigFormat)"/>, never widening one to its whole host; a host key always
/// holds the host-level effective credential, never a path entry's. <see cref="DockerConfigExport.EnsureExpressible(DockerConfigFormat)"/>
/// is the strict form. A credential from a source is exported as its current value (an identity-token entry as its
/// identity token, in the formats that have a field for one); one that expires is written with a note that says when
/// (a file cannot renew itself), and strict mode refuses it; an entry whose source is Unavailable is left out with a
/// note naming the reason (never dropped silently, never written as anonymous), and strict mode refuses it. Exporting hands out the credentials, so it needs <see cref="RegistryPermission.UseCredentials"/> (Owner or
/// Member), demanded before anything is listed: a ReadOnly member gets <see cref="PermissionDeniedException"/> even when
/// no entry is active, an outsider <see cref="EnvironmentNotFoundException"/>. Each credential is read by resolving its
/// address (<see cref="RegistryService.ResolveAsync(string, RegistryAddress, CancellationToken)"/>), so every address an
/// entry can have is exported, including one no image reference can name (a single-label host such as
/// <c>registry</c>, which Docker reads as a Docker Hub repository in an image name but uses as a server in
/// <c>docker login registry</c>).</para>
/// <para>The export also carries the environment's <see cref="DockerConfigExport.Policy"/> and
/// <see cref="DockerConfigExport.Mirrors"/>, read for the same caller: the credential formats leave out a credential the
/// policy denies every image of, and the formats that have a place for them write mirrors and rules.</para>
/// <para>Thread-safe when the service's store is.</para>
/// </remarks>
public sealed class DockerConfigExporter
{
    private readonly RegistryService _service;

    /// <summary>Initializes a new exporter over the user-facing service.</summary>
    /// <param name="service">The service that checks permissions and resolves credentials, for its caller.</param>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> is <see langword="null"/>.</exception>
    public DockerConfigExporter(RegistryService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <summary>Reads the effective, active credentials of an environment, for the service's caller.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The export, which renders a Docker config.json or a Kubernetes secret.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<DockerConfigExport> ExportAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);

        // Demanded before anything is listed: a ReadOnly member is refused even when nothing is active, instead of
        // getting an empty export that looks like permission.
        await _service.EnsurePermissionAsync(environmentId, RegistryPermission.UseCredentials, cancellationToken).ConfigureAwait(false);

        var entries = await _service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var credentials = new List<ExportedCredential>();
        var notes = new List<string>();
        var denied = new List<RegistryScope>();
        var unavailable = new List<(RegistryScope Scope, string Reason)>();
        foreach (var entry in entries)
        {
            if (!entry.IsEffective)
            {
                continue;
            }

            var scope = entry.Registry.Scope;
            if (entry.Registry.State != RegistryState.Active)
            {
                // An inactive scoped entry denies its images; a format whose wider key covers them would undo that,
                // which the export's notes (and strict mode) say per format.
                if (entry.Registry.State == RegistryState.Inactive && (!scope.IsHostLevel || scope.Address.IsPattern))
                {
                    denied.Add(scope);
                }

                continue;
            }

            // A host key holds what the whole address resolves to; a path or pattern key the scope's own entry.
            var resolution = scope.IsHostLevel && !scope.Address.IsPattern
                ? await _service.ResolveAsync(environmentId, scope.Address, cancellationToken).ConfigureAwait(false)
                : await _service.ResolveAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);

            if (resolution.Outcome == ResolutionOutcome.Denied && resolution.Policy is { IsAllowed: false })
            {
                // The policy denies every image of the address. The export judges what the credential is still sent
                // for (a mirror serves the images of its upstreams, which the policy may allow) and notes the rest,
                // so the entry's own credential is read by its scope; it is written only where that judgement allows.
                resolution = await _service.ResolveAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
            }

            if (resolution.Outcome == ResolutionOutcome.Unavailable && resolution.RegistryId == entry.Registry.Id)
            {
                // Never dropped silently and never written as anonymous: listed, and refused in strict mode.
                unavailable.Add((scope, resolution.Reason!));
                continue;
            }

            if (resolution.Outcome != ResolutionOutcome.Authenticated || resolution.RegistryId != entry.Registry.Id)
            {
                // The entry changed between the listing and the resolution: the resolution is what holds now.
                notes.Add($"{scope}: not exported: it is no longer the active entry of its scope ({resolution.Outcome}).");
                continue;
            }

            credentials.Add(new ExportedCredential(scope, resolution.Username!, resolution.Email!, resolution.Password!, resolution.SecretKind, resolution.ExpiresAt));
        }

        // Read after the credentials, through the same service and caller: every member may read both.
        var policy = await _service.GetPolicyAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var mirrors = await _service.GetMirrorsAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return new DockerConfigExport(credentials, notes, denied, unavailable, policy, mirrors);
    }
}
