using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

/// <summary>A container image reference, parsed and normalized as Docker does it.</summary>
/// <remarks>
/// <para>The grammar is <c>[registry[:port]/][namespace/]name[:tag][@digest]</c>, with the normalization of
/// Docker's own parser (<c>ParseNormalizedNamed</c> of github.com/distribution/reference), whose choices and errors
/// this type follows: a first component is a registry only if it contains <c>.</c> or <c>:</c>, is
/// <c>localhost</c>, or has an uppercase letter; otherwise the registry is Docker Hub, and a one-component
/// Docker Hub name gets the <c>library/</c> namespace.</para>
/// <para>Errors follow Docker's as well: a malformed tag or digest (one the grammar cannot read) is
/// <see cref="ImageReferenceError.InvalidFormat"/>; a well-formed digest Docker cannot use (another algorithm, the wrong
/// length, uppercase hex) is <see cref="ImageReferenceError.DigestInvalidFormat"/>; a 64-digit lowercase hex string is
/// refused as an image ID. <see cref="ImageReferenceError.TagInvalidFormat"/> comes from <see cref="WithTag"/>. Two
/// deliberate differences: the empty string is <see cref="ImageReferenceError.NameEmpty"/>, and a first component
/// that Docker takes for a registry but that is no host name (<c>foo_bar.com/app</c>, a port above
/// <see cref="int.MaxValue"/>) is refused, where Docker reads a name without any registry.</para>
/// <para>Two references are equal when their registries are equal (host ignoring case, Docker Hub aliases as one)
/// and their repository, tag and digest are equal. Instances are immutable and safe to share between threads.</para>
/// </remarks>
public sealed class ImageReference : IEquatable<ImageReference>, ISpanParsable<ImageReference>
{
    private const string LatestTag = "latest";

    // The normalized text, built once when the reference is made: "registry/repository[:tag][@digest]". The parts
    // are slices of it, turned into strings only when asked for, so a parse allocates the reference and one string.
    private readonly string _text;
    private readonly int _repositoryStart;
    private readonly int _tagStart;
    private readonly int _digestStart;
    private string? _repository;
    private string? _tag;
    private string? _digest;

    internal ImageReference(RegistryAddress registry, string repository, string? tag, string? digest)
        : this(registry, repository, libraryPrefix: false, tag, digest)
    {
        _repository = repository;
        _tag = tag;
        _digest = digest;
    }

    private ImageReference(RegistryAddress registry, ReadOnlySpan<char> path, bool libraryPrefix, ReadOnlySpan<char> tag, ReadOnlySpan<char> digest)
    {
        Address = registry;
        var text = new TextParts
        {
            Registry = registry.ToString(),
            Path = path,
            LibraryPrefix = libraryPrefix,
            Tag = tag,
            Digest = digest,
            HasTag = !tag.IsEmpty,
            HasDigest = !digest.IsEmpty,
        };
        _repositoryStart = text.Registry.Length + 1;
        var repositoryEnd = _repositoryStart + path.Length + (libraryPrefix ? ReferenceGrammar.LibraryPrefix.Length : 0);
        _tagStart = text.HasTag ? repositoryEnd + 1 : -1;
        _digestStart = text.HasDigest ? (text.HasTag ? _tagStart + tag.Length : repositoryEnd) + 1 : -1;
        var length = (text.HasDigest ? _digestStart + digest.Length : text.HasTag ? _tagStart + tag.Length : repositoryEnd);
        _text = string.Create(length, text, static (span, parts) =>
        {
            parts.Registry.CopyTo(span);
            var i = parts.Registry.Length;
            span[i++] = '/';
            if (parts.LibraryPrefix)
            {
                ReferenceGrammar.LibraryPrefix.CopyTo(span[i..]);
                i += ReferenceGrammar.LibraryPrefix.Length;
            }

            parts.Path.CopyTo(span[i..]);
            i += parts.Path.Length;
            if (parts.HasTag)
            {
                span[i++] = ':';
                parts.Tag.CopyTo(span[i..]);
                i += parts.Tag.Length;
            }

            if (parts.HasDigest)
            {
                span[i++] = '@';
                parts.Digest.CopyTo(span[i..]);
            }
        });
    }

    /// <summary>Gets the address of the registry the image comes from (<see cref="RegistryAddress.DockerHub"/> by default).</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the repository path without the registry, for example <c>library/ubuntu</c>.</summary>
    public string Repository => _repository ??= RepositorySpan.ToString();

    /// <summary>Gets the tag, or <see langword="null"/> when the reference has none (no tag is invented).</summary>
    public string? Tag => _tagStart < 0 ? null : _tag ??= TagSpan.SequenceEqual(LatestTag) ? LatestTag : TagSpan.ToString();

    /// <summary>Gets the digest (<c>sha256:…</c>), or <see langword="null"/> when the reference has none.</summary>
    public string? Digest => _digestStart < 0 ? null : _digest ??= _text[_digestStart..];

    /// <summary>Gets the full repository name, registry included: <c>docker.io/library/ubuntu</c>.</summary>
    public string Name => _tagStart < 0 && _digestStart < 0 ? _text : _text[..RepositoryEnd];

    private int RepositoryEnd => _tagStart >= 0 ? _tagStart - 1 : _digestStart >= 0 ? _digestStart - 1 : _text.Length;

    private ReadOnlySpan<char> RepositorySpan => _text.AsSpan(_repositoryStart, RepositoryEnd - _repositoryStart);

    private ReadOnlySpan<char> TagSpan => _tagStart < 0 ? default : _text.AsSpan(_tagStart, (_digestStart >= 0 ? _digestStart - 1 : _text.Length) - _tagStart);

    private ReadOnlySpan<char> DigestSpan => _digestStart < 0 ? default : _text.AsSpan(_digestStart);

    /// <summary>Gets the short name that Docker shows: <c>ubuntu</c>, <c>org/app</c>, <c>quay.io/org/app</c>.</summary>
    /// <remarks>As Docker's <c>FamiliarName</c>: the registry is left out only when it is written <c>docker.io</c> (or
    /// <c>index.docker.io</c>, which Docker turns into it), and <c>library/</c> only for one-component names.</remarks>
    public string FamiliarName
    {
        get
        {
            if (!string.Equals(Address.ToString(), "docker.io", StringComparison.Ordinal))
            {
                return Name;
            }

            return Repository.StartsWith(ReferenceGrammar.LibraryPrefix, StringComparison.Ordinal) && Repository.IndexOf('/', ReferenceGrammar.LibraryPrefix.Length) < 0
                ? Repository[ReferenceGrammar.LibraryPrefix.Length..]
                : Repository;
        }
    }

    /// <summary>Returns the same image with another tag; the digest, if any, is kept.</summary>
    /// <param name="tag">The tag, for example <c>22.04</c>.</param>
    /// <returns>The reference with <paramref name="tag"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tag"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException">The tag is not valid (<see cref="ImageReferenceError.TagInvalidFormat"/>).</exception>
    public ImageReference WithTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (!ReferenceGrammar.IsValidTag(tag))
        {
            throw new ImageReferenceFormatException(ImageReferenceError.TagInvalidFormat, ImageReferenceMessages.InvalidTag(tag));
        }

        return new ImageReference(Address, Repository, tag, Digest);
    }

    /// <summary>Returns the same image pinned to a digest; the tag, if any, is kept.</summary>
    /// <param name="digest">The digest, for example <c>sha256:</c> followed by 64 lowercase hex digits.</param>
    /// <returns>The reference with <paramref name="digest"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="digest"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException">The digest is not valid (<see cref="ImageReferenceError.DigestInvalidFormat"/>).</exception>
    public ImageReference WithDigest(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (!ReferenceGrammar.IsWellFormedDigest(digest, out var colon) || ReferenceGrammar.ValidateDigest(digest, colon, out _) != ReferenceProblem.None)
        {
            throw new ImageReferenceFormatException(ImageReferenceError.DigestInvalidFormat, ImageReferenceMessages.InvalidDigest(digest));
        }

        return new ImageReference(Address, Repository, Tag, digest);
    }

    /// <summary>Returns the same image without tag and digest.</summary>
    /// <returns>The repository alone, for example <c>docker.io/library/ubuntu</c>.</returns>
    public ImageReference WithoutTagAndDigest() => Tag is null && Digest is null ? this : new ImageReference(Address, Repository, null, null);

    /// <summary>Parses an image reference.</summary>
    /// <param name="s">The reference, for example <c>ubuntu:22.04</c> or <c>quay.io/org/app@sha256:…</c>.</param>
    /// <returns>The normalized reference.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImageReferenceFormatException">The reference is not valid; <see cref="ImageReferenceFormatException.Error"/> says why.</exception>
    public static ImageReference Parse(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return ImageReferenceParser.Parse(s).GetValueOrThrow();
    }

    /// <summary>Parses an image reference.</summary>
    /// <param name="s">The reference.</param>
    /// <returns>The normalized reference.</returns>
    /// <exception cref="ImageReferenceFormatException">The reference is not valid; <see cref="ImageReferenceFormatException.Error"/> says why.</exception>
    public static ImageReference Parse(ReadOnlySpan<char> s) => ImageReferenceParser.Parse(s).GetValueOrThrow();

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

        return ImageReferenceParser.TryParse(s, out result);
    }

    /// <summary>Tries to parse an image reference; never throws.</summary>
    /// <param name="s">The reference.</param>
    /// <param name="result">The normalized reference, or <see langword="null"/> when parsing failed.</param>
    /// <returns><see langword="true"/> when <paramref name="s"/> is a valid reference.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out ImageReference? result)
        => ImageReferenceParser.TryParse(s, out result);

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
    public override string ToString() => _text;

    /// <inheritdoc/>
    public bool Equals(ImageReference? other)
        => other is not null
            && Address.Equals(other.Address)
            && RepositorySpan.SequenceEqual(other.RepositorySpan)
            && (_tagStart < 0) == (other._tagStart < 0)
            && TagSpan.SequenceEqual(other.TagSpan)
            && (_digestStart < 0) == (other._digestStart < 0)
            && DigestSpan.SequenceEqual(other.DigestSpan);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    /// <inheritdoc/>
    public override int GetHashCode()
        => HashCode.Combine(
            Address,
            string.GetHashCode(RepositorySpan, StringComparison.Ordinal),
            _tagStart < 0 ? -1 : string.GetHashCode(TagSpan, StringComparison.Ordinal),
            _digestStart < 0 ? -1 : string.GetHashCode(DigestSpan, StringComparison.Ordinal));

    // Made by the parser from slices of the input: the normalized text is the only string allocated.
    internal static ImageReference FromParts(RegistryAddress registry, ReadOnlySpan<char> path, bool libraryPrefix, ReadOnlySpan<char> tag, ReadOnlySpan<char> digest)
        => new(registry, path, libraryPrefix, tag, digest);

    private ref struct TextParts
    {
        public ReadOnlySpan<char> Registry;
        public ReadOnlySpan<char> Path;
        public ReadOnlySpan<char> Tag;
        public ReadOnlySpan<char> Digest;
        public bool LibraryPrefix;
        public bool HasTag;
        public bool HasDigest;
    }

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
