namespace Registries.Core.Engine;

/// <summary>Makes an image present for a container launch: uses it if it is there, otherwise resolves and pulls.</summary>
/// <remarks>
/// <para>The rules: an image already present on the engine's host is used as it is, whatever the state of its
/// registry (running containers and scale-up keep working); no credential is checked at launch time. Only a
/// missing image (or <c>alwaysPull</c>) leads to a pull: a Denied resolution stops before any network call with
/// <see cref="ImagePullError.Denied"/>, an Unavailable one with <see cref="ImagePullError.CredentialUnavailable"/>; Anonymous pulls without credentials; Authenticated pulls with the
/// effective credential.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class ImagePullService
{
    private readonly LaunchResolver _resolver;
    private readonly IImageEngine _engine;

    /// <summary>Initializes a new service.</summary>
    /// <param name="resolver">The platform's resolver: a launch acts for the platform, with no caller.</param>
    /// <param name="engine">The container engine.</param>
    public ImagePullService(LaunchResolver resolver, IImageEngine engine)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(engine);
        _resolver = resolver;
        _engine = engine;
    }

    /// <summary>Makes the image present on the engine's host.</summary>
    /// <param name="environmentId">The environment whose registries apply.</param>
    /// <param name="image">The image.</param>
    /// <param name="alwaysPull">Pull even when the image is present (Docker's <c>--pull always</c>).</param>
    /// <param name="progress">Receives pull progress, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>What was done.</returns>
    /// <exception cref="ImagePullException">The pull is denied by the rules, its credential's source could not give one, or it failed; <see cref="ImagePullException.Error"/> says why.</exception>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<ImagePullResult> EnsureImageAsync(string environmentId, ImageReference image, bool alwaysPull = false, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(image);
        if (!alwaysPull && await _engine.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
        {
            return new ImagePullResult(image, pulled: false, resolution: null);
        }

        var resolution = await _resolver.ResolveAsync(environmentId, image, cancellationToken).ConfigureAwait(false);
        if (resolution.Outcome == ResolutionOutcome.Denied)
        {
            throw new ImagePullException(ImagePullError.Denied, image, $"Pulling {image} is prohibited: {resolution.Reason}");
        }

        if (resolution.Outcome == ResolutionOutcome.Unavailable)
        {
            throw new ImagePullException(ImagePullError.CredentialUnavailable, image, $"Pulling {image} cannot go ahead: {resolution.Reason}");
        }

        await _engine.PullAsync(resolution, progress, cancellationToken).ConfigureAwait(false);
        return new ImagePullResult(image, pulled: true, resolution);
    }
}
