namespace Registries.Core.Engine;

/// <summary>One place a pull tried that gave no image: a mirror that was down, refused, lacked the image or whose
/// credential could not be used, or the upstream itself.</summary>
/// <remarks>Immutable. <see cref="Reason"/> is the engine's masked message or the resolution's reason: never a secret.</remarks>
public sealed class ImagePullAttempt
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="source">Where the image was to come from.</param>
    /// <param name="error">Why it gave no image.</param>
    /// <param name="skipped">Whether nothing reached the engine for it (its credential was denied or unavailable).</param>
    /// <param name="reason">What happened, without a secret.</param>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="reason"/> is <see langword="null"/>.</exception>
    public ImagePullAttempt(MirrorSource source, ImagePullError error, bool skipped, string reason)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(reason);
        Source = source;
        Error = error;
        Skipped = skipped;
        Reason = reason;
    }

    /// <summary>Gets where the image was to come from: a mirror (with the image's name there) or the upstream.</summary>
    public MirrorSource Source { get; }

    /// <summary>Gets why it gave no image: <see cref="ImagePullError.Denied"/> or <see cref="ImagePullError.CredentialUnavailable"/>
    /// when its credential could not be used, else the engine's answer (down, refused, not found...).</summary>
    public ImagePullError Error { get; }

    /// <summary>Gets a value indicating whether nothing reached the engine for this source.</summary>
    public bool Skipped { get; }

    /// <summary>Gets what happened, without a secret.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override string ToString()
        => (Source.Mirror is { } mirror ? $"mirror {mirror.Address}" : $"upstream {Source.Image.Address}") + (Skipped ? " (skipped)" : string.Empty) + ": " + Reason;
}
