namespace Registries.Core.Interop;

/// <summary>Adds a registry credential only after its registry accepted it: the "verify at add time" option.</summary>
public static class RegistryServiceVerificationExtensions
{
    /// <summary>Verifies a credential with <paramref name="verifier"/> and adds it when the registry accepts it.</summary>
    /// <param name="service">The service.</param>
    /// <param name="verifier">The verifier.</param>
    /// <param name="actor">The acting user (Owner or Member).</param>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The new entry.</returns>
    /// <remarks>The actor's role is checked before anything is sent to the registry; nothing is stored unless the answer is Valid.</remarks>
    /// <exception cref="RegistryVerificationException">The registry refused the credential, or it could not be checked; <see cref="RegistryVerificationException.Result"/> says which.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the actor is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The actor is ReadOnly.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public static async Task<Registry> AddVerifiedRegistryAsync(
        this RegistryService service,
        RegistryCredentialVerifier verifier,
        string actor,
        string environmentId,
        RegistryAddress address,
        RegistryCredential credential,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(credential);

        // Resolution needs the same role as adding: it is the role check, before the credential leaves the process.
        await service.ResolveAsync(actor, environmentId, ImageOf(address), cancellationToken).ConfigureAwait(false);
        var result = await verifier.VerifyAsync(address, credential, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            throw new RegistryVerificationException(result);
        }

        return await service.AddRegistryAsync(actor, environmentId, address, credential, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Returns an image of an address, to ask the resolver about the address (or Docker Hub when no image can name it).</summary>
    internal static ImageReference ImageOf(RegistryAddress address)
        => ImageReference.TryParse(address + "/x", out var image) ? image : ImageReference.Parse("x");
}
