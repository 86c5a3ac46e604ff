namespace Registries.Core.Engine;

/// <summary>The pull-auth port: a container engine that can tell whether an image is present and pull it with a resolved credential.</summary>
/// <remarks>
/// The domain decides (Authenticated, Anonymous, Denied, Unavailable); an adapter turns an allowed decision into what its engine
/// needs. The Docker adapter maps it to the Engine API's <c>X-Registry-Auth</c>; containerd or Podman would be other
/// adapters behind this port. Implementations must be thread-safe.
/// <para>Mirrors: <see cref="ImagePullService"/> pulls an image through a mirror by pulling the mirror's name for it, then
/// giving the pulled image the name the user asked for (<see cref="TagAsync"/>) and taking the mirror's name off
/// again when the host did not have it before (<see cref="UntagAsync"/>), so containers see the upstream's name and
/// no stray name is left. An engine that pulls through mirrors by itself still implements both as plain name
/// operations.</para>
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

    /// <summary>Gives a present image another name, as <c>docker tag</c> does; a name that pointed at another image moves.</summary>
    /// <param name="image">The present image (by tag or digest).</param>
    /// <param name="name">The new name: a repository and a tag (<c>latest</c> when none), never a digest, which only a pull can record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the name is given.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> has a digest.</exception>
    /// <exception cref="ImagePullException"><paramref name="image"/> is not present (<see cref="ImagePullError.NotFound"/>), the engine cannot be
    /// reached (<see cref="ImagePullError.EngineUnavailable"/>) or it failed (<see cref="ImagePullError.Failed"/>).</exception>
    ValueTask TagAsync(ImageReference image, ImageReference name, CancellationToken cancellationToken = default);

    /// <summary>Takes one name off an image, as <c>docker rmi NAME</c> does for an image that has other names: the image
    /// stays while another name holds it. Never forced: a name the image's only name and used by a container is kept.</summary>
    /// <param name="name">The name to take off (a tag; <c>latest</c> when none).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns><see langword="true"/> when the name was there and is gone; <see langword="false"/> when it was not there.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> has a digest.</exception>
    /// <exception cref="ImagePullException">The engine cannot be reached (<see cref="ImagePullError.EngineUnavailable"/>) or refused
    /// (<see cref="ImagePullError.Failed"/>, for example when the name is the image's last and a container uses it).</exception>
    ValueTask<bool> UntagAsync(ImageReference name, CancellationToken cancellationToken = default);
}
