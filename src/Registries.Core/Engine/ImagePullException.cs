namespace Registries.Core.Engine;

/// <summary>A pull did not produce the image; <see cref="Error"/> says why and the message says what to do next.</summary>
/// <remarks>Messages never contain a secret.</remarks>
public sealed class ImagePullException : RegistriesException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="error">Why the pull failed.</param>
    /// <param name="image">The image.</param>
    /// <param name="message">What happened and what to do next.</param>
    /// <param name="innerException">The underlying fault, if any.</param>
    public ImagePullException(ImagePullError error, ImageReference image, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(image);
        Error = error;
        Image = image;
    }

    /// <summary>Gets why the pull failed.</summary>
    public ImagePullError Error { get; }

    /// <summary>Gets the image.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets, for an image pulled through mirrors, each place that was tried and why it gave no image, in order
    /// (empty when the image's registry has no mirror).</summary>
    public IReadOnlyList<ImagePullAttempt> Attempts { get; init; } = [];
}
