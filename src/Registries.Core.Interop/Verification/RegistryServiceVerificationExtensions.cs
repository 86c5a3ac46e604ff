namespace Registries.Core.Interop;

/// <summary>Adds a registry credential only after its registry accepted it: the "verify at add time" option.</summary>
public static class RegistryServiceVerificationExtensions
{
    /// <summary>Verifies a credential with <paramref name="verifier"/> and adds it when the registry accepts it.</summary>
    /// <param name="service">The service, which acts for its caller: the one its <see cref="IRegistryCallerAccessor"/> gives
    /// (dependency injection with <c>UseCaller</c>), or the one bound with <see cref="RegistryService.As(string)"/>.</param>
    /// <param name="verifier">The verifier.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <remarks>The caller's <see cref="RegistryPermission.ManageRegistries"/> permission is demanded before anything is
    /// sent to the registry: a caller who may not add the credential never gets to learn from the registry whether it is
    /// valid. Nothing is stored unless the answer is Valid.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="RegistryVerificationException">The registry refused the credential, or it could not be checked; <see cref="RegistryVerificationException.Result"/> says which.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public static async Task<Registry> AddVerifiedRegistryAsync(
        this RegistryService service,
        RegistryCredentialVerifier verifier,
        string environmentId,
        RegistryAddress address,
        RegistryCredential credential,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(credential);

        await service.EnsurePermissionAsync(environmentId, RegistryPermission.ManageRegistries, cancellationToken).ConfigureAwait(false);
        var result = await verifier.VerifyAsync(address, credential, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw new RegistryVerificationException(result);
        }

        return await service.AddRegistryAsync(environmentId, address, credential, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Verifies a credential with <paramref name="verifier"/> and adds it when the registry accepts it.</summary>
    /// <param name="service">The service, which acts for its caller: the one its <see cref="IRegistryCallerAccessor"/> gives
    /// (dependency injection with <c>UseCaller</c>), or the one bound with <see cref="RegistryService.As(string)"/>.</param>
    /// <param name="verifier">The verifier.</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">What the credential covers: a registry address, optionally narrowed to a path prefix (a host
    /// pattern names no registry to log in to, and is refused with <see cref="ArgumentException"/>).</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <remarks>The caller's <see cref="RegistryPermission.ManageRegistries"/> permission is demanded before anything is
    /// sent to the registry: a caller who may not add the credential never gets to learn from the registry whether it is
    /// valid. Nothing is stored unless the answer is Valid.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The scope is a host pattern.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="RegistryVerificationException">The registry refused the credential, or it could not be checked; <see cref="RegistryVerificationException.Result"/> says which.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public static async Task<Registry> AddVerifiedRegistryAsync(
        this RegistryService service,
        RegistryCredentialVerifier verifier,
        string environmentId,
        RegistryScope scope,
        RegistryCredential credential,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(credential);
        if (scope.Address.IsPattern)
        {
            throw new ArgumentException($"The host pattern {scope.Address} names no registry to log in to: add it without verification, or verify each registry's own address.", nameof(scope));
        }

        await service.EnsurePermissionAsync(environmentId, RegistryPermission.ManageRegistries, cancellationToken).ConfigureAwait(false);
        var result = await verifier.VerifyAsync(scope.Address, credential, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw new RegistryVerificationException(result);
        }

        return await service.AddRegistryAsync(environmentId, scope, credential, cancellationToken).ConfigureAwait(false);
    }
}
