using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

/// <summary>A container image reference, parsed and normalized as Docker does it.</summary>
/// <remarks>
/// <para>The grammar is <c>[registry[:port]/][namespace/]name[:tag][@digest]</c>, with the normalization of
/// Docker's own parser: a first component is a registry only if it contains <c>.</c> or <c>:</c>, is
/// <c>localhost</c>, or has an uppercase letter; otherwise the registry is Docker Hub, and a one-component
/// Docker Hub name gets the <c>library/</c> namespace.</para>
/// <para>Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class ImageReference : IEquatable<ImageReference>, ISpanParsable<ImageReference>
{
    private string? _text;

    internal ImageReference(RegistryAddress registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Gets the registry the image comes from (<see cref="RegistryAddress.DockerHub"/> by default).</summary>
    public RegistryAddress Registry { get; }

    /// <summary>Gets the repository path without the registry, for example <c>library/ubuntu</c>.</summary>
    public string Repository { get; }

    /// <summary>Gets the tag, or <see langword="null"/> when the reference has none (no tag is invented).</summary>
    public string? Tag { get; }

    /// <summary>Gets the digest (<c>sha256:…</c>), or <see langword="null"/> when the reference has none.</summary>
    public string? Digest { get; }

    /// <summary>Gets the full repository name, registry included: <c>docker.io/library/ubuntu</c>.</summary>
    public string Name => Registry + "/" + Repository;

    /// <summary>Gets the short name that Docker shows: <c>ubuntu</c>, <c>org/app</c>, <c>quay.io/org/app</c>.</summary>
    public string FamiliarName
    {
        get
        {
            if (!Registry.IsDockerHub)
            {
                return Name;
            }

            return Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0
                ? Repository[8..]
                : Repository;
        }
    }

    /// <summary>Parses an image reference.</summary>
    /// <param name="s">The reference, for example <c>ubuntu:22.04</c> or <c>quay.io/org/app@sha256:…</c>.</param>
    /// <returns>The normalized reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException">The reference is not valid; <see cref="ImageReferenceFormatException.Error"/> says why.</exception>
    public static ImageReference Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Parse(s.AsSpan());
    }

    /// <summary>Parses an image reference.</summary>
    /// <param name="s">The reference.</param>
    /// <returns>The normalized reference.</returns>
    /// <exception cref="ImageReferenceFormatException">The reference is not valid; <see cref="ImageReferenceFormatException.Error"/> says why.</exception>
    public static ImageReference Parse(ReadOnlySpan<char> s)
    {
        if (ImageReferenceParser.TryParse(s, out var result, out var error))
        {
            return result;
        }

        throw new ImageReferenceFormatException(error, ImageReferenceParser.Explain(s, error));
    }

    /// <summary>Tries to parse an image reference; never throws.</summary>
    /// <param name="s">The reference, or <see langword="null"/>.</param>
    /// <param name="result">The normalized reference, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid reference.</returns>
    public static bool TryParse([NotNullWhen(true)] string? s, [NotNullWhen(true)] out ImageReference? result)
    {
        if (s is null)
        {
            result = null;
            return false;
        }

        return ImageReferenceParser.TryParse(s.AsSpan(), out result, out _);
    }

    /// <summary>Tries to parse an image reference; never throws.</summary>
    /// <param name="s">The reference.</param>
    /// <param name="result">The normalized reference, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid reference.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out ImageReference? result)
        => ImageReferenceParser.TryParse(s, out result, out _);

    /// <inheritdoc/>
    static ImageReference IParsable<ImageReference>.Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    static bool IParsable<ImageReference>.TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, [MaybeNullWhen(false)] out ImageReference result)
        => TryParse(s, out result);

    /// <inheritdoc/>
    static ImageReference ISpanParsable<ImageReference>.Parse(ReadOnlySpan<char> s, IFormatProvider? provider) => Parse(s);

    /// <inheritdoc/>
    static bool ISpanParsable<ImageReference>.TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, [MaybeNullWhen(false)] out ImageReference result)
        => TryParse(s, out result);

    /// <summary>Returns the full normalized form, for example <c>docker.io/library/ubuntu:22.04</c>.</summary>
    /// <returns>The reference text.</returns>
    public override string ToString()
        => _text ??= Name + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <inheritdoc/>
    public bool Equals(ImageReference? other)
        => other is not null
            && Registry.Equals(other.Registry)
            && string.Equals(Repository, other.Repository, StringComparison.Ordinal)
            && string.Equals(Tag, other.Tag, StringComparison.Ordinal)
            && string.Equals(Digest, other.Digest, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Registry, Repository, Tag, Digest);

    /// <summary>Compares two references for equality.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns><see langword="true"/> when both are equal or both are <see langword="null"/>.</returns>
    public static bool operator ==(ImageReference? left, ImageReference? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two references for inequality.</summary>
    /// <param name="left">The first reference.</param>
    /// <param name="right">The second reference.</param>
    /// <returns><see langword="true"/> when the references differ.</returns>
    public static bool operator !=(ImageReference? left, ImageReference? right) => !(left == right);
}
