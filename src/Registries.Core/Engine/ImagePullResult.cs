namespace Registries.Core.Engine;

/// <summary>What <see cref="ImagePullService"/> did to make an image present.</summary>
public sealed class ImagePullResult
{
    /// <summary>Initializes a new result.</summary>
    /// <param name="image">The image.</param>
    /// <param name="pulled">Whether a pull happened.</param>
    /// <param name="resolution">The resolution used for the pull, or <see langword="null"/> when the image was already present.</param>
    public ImagePullResult(ImageReference image, bool pulled, CredentialResolution? resolution)
        : this(image, pulled, resolution, pulled ? MirrorSource.Upstream(image) : null, pulled ? resolution : null, [])
    {
    }

    /// <summary>Initializes a new result of a pull that may have gone through a mirror.</summary>
    /// <param name="image">The image the user asked for.</param>
    /// <param name="pulled">Whether a pull happened.</param>
    /// <param name="resolution">The image's resolution, or <see langword="null"/> when the image was already present.</param>
    /// <param name="pulledFrom">Where the image came from (a mirror and its name there, or the upstream), or <see langword="null"/> when no pull happened.</param>
    /// <param name="pulledWith">The credential the successful pull was made with (the mirror's for a mirror), or <see langword="null"/> when no pull happened.</param>
    /// <param name="attempts">The places tried before it that gave no image, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="attempts"/> is <see langword="null"/>.</exception>
    public ImagePullResult(ImageReference image, bool pulled, CredentialResolution? resolution, MirrorSource? pulledFrom, CredentialResolution? pulledWith, IReadOnlyList<ImagePullAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(attempts);
        Image = image;
        Pulled = pulled;
        Resolution = resolution;
        PulledFrom = pulledFrom;
        PulledWith = pulledWith;
        Attempts = attempts;
    }

    /// <summary>Gets the image.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets a value indicating whether the image was pulled (<see langword="false"/>: it was already present and used as it is).</summary>
    public bool Pulled { get; }

    /// <summary>Gets the image's resolution (its policy decision, its credential and its mirrors), or <see langword="null"/> when no pull happened.</summary>
    public CredentialResolution? Resolution { get; }

    /// <summary>Gets where the image came from: a mirror (<see cref="MirrorSource.Mirror"/>, with the image's name there in
    /// <see cref="MirrorSource.Image"/>) or the upstream itself (<see cref="MirrorSource.IsUpstream"/>); <see langword="null"/>
    /// when no pull happened.</summary>
    /// <remarks>Whichever it came from, the image is on the host under the name the user asked for (see <c>docs/mirrors.md</c>
    /// for an image named by digest).</remarks>
    public MirrorSource? PulledFrom { get; }

    /// <summary>Gets the credential the successful pull was made with: the mirror's when it came from a mirror, else the
    /// image's own; <see langword="null"/> when no pull happened.</summary>
    public CredentialResolution? PulledWith { get; }

    /// <summary>Gets the places tried before the one that gave the image, and why each gave none (empty without mirrors).</summary>
    public IReadOnlyList<ImagePullAttempt> Attempts { get; }

    /// <inheritdoc/>
    public override string ToString() => !Pulled
        ? $"{Image} already present"
        : PulledFrom?.Mirror is { } mirror
            ? $"{Image} pulled from mirror {mirror.Address} ({PulledWith?.Outcome})"
            : $"{Image} pulled ({Resolution?.Outcome})";
}
