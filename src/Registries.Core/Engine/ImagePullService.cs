using Registries.Core.Diagnostics;

namespace Registries.Core.Engine;

/// <summary>Makes an image present for a container launch: uses it if it is there, otherwise resolves and pulls.</summary>
/// <remarks>
/// <para>The rules: an image already present on the engine's host is used as it is, whatever the state of its
/// registry (running containers and scale-up keep working); no credential is checked at launch time. Only a
/// missing image (or <c>alwaysPull</c>) leads to a pull: a Denied resolution stops before any network call with
/// <see cref="ImagePullError.Denied"/>, an Unavailable one with <see cref="ImagePullError.CredentialUnavailable"/>; Anonymous pulls without credentials; Authenticated pulls with the
/// effective credential.</para>
/// <para>Mirrors (<see cref="CredentialResolution.Mirrors"/>): the image is pulled from each mirror in order, with the
/// mirror's own credential (a mirror whose credential is denied or unavailable is skipped, with its reason), then from
/// the upstream unless a mirror of it is mirror-only. A mirror that is down, refuses or lacks the image falls through
/// to the next. An image that came from a mirror is given the name asked for (<see cref="IImageEngine.TagAsync"/>)
/// and the mirror's name is taken off again unless the host had it (<see cref="IImageEngine.UntagAsync"/>);
/// <see cref="ImagePullResult.PulledFrom"/> says where it came from. The policy is decided on the name asked for,
/// never on a mirror's, before anything reaches the engine.</para>
/// <para>Measured and traced on the resolver's <see cref="RegistriesTelemetry"/>: a <c>registries.ensure_image</c> span
/// with the resolution and the engine's pulls as children (each pull's <c>registries.pull.origin</c> is <c>mirror</c> or
/// <c>upstream</c>), and the <c>registries.pulls</c> counter, tagged with the origin of the pull that gave the image.</para>
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
    /// <returns>What was done, and where the image came from (<see cref="ImagePullResult.PulledFrom"/>).</returns>
    /// <exception cref="ImagePullException">The pull is denied by the rules or the policy, its credential's source could not give one,
    /// no mirror gave the image of a mirror-only registry, or it failed; <see cref="ImagePullException.Error"/> says why and
    /// <see cref="ImagePullException.Attempts"/> lists each mirror tried.</exception>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<ImagePullResult> EnsureImageAsync(string environmentId, ImageReference image, bool alwaysPull = false, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(image);
        return EnsureCoreAsync(image, alwaysPull, token => _resolver.ResolveAsync(environmentId, image, token), progress, cancellationToken);
    }

    // For unit tests: the same path with a resolution made by hand (policy and mirrors filled as a resolver would).
    internal ValueTask<ImagePullResult> EnsureImageAsync(CredentialResolution resolution, bool alwaysPull = false, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var image = resolution.Image ?? throw new ArgumentException("The resolution is for an address, not an image.", nameof(resolution));
        return EnsureCoreAsync(image, alwaysPull, _ => ValueTask.FromResult(resolution), progress, cancellationToken);
    }

    private async ValueTask<ImagePullResult> EnsureCoreAsync(ImageReference image, bool alwaysPull, Func<CancellationToken, ValueTask<CredentialResolution>> resolve, IProgress<ImagePullProgress>? progress, CancellationToken cancellationToken)
    {
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

            var resolution = await resolve(cancellationToken).ConfigureAwait(false);
            resolved = resolution.Outcome;

            // The policy is decided on the name asked for, before any credential: a denied image never reaches the
            // engine, from a mirror or from its registry, whatever credential the registry has.
            if (resolution.Policy is { IsAllowed: false } policy)
            {
                throw new ImagePullException(ImagePullError.Denied, image, $"Pulling {image} is prohibited: {(resolution.Outcome == ResolutionOutcome.Denied ? resolution.Reason : null) ?? policy.Reason}");
            }

            if (resolution.Outcome == ResolutionOutcome.Denied)
            {
                throw new ImagePullException(ImagePullError.Denied, image, $"Pulling {image} is prohibited: {resolution.Reason}");
            }

            if (resolution.Mirrors.Count == 0)
            {
                if (resolution.Outcome == ResolutionOutcome.Unavailable)
                {
                    throw new ImagePullException(ImagePullError.CredentialUnavailable, image, $"Pulling {image} cannot go ahead: {resolution.Reason}");
                }

                origin = TelemetryNames.OriginUpstream;
                using (RegistriesTelemetry.StartPull(origin))
                {
                    await _engine.PullAsync(resolution, progress, cancellationToken).ConfigureAwait(false);
                }

                scope.Complete(TelemetryNames.PullPulled, origin);
                return new ImagePullResult(image, pulled: true, resolution);
            }

            // Through the mirrors, in order, then the upstream unless a mirror of it is mirror-only (the plan says which).
            var attempts = new List<ImagePullAttempt>();
            foreach (var planned in resolution.Mirrors)
            {
                var source = planned.Source;
                var credential = source.IsUpstream ? resolution : planned.Credential;
                origin = source.IsUpstream ? TelemetryNames.OriginUpstream : TelemetryNames.OriginMirror;
                if (Skip(source, credential) is { } skipped)
                {
                    attempts.Add(skipped);
                    continue;
                }

                // Whether the host already had the mirror's name: only a name this pull added is taken off again.
                var hadMirrorName = !source.IsUpstream && source.Image.Digest is null
                    && await _engine.ImageExistsAsync(source.Image, cancellationToken).ConfigureAwait(false);
                try
                {
                    using (RegistriesTelemetry.StartPull(origin))
                    {
                        await _engine.PullAsync(credential, progress, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (ImagePullException e) when (e.Error != ImagePullError.EngineUnavailable && !cancellationToken.IsCancellationRequested)
                {
                    // Down, refusing, lacking the image, an untrusted certificate: the next source may have it. A
                    // dead engine is no source's fault and ends the pull.
                    attempts.Add(new ImagePullAttempt(source, e.Error, skipped: false, e.Message));
                    continue;
                }

                if (!source.IsUpstream)
                {
                    await NameAsAskedAsync(image, source.Image, hadMirrorName, cancellationToken).ConfigureAwait(false);
                }

                scope.Complete(TelemetryNames.PullPulled, origin);
                return new ImagePullResult(image, pulled: true, resolution, source, credential, attempts);
            }

            throw NoSourceGaveIt(image, attempts);
        }
        catch (Exception e) when (scope.Fail(e, PullOutcome(e, resolved), origin, PullErrorType(e)))
        {
            throw;
        }
    }

    // A source whose credential cannot be used is skipped, with its reason: a mirror's inactive entry denies that mirror
    // only (the image's own registry decided already), a source that failed gives nothing, never an anonymous pull.
    private static ImagePullAttempt? Skip(MirrorSource source, CredentialResolution credential)
    {
        if (!credential.IsAllowed)
        {
            var error = credential.Outcome == ResolutionOutcome.Denied ? ImagePullError.Denied : ImagePullError.CredentialUnavailable;
            return new ImagePullAttempt(source, error, skipped: true, credential.Reason ?? credential.Outcome.ToString());
        }

        if (credential.Image is null || !credential.Image.Equals(source.Image))
        {
            return new ImagePullAttempt(source, ImagePullError.Failed, skipped: true, $"the credential resolved for this source is for {credential.Image?.ToString() ?? credential.Address.ToString()}, not for {source.Image}");
        }

        return null;
    }

    // The pulled image gets the name asked for, so containers see it; the mirror's name goes unless the host had it. A
    // digest is recorded by Docker only under the name it was pulled by: such an image keeps the mirror's digested name
    // and gets the asked-for tag when the reference has one.
    private async ValueTask NameAsAskedAsync(ImageReference image, ImageReference onMirror, bool hadMirrorName, CancellationToken cancellationToken)
    {
        if (image.Digest is null)
        {
            await _engine.TagAsync(onMirror, image, cancellationToken).ConfigureAwait(false);
            if (!hadMirrorName)
            {
                await _engine.UntagAsync(onMirror, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (image.Tag is { } tag)
        {
            await _engine.TagAsync(onMirror, image.WithoutTagAndDigest().WithTag(tag), cancellationToken).ConfigureAwait(false);
        }
    }

    private static ImagePullException NoSourceGaveIt(ImageReference image, List<ImagePullAttempt> attempts)
    {
        var each = string.Join("; ", attempts);
        var upstream = attempts.Find(a => a.Source.IsUpstream);
        if (upstream is null)
        {
            return new ImagePullException(
                ImagePullError.MirrorsFailed,
                image,
                $"No mirror of {image.Address} gave {image}, and {image.Address} is pulled through its mirrors only: {each}. Start or fix a mirror, or remove the mirror-only setting.")
            {
                Attempts = attempts,
            };
        }

        var message = upstream.Skipped
            ? $"Pulling {image} cannot go ahead: no mirror gave it and the upstream's credential cannot be used: {each}."
            : $"Pulling {image} failed from its mirrors and from {image.Address}: {each}.";
        return new ImagePullException(upstream.Error, image, message) { Attempts = attempts };
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
            ImagePullError.MirrorsFailed => "mirrors_failed",
            _ => "failed",
        },
        _ => RegistriesTelemetry.ErrorType(exception),
    };
}
