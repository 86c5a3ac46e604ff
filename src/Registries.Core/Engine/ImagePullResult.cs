namespace Registries.Core.Engine;

/// <summary>What <see cref="ImagePullService"/> did to make an image present.</summary>
public sealed class ImagePullResult
{
    /// <summary>Initializes a new result.</summary>
    /// <param name="image">The image.</param>
    /// <param name="pulled">Whether a pull happened.</param>
    /// <param name="resolution">The resolution used for the pull, or <see langword="null"/> when the image was already present.</param>
    public ImagePullResult(ImageReference image, bool pulled, CredentialResolution? resolution)
    {
        ArgumentNullException.ThrowIfNull(image);
        Image = image;
        Pulled = pulled;
        Resolution = resolution;
    }

    /// <summary>Gets the image.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets a value indicating whether the image was pulled (<see langword="false"/>: it was already present and used as it is).</summary>
    public bool Pulled { get; }

    /// <summary>Gets the resolution used for the pull, or <see langword="null"/> when no pull happened.</summary>
    public CredentialResolution? Resolution { get; }

    /// <inheritdoc/>
    public override string ToString() => Pulled ? $"{Image} pulled ({Resolution?.Outcome})" : $"{Image} already present";
}
