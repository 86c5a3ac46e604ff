namespace Registries.Core.Sources;

/// <summary>A port: fetches the credential of an entry whose <see cref="Registry.Source"/> is of one kind (a Docker
/// credential helper, a kubelet plugin, an identity-token exchange).</summary>
/// <remarks>
/// <para>Called by the resolution paths (<see cref="RegistryService"/>, <see cref="LaunchResolver"/>) through a cache that keeps what it returns until shortly before it expires, makes
/// one call at a time per cached value however many resolutions wait for it, and never hands a value out after it
/// expires. Implementations run programs or reach the network: they bound what they read, time out, and never put a
/// secret in an exception message or a log.</para>
/// <para>Implementations must be thread-safe.</para>
/// </remarks>
public interface ICredentialSource
{
    /// <summary>Gets the kind of source this implementation serves; one implementation per kind.</summary>
    CredentialSourceKind Kind { get; }

    /// <summary>Fetches the current credential of an entry for an image or a registry address.</summary>
    /// <param name="request">The entry, what is resolved, and the entry's stored secret when it has one.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The credential, or <see langword="null"/> when the source answers that it has none for the address (as
    /// <c>docker-credential-pass</c> does for an unknown server).</returns>
    /// <exception cref="CredentialSourceException">The source failed; the message says why and what to fix, without a secret.</exception>
    ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken);
}
