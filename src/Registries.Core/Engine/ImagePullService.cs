using Registries.Core.Diagnostics;

namespace Registries.Core.Engine;

/// <summary>Makes an image present for a container launch: uses it if it is there, otherwise resolves and pulls.</summary>
/// <remarks>
/// <para>The rules: an image already present on the engine's host is used as it is, whatever the state of its
/// registry (running containers and scale-up keep working); no credential is checked at launch time. Only a
/// missing image (or <c>alwaysPull</c>) leads to a pull: a Denied resolution stops before any network call with
/// <see cref="ImagePullError.Denied"/>, an Unavailable one with <see cref="ImagePullError.CredentialUnavailable"/>; Anonymous pulls without credentials; Authenticated pulls with the
/// effective credential.</para>
/// <para>Measured and traced on the resolver's <see cref="RegistriesTelemetry"/>: a <c>registries.ensure_image</c> span
/// with the resolution and the engine's pull as children, and the <c>registries.pulls</c> counter.</para>
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
        var telemetry = _resolver.Telemetry;
        using var scope = telemetry.BeginEnsureImage();
        string? origin = null;
        ResolutionOutcome? resolved = null;
        try
        {
            if (!alwaysPull && await _engine.ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
            {
                scope.Complete(TelemetryNames.PullPresent, null);
                return new ImagePullResult(image, pulled: false, resolution: null);
            }

            var resolution = await _resolver.ResolveAsync(environmentId, image, cancellationToken).ConfigureAwait(false);
            resolved = resolution.Outcome;
            if (resolution.Outcome == ResolutionOutcome.Denied)
            {
                throw new ImagePullException(ImagePullError.Denied, image, $"Pulling {image} is prohibited: {resolution.Reason}");
            }

            if (resolution.Outcome == ResolutionOutcome.Unavailable)
            {
                throw new ImagePullException(ImagePullError.CredentialUnavailable, image, $"Pulling {image} cannot go ahead: {resolution.Reason}");
            }

            // Mirrors are not configured yet: every pull goes to the image's own registry.
            origin = TelemetryNames.OriginUpstream;
            using (RegistriesTelemetry.StartPull(origin))
            {
                await _engine.PullAsync(resolution, progress, cancellationToken).ConfigureAwait(false);
            }

            scope.Complete(TelemetryNames.PullPulled, origin);
            return new ImagePullResult(image, pulled: true, resolution);
        }
        catch (Exception e) when (scope.Fail(e, PullOutcome(e, resolved), origin, PullErrorType(e)))
        {
            throw;
        }
    }

    private static string PullOutcome(Exception exception, ResolutionOutcome? resolved) => exception switch
    {
        ImagePullException { Error: ImagePullError.Denied } => TelemetryNames.PullDenied,
        _ when resolved == ResolutionOutcome.Unavailable => TelemetryNames.PullUnavailable,
        _ => TelemetryNames.PullFailed,
    };

    // Bounded: the documented ImagePullError names in snake case, else the exception's type.
    private static string PullErrorType(Exception exception) => exception switch
    {
        ImagePullException pull => pull.Error switch
        {
            ImagePullError.Denied => "denied",
            ImagePullError.Unauthorized => "unauthorized",
            ImagePullError.NotFound => "not_found",
            ImagePullError.RegistryUnreachable => "registry_unreachable",
            ImagePullError.CertificateNotTrusted => "certificate_not_trusted",
            ImagePullError.EngineUnavailable => "engine_unavailable",
            ImagePullError.CredentialUnavailable => "credential_unavailable",
            _ => "failed",
        },
        _ => RegistriesTelemetry.ErrorType(exception),
    };
}
