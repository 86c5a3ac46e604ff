using Registries.Core.Sources;
using Registries.Core.Diagnostics;
using Registries.Core.Storage;

namespace Registries.Core;

// Resolution for a caller: which credential an image, address or scope gets, why, and the effective entry.
public sealed partial class RegistryService
{
    /// <summary>Resolves an image for a caller who may use the environment's credentials (Owner or Member).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous, Denied or Unavailable (the entry's source could not give a credential; see <see cref="CredentialSources"/>),
    /// with the policy's decision (<see cref="CredentialResolution.Policy"/>) and the mirrors the image would be pulled
    /// through (<see cref="CredentialResolution.Mirrors"/>).</returns>
    /// <remarks>The environment and the entries are read together (<see cref="IRegistryStore.ReadResolutionAsync"/>: one
    /// round trip on PostgreSQL, none with its resolution cache), for the permission check and the resolution. The
    /// environment's policy is decided first, on this image: a denied image answers Denied naming the rule, with no
    /// entry consulted and no credential source asked. Each mirror of the image's registry then gets the credential the
    /// entries give the image's name on the mirror (one more read per mirror), without the policy.</remarks>
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
        using var scope = _telemetry.BeginResolution(TelemetryNames.PathCaller);
        try
        {
            var data = await _store.ReadForResolutionAsync(_telemetry, environmentId, image.Address, cancellationToken).ConfigureAwait(false);
            _authorization.Authorize(caller, environmentId, data.Environment, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true);
            var resolution = await EnvironmentResolution.ResolveImageAsync(_store, _telemetry, _sources, environmentId, data, image, cancellationToken).ConfigureAwait(false);
            return _resolutionObservers.Tell(environmentId, scope.Complete(resolution));
        }
        catch (Exception e) when (scope.Fail(e))
        {
            throw;
        }
    }

    /// <summary>Resolves a registry address for a caller who may use the environment's credentials (Owner or Member).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous, Denied or Unavailable, the answer every image of the address gets, with
    /// <see cref="CredentialResolution.Image"/> <see langword="null"/>.</returns>
    /// <remarks>For what asks per server rather than per image: exported config files, credential helpers, and the
    /// check of an imported credential against the effective one. The environment's policy is decided first with
    /// <see cref="RegistryPolicy.EvaluateAddress"/>: the address is Denied (naming the rule, no entry consulted) only
    /// when every image of it is denied; an address some of whose images are denied still gets its credential, since
    /// who asks per server cannot refuse one image.</remarks>
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
        using var scope = _telemetry.BeginResolution(TelemetryNames.PathCaller);
        try
        {
            var data = await _store.ReadForResolutionAsync(_telemetry, environmentId, address, cancellationToken).ConfigureAwait(false);
            _authorization.Authorize(caller, environmentId, data.Environment, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true);
            var resolution = await EnvironmentResolution.ResolveAddressAsync(_sources, data, address, cancellationToken).ConfigureAwait(false);
            return _resolutionObservers.Tell(environmentId, scope.Complete(resolution));
        }
        catch (Exception e) when (scope.Fail(e))
        {
            throw;
        }
    }

    /// <summary>Resolves a scope for a caller who may use the environment's credentials (Owner or Member): the answer of
    /// the scope's own effective entry, whatever more or less specific scopes exist.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">The scope (an address or host pattern, and a path prefix or none).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated (the scope's effective entry is Active), Denied (it is Inactive, or its stored credential
    /// expired), Unavailable (its source could not give a credential) or Anonymous (the scope has no entry that is not Removed), with <see cref="CredentialResolution.Image"/> <see langword="null"/> and
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
        using var telemetry = _telemetry.BeginResolution(TelemetryNames.PathCaller);
        try
        {
            await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.Member, "use the environment's credentials", registryOperation: true, cancellationToken).ConfigureAwait(false);
            var effective = await EffectiveOfScopeAsync(environmentId, scope, cancellationToken).ConfigureAwait(false);
            var resolution = await _sources.ResolveAsync(null, scope.Address, effective, cancellationToken).ConfigureAwait(false);
            return _resolutionObservers.Tell(environmentId, telemetry.Complete(resolution));
        }
        catch (Exception e) when (telemetry.Fail(e))
        {
            throw;
        }
    }

    /// <summary>Drops the cached credential of an entry whose credential comes from a source: the next resolution fetches
    /// a new one (after the secret changed in a helper's store, for example).</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when a cached credential was dropped; <see langword="false"/> when none was cached
    /// (a stored credential is never cached).</returns>
    /// <remarks>Needs the right to use the environment's credentials (Owner or Member). The cache is the one this service
    /// shares with the <see cref="LaunchResolver"/> it was built with (see <see cref="CredentialSources"/>).</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="RegistryNotFoundException">No such entry.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="MissingCallerException">No caller is known (see <see cref="As(string)"/>).</exception>
    public async ValueTask<bool> RefreshRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.Member, "refresh registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var record = await _store.GetRegistryAsync(environmentId, registryId, cancellationToken).ConfigureAwait(false)
            ?? throw new RegistryNotFoundException(environmentId, registryId);
        return _sources.Invalidate(record.Registry.Id);
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
        await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var records = await _store.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var explanation = CredentialResolver.Explain(image, records, _sources.TimeProvider.GetUtcNow());
        return explanation.DecidingRegistry is { Source.IsFetched: true } deciding
            ? explanation.WithCachedUntil(_sources.CachedUntil(deciding, image, image.Address))
            : explanation;
    }

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
    public async ValueTask<RegistryListing?> GetEffectiveRegistryAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        await _authorization.AuthorizeAsync(CallerName(), environmentId, EnvironmentRole.ReadOnly, "read registries", registryOperation: true, cancellationToken).ConfigureAwait(false);
        var entries = await _store.ListRegistriesCoveringAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
        var effective = CredentialResolver.Decide(entries, null, address)?.Registry;
        return effective is null ? null : new RegistryListing(effective, isEffective: true);
    }
}
