namespace Registries.Core;

/// <summary>One place an image is pulled from: a mirror (and the image's name there) or the upstream itself.</summary>
public sealed class MirrorSource
{
    private MirrorSource(RegistryMirror? mirror, ImageReference image)
    {
        Mirror = mirror;
        Image = image;
    }

    /// <summary>Gets the mirror, or <see langword="null"/> for the upstream itself.</summary>
    public RegistryMirror? Mirror { get; }

    /// <summary>Gets the image's name at this source (on a mirror: the mirror's address and, rewritten, its repository).</summary>
    public ImageReference Image { get; }

    /// <summary>Gets a value indicating whether this is the upstream itself.</summary>
    public bool IsUpstream => Mirror is null;

    internal static MirrorSource Upstream(ImageReference image) => new(null, image);

    internal static MirrorSource Through(RegistryMirror mirror, ImageReference image) => new(mirror, image);

    /// <inheritdoc/>
    public override string ToString() => IsUpstream ? $"{Image} (upstream)" : $"{Image} (mirror)";
}
