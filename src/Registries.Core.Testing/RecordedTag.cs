namespace Registries.Core.Testing;

/// <summary>One name given to a present image in a <see cref="FakeImageEngine"/> (<c>docker tag</c>).</summary>
/// <remarks>Immutable; holds no credential.</remarks>
public sealed class RecordedTag
{
    internal RecordedTag(ImageReference image, ImageReference name)
    {
        Image = image;
        Name = name;
    }

    /// <summary>Gets the image that was named (for a pull through a mirror: the mirror's name for it).</summary>
    public ImageReference Image { get; }

    /// <summary>Gets the name it was given.</summary>
    public ImageReference Name { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Image} tagged {Name}";
}
