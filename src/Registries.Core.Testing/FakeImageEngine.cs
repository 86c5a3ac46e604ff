using Registries.Core.Engine;

namespace Registries.Core.Testing;

/// <summary>An <see cref="IImageEngine"/> for unit tests: it holds a set of present images, records every pull with
/// the credential it was given, and fails pulls the way a Docker host does when told to.</summary>
/// <remarks>
/// <para>It follows the contract of the port as the Docker adapter does: <see cref="ImageExistsAsync"/> answers from
/// the present images (an image without a tag is the same as its <c>:latest</c>, as for Docker); a pull of an
/// Authenticated or Anonymous image resolution is recorded in <see cref="Pulls"/>, reports progress and makes the
/// image present, unless it fails; a Denied or Unavailable resolution, or one that resolved an address and no image, is refused with
/// <see cref="ArgumentException"/> and reaches nothing (<see cref="ImagePullService"/> stops a Denied pull earlier,
/// with <see cref="ImagePullError.Denied"/>).</para>
/// <para>A pull fails with an <see cref="ImagePullException"/> when a registry set up with
/// <see cref="RequireCredentials(RegistryAddress, string, string)"/> gets another credential or none
/// (<see cref="ImagePullError.Unauthorized"/>), or when a failure was queued with
/// <see cref="FailNextPull(ImageReference, ImagePullError, string?)"/> or
/// <see cref="FailNextPullFrom(RegistryAddress, ImagePullError, string?)"/>. A failed pull is recorded too (the
/// registry did see the credential), with its <see cref="RecordedPull.Error"/>, and leaves the image absent.</para>
/// <para>Names: <see cref="TagAsync"/> and <see cref="UntagAsync"/> add and take off names of present images, as
/// <c>docker tag</c> and <c>docker rmi NAME</c> do, recorded in <see cref="Tags"/> and <see cref="Untags"/>.</para>
/// <para>Thread-safe. Cancellation is honoured before a pull starts and between its progress reports. No text it
/// produces (messages, <see cref="ToString"/>) contains a password.</para>
/// </remarks>
public sealed class FakeImageEngine : IImageEngine
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);
    private readonly List<RecordedPull> _pulls = [];
    private readonly List<RecordedTag> _tags = [];
    private readonly List<ImageReference> _untags = [];
    private readonly Dictionary<RegistryAddress, (string Username, string Password)> _required = [];
    private readonly List<QueuedFailure> _failures = [];
    private int _existenceChecks;

    /// <summary>Gets every pull that reached the engine and ended, in order, failed ones included.</summary>
    /// <remarks>A snapshot: later pulls do not change a list already returned. A pull refused with
    /// <see cref="ArgumentException"/> never reached the engine, and a cancelled one did not end: neither is listed.</remarks>
    public IReadOnlyList<RecordedPull> Pulls
    {
        get
        {
            lock (_gate)
            {
                return _pulls.ToArray();
            }
        }
    }

    /// <summary>Gets every name given to a present image (<see cref="TagAsync"/>), in order.</summary>
    /// <remarks>A snapshot. A pull through a mirror shows here as the mirror's name tagged with the name asked for.</remarks>
    public IReadOnlyList<RecordedTag> Tags
    {
        get
        {
            lock (_gate)
            {
                return _tags.ToArray();
            }
        }
    }

    /// <summary>Gets every name taken off an image (<see cref="UntagAsync"/>) that was there, in order.</summary>
    /// <remarks>A snapshot.</remarks>
    public IReadOnlyList<ImageReference> Untags
    {
        get
        {
            lock (_gate)
            {
                return _untags.ToArray();
            }
        }
    }

    /// <summary>Gets the pulls that made their image present, in order.</summary>
    public IReadOnlyList<RecordedPull> SuccessfulPulls => Pulls.Where(p => p.Succeeded).ToArray();

    /// <summary>Gets the images present on the simulated host, by the name Docker lists them with (<c>NAME:TAG</c> or <c>NAME@DIGEST</c>).</summary>
    public IReadOnlyCollection<string> Images
    {
        get
        {
            lock (_gate)
            {
                return _present.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>Gets how many times <see cref="ImageExistsAsync"/> was asked.</summary>
    public int ExistenceChecks => Volatile.Read(ref _existenceChecks);

    /// <summary>Makes an image present, as if it had been pulled or built on the host earlier.</summary>
    /// <param name="image">The image.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public FakeImageEngine AddImage(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            _present.Add(LocalName(image));
        }

        return this;
    }

    /// <summary>Makes an image present, as if it had been pulled or built on the host earlier.</summary>
    /// <param name="image">The image reference, for example <c>registry.example.com/team/app:1.0</c> or <c>ubuntu</c>.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException"><paramref name="image"/> is not a valid image reference.</exception>
    public FakeImageEngine AddImage(string image) => AddImage(ImageReference.Parse(image ?? throw new ArgumentNullException(nameof(image))));

    /// <summary>Removes an image from the simulated host, as <c>docker rmi</c> does.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when it was present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public bool RemoveImage(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            return _present.Remove(LocalName(image));
        }
    }

    /// <summary>Tells whether an image is present, without counting as an <see cref="ImageExistsAsync"/> call.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    public bool Contains(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        lock (_gate)
        {
            return _present.Contains(LocalName(image));
        }
    }

    /// <summary>Tells whether an image is present, without counting as an <see cref="ImageExistsAsync"/> call.</summary>
    /// <param name="image">The image reference.</param>
    /// <returns><see langword="true"/> when present.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException"><paramref name="image"/> is not a valid image reference.</exception>
    public bool Contains(string image) => Contains(ImageReference.Parse(image ?? throw new ArgumentNullException(nameof(image))));

    /// <summary>Makes the registry at <paramref name="address"/> require a credential: a pull from it succeeds only
    /// with this username and password, and is <see cref="ImagePullError.Unauthorized"/> otherwise (anonymous included).</summary>
    /// <param name="address">The registry address.</param>
    /// <param name="username">The username it accepts.</param>
    /// <param name="password">The password it accepts.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <remarks>Calling it again for the same address replaces the accepted credential (a password rotated on the registry).</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="username"/> or <paramref name="password"/> is empty.</exception>
    public FakeImageEngine RequireCredentials(RegistryAddress address, string username, string password)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(password);
        lock (_gate)
        {
            _required[address] = (username, password);
        }

        return this;
    }

    /// <summary>Makes the registry at <paramref name="address"/> require a credential; see <see cref="RequireCredentials(RegistryAddress, string, string)"/>.</summary>
    /// <param name="address">The registry address, for example <c>registry.example.com:5000</c>.</param>
    /// <param name="username">The username it accepts.</param>
    /// <param name="password">The password it accepts.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="username"/> or <paramref name="password"/> is empty.</exception>
    /// <exception cref="RegistryAddressFormatException"><paramref name="address"/> is not a valid registry address.</exception>
    public FakeImageEngine RequireCredentials(string address, string username, string password)
        => RequireCredentials(RegistryAddress.Parse(address ?? throw new ArgumentNullException(nameof(address))), username, password);

    /// <summary>Makes the next pull of <paramref name="image"/> fail with <paramref name="error"/>; later pulls behave normally again.</summary>
    /// <param name="image">The image (compared as Docker does: no tag means <c>latest</c>).</param>
    /// <param name="error">The error the pull fails with.</param>
    /// <param name="message">The exception's message, or <see langword="null"/> for one that names the image and the error.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <remarks>Queue several to fail several pulls. A queued failure is used by the first pull it matches, in the order they were queued.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is not an <see cref="ImagePullError"/> value.</exception>
    public FakeImageEngine FailNextPull(ImageReference image, ImagePullError error, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Queue(new QueuedFailure(LocalName(image), null, error, message));
    }

    /// <summary>Makes the next pull of <paramref name="image"/> fail with <paramref name="error"/>; see <see cref="FailNextPull(ImageReference, ImagePullError, string?)"/>.</summary>
    /// <param name="image">The image reference.</param>
    /// <param name="error">The error the pull fails with.</param>
    /// <param name="message">The exception's message, or <see langword="null"/> for one that names the image and the error.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is not an <see cref="ImagePullError"/> value.</exception>
    /// <exception cref="ImageReferenceFormatException"><paramref name="image"/> is not a valid image reference.</exception>
    public FakeImageEngine FailNextPull(string image, ImagePullError error, string? message = null)
        => FailNextPull(ImageReference.Parse(image ?? throw new ArgumentNullException(nameof(image))), error, message);

    /// <summary>Makes the next pull of any image from the registry at <paramref name="address"/> fail with <paramref name="error"/>
    /// (for example <see cref="ImagePullError.RegistryUnreachable"/>); later pulls behave normally again.</summary>
    /// <param name="address">The registry address.</param>
    /// <param name="error">The error the pull fails with.</param>
    /// <param name="message">The exception's message, or <see langword="null"/> for one that names the image, the address and the error.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is not an <see cref="ImagePullError"/> value.</exception>
    public FakeImageEngine FailNextPullFrom(RegistryAddress address, ImagePullError error, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Queue(new QueuedFailure(null, address, error, message));
    }

    /// <summary>Makes the next pull from the registry at <paramref name="address"/> fail; see <see cref="FailNextPullFrom(RegistryAddress, ImagePullError, string?)"/>.</summary>
    /// <param name="address">The registry address, for example <c>registry.example.com:5000</c>.</param>
    /// <param name="error">The error the pull fails with.</param>
    /// <param name="message">The exception's message, or <see langword="null"/> for one that names the image, the address and the error.</param>
    /// <returns>This engine, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is not an <see cref="ImagePullError"/> value.</exception>
    /// <exception cref="RegistryAddressFormatException"><paramref name="address"/> is not a valid registry address.</exception>
    public FakeImageEngine FailNextPullFrom(string address, ImagePullError error, string? message = null)
        => FailNextPullFrom(RegistryAddress.Parse(address ?? throw new ArgumentNullException(nameof(address))), error, message);

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<bool> ImageExistsAsync(ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _existenceChecks);
        return ValueTask.FromResult(Contains(image));
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="resolution"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The resolution is Denied or Unavailable, or it resolved an address, not an image.</exception>
    /// <exception cref="ImagePullException">The registry requires another credential (<see cref="ImagePullError.Unauthorized"/>), or a failure was queued for this pull.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the pull ended; the image stays absent.</exception>
    public ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        if (resolution.Image is not { } image)
        {
            throw new ArgumentException(
                $"A pull needs an image resolution, but this one resolved the registry address {resolution.Address} without an image ({resolution.Outcome}). Resolve the image to pull, or use ImagePullService.EnsureImageAsync.",
                nameof(resolution));
        }

        if (resolution.Outcome == ResolutionOutcome.Denied)
        {
            throw new ArgumentException(
                $"The resolution for {image} is Denied ({resolution.Reason}); a denied pull must not reach the engine. Use ImagePullService, which stops it with ImagePullError.{nameof(ImagePullError.Denied)}.",
                nameof(resolution));
        }

        if (resolution.Outcome == ResolutionOutcome.Unavailable)
        {
            // Never an anonymous pull in its place: the entry that decides has a credential, its source could not give it.
            throw new ArgumentException(
                $"The resolution for {image} is Unavailable ({resolution.Reason}); it must not reach the engine. Use ImagePullService, which stops it with ImagePullError.{nameof(ImagePullError.CredentialUnavailable)}.",
                nameof(resolution));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var failure = Decide(resolution, image);
        if (failure is not null)
        {
            Record(resolution, image, failure.Error);
            throw failure;
        }

        // Progress as the Docker adapter reports it: the image line, then the layer, then the summary; the token is
        // looked at after each report, so a test can cancel from its progress handler as it would mid-stream.
        Report(progress, new ImagePullProgress(null, "Pulling from " + image.Repository), cancellationToken);
        Report(progress, new ImagePullProgress("fake-layer", "Pull complete", 1, 1), cancellationToken);
        Report(progress, new ImagePullProgress(null, "Status: Downloaded newer image for " + image), cancellationToken);
        lock (_gate)
        {
            _present.Add(LocalName(image));
            _pulls.Add(new RecordedPull(resolution, image, error: null));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>As the Docker adapter: the image must be present (compared as Docker does: no tag means <c>latest</c>), and
    /// the new name is added to the present images and recorded in <see cref="Tags"/>.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask TagAsync(ImageReference image, ImageReference name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(name);
        if (name.Digest is not null)
        {
            throw new ArgumentException($"Docker records a digest only under the name an image was pulled by: {name} cannot be given as a tag. Give a repository and a tag.", nameof(name));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_present.Contains(LocalName(image)))
            {
                throw new ImagePullException(ImagePullError.NotFound, image, $"The fake engine has no image {image} to name {name}: pull it first.");
            }

            _present.Add(LocalName(name));
            _tags.Add(new RecordedTag(image, name));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>As the Docker adapter: the name leaves the present images and is recorded in <see cref="Untags"/>; a name
    /// that was not there answers <see langword="false"/> and is not recorded.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<bool> UntagAsync(ImageReference name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Digest is not null)
        {
            throw new ArgumentException($"{name} is a digested name, not a tag: give a repository and a tag.", nameof(name));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_present.Remove(LocalName(name)))
            {
                return ValueTask.FromResult(false);
            }

            _untags.Add(name);
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>Describes the engine: its images and how many pulls it saw; never a credential.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        lock (_gate)
        {
            var failed = _pulls.Count(p => !p.Succeeded);
            return $"FakeImageEngine: {_present.Count} image(s) present, {_pulls.Count} pull(s) ({failed} failed), {_required.Count} registr{(_required.Count == 1 ? "y" : "ies")} requiring credentials";
        }
    }

    // The name Docker knows a local image by: the digest wins, and no tag is ":latest" (as DockerPullRequest.LocalName).
    private static string LocalName(ImageReference image)
        => image.Digest is { } digest ? image.Name + "@" + digest : image.Name + ":" + (image.Tag ?? "latest");

    private static void Report(IProgress<ImagePullProgress>? progress, ImagePullProgress value, CancellationToken cancellationToken)
    {
        progress?.Report(value);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private FakeImageEngine Queue(QueuedFailure failure)
    {
        if (!Enum.IsDefined(failure.Error))
        {
            throw new ArgumentOutOfRangeException(nameof(failure), failure.Error, "Unknown ImagePullError value.");
        }

        lock (_gate)
        {
            _failures.Add(failure);
        }

        return this;
    }

    private ImagePullException? Decide(CredentialResolution resolution, ImageReference image)
    {
        lock (_gate)
        {
            var name = LocalName(image);
            var index = _failures.FindIndex(f => f.Image == name || (f.Address is not null && f.Address.Equals(image.Address)));
            if (index >= 0)
            {
                var queued = _failures[index];
                _failures.RemoveAt(index);
                return new ImagePullException(
                    queued.Error,
                    image,
                    queued.Message ?? $"The fake engine was told to fail the next pull of {(queued.Address is null ? image.ToString() : $"{image} from {queued.Address}")} with {queued.Error}.");
            }

            if (_required.TryGetValue(image.Address, out var required))
            {
                if (resolution.Outcome != ResolutionOutcome.Authenticated)
                {
                    return new ImagePullException(
                        ImagePullError.Unauthorized,
                        image,
                        $"The registry {image.Address} refused an anonymous pull of {image}: it requires a credential and none is configured for it in the environment.");
                }

                // Compared in clear inside the fake only; the password never reaches a message.
                if (!string.Equals(resolution.Username, required.Username, StringComparison.Ordinal)
                    || !string.Equals(resolution.Password!.Reveal(), required.Password, StringComparison.Ordinal))
                {
                    return new ImagePullException(
                        ImagePullError.Unauthorized,
                        image,
                        $"The registry {image.Address} refused the credential of registry entry {resolution.RegistryId} (user '{resolution.Username}') while pulling {image}: wrong username or password.");
                }
            }

            return null;
        }
    }

    private void Record(CredentialResolution resolution, ImageReference image, ImagePullError error)
    {
        lock (_gate)
        {
            _pulls.Add(new RecordedPull(resolution, image, error));
        }
    }

    private sealed record QueuedFailure(string? Image, RegistryAddress? Address, ImagePullError Error, string? Message);
}
