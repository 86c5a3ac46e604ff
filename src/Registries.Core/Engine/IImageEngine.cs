namespace Registries.Core.Engine;

/// <summary>The pull-auth port: a container engine that can tell whether an image is present and pull it with a resolved credential.</summary>
/// <remarks>
/// The domain decides (Authenticated, Anonymous, Denied, Unavailable); an adapter turns an allowed decision into what its engine
/// needs. The Docker adapter maps it to the Engine API's <c>X-Registry-Auth</c>; containerd or Podman would be other
/// adapters behind this port. Implementations must be thread-safe.
/// </remarks>
public interface IImageEngine
{
    /// <summary>Tells whether the image is present on the engine's host.</summary>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the image is present.</returns>
    /// <exception cref="ImagePullException">The engine cannot be reached (<see cref="ImagePullError.EngineUnavailable"/>).</exception>
    ValueTask<bool> ImageExistsAsync(ImageReference image, CancellationToken cancellationToken = default);

    /// <summary>Pulls the image with the credential of an Authenticated resolution, or without credentials for an Anonymous one.</summary>
    /// <param name="resolution">An allowed resolution (never Denied nor Unavailable).</param>
    /// <param name="progress">Receives progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the pull.</param>
    /// <returns>A task that completes when the image is present.</returns>
    /// <exception cref="ArgumentException">The resolution is Denied or Unavailable, or it resolved an address (no <see cref="CredentialResolution.Image"/>).</exception>
    /// <exception cref="ImagePullException">The pull failed; <see cref="ImagePullException.Error"/> says why.</exception>
    ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default);
}
