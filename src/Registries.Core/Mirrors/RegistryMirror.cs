using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

/// <summary>One mirror of a registry in an environment: a pull-through cache (Harbor's proxy cache, a distribution
/// registry in proxy mode) that images of the upstream are pulled through.</summary>
/// <remarks>
/// <para>A mirror is a registry address (never a pattern) other than its upstream's. Its credential is resolved by
/// the environment's entries like any registry's; the environment's policy is decided on the image the user asked
/// for, never on the mirror's name.</para>
/// <para><see cref="Rewrite"/> renames repositories on the mirror; <see cref="MirrorOnly"/> means images of the
/// upstream are never pulled from the upstream itself: when one of an upstream's mirrors is mirror-only, a pull that no
/// mirror answers fails rather than falling back. An upstream and a mirror address identify a mirror. Immutable.</para>
/// </remarks>
public sealed class RegistryMirror : IEquatable<RegistryMirror>
{
    private RegistryMirror(RegistryAddress upstream, RegistryAddress address, MirrorRewrite? rewrite, bool mirrorOnly)
    {
        Upstream = upstream;
        Address = address;
        Rewrite = rewrite;
        MirrorOnly = mirrorOnly;
    }

    /// <summary>Gets the registry whose images the mirror serves (<c>docker.io</c> for Docker Hub).</summary>
    public RegistryAddress Upstream { get; }

    /// <summary>Gets the mirror's address.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets how repositories are named on the mirror, or <see langword="null"/> when they keep the upstream's names.</summary>
    public MirrorRewrite? Rewrite { get; }

    /// <summary>Gets a value indicating whether the upstream itself is never pulled from.</summary>
    public bool MirrorOnly { get; }

    /// <summary>Returns a mirror.</summary>
    /// <param name="upstream">The registry whose images the mirror serves.</param>
    /// <param name="address">The mirror's address.</param>
    /// <param name="rewrite">How repositories are named on the mirror, or <see langword="null"/>.</param>
    /// <param name="mirrorOnly">Whether the upstream itself is never pulled from.</param>
    /// <returns>The mirror.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="upstream"/> or <paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryRuleException">An address is a host pattern, or the mirror is its own upstream.</exception>
    public static RegistryMirror Create(RegistryAddress upstream, RegistryAddress address, MirrorRewrite? rewrite = null, bool mirrorOnly = false)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(address);
        if (upstream.IsPattern || address.IsPattern)
        {
            throw new RegistryRuleException($"A mirror joins two registry addresses, never a host pattern: give the upstream's and the mirror's host[:port] (not '{(upstream.IsPattern ? upstream : address)}').");
        }

        if (upstream.Equals(address))
        {
            throw new RegistryRuleException($"'{address}' cannot be a mirror of itself: give the pull-through cache's address.");
        }

        return new RegistryMirror(upstream, address, rewrite, mirrorOnly);
    }

    /// <summary>Names an image of the upstream on this mirror.</summary>
    /// <param name="image">An image of the upstream.</param>
    /// <param name="onMirror">The same image on the mirror (same tag and digest, the repository rewritten).</param>
    /// <returns><see langword="false"/> when the image is not the upstream's, or its rewritten path is not a valid repository path.</returns>
    public bool TryMap(ImageReference image, [NotNullWhen(true)] out ImageReference? onMirror)
    {
        ArgumentNullException.ThrowIfNull(image);
        onMirror = null;
        if (!image.Address.Equals(Upstream))
        {
            return false;
        }

        var repository = image.Repository;
        if (Rewrite is not null && !Rewrite.TryApply(repository, out repository))
        {
            return false;
        }

        onMirror = new ImageReference(Address, repository, image.Tag, image.Digest);
        return true;
    }

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] RegistryMirror? other)
        => other is not null && Upstream.Equals(other.Upstream) && Address.Equals(other.Address)
            && Equals(Rewrite, other.Rewrite) && MirrorOnly == other.MirrorOnly;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryMirror);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Upstream, Address, Rewrite, MirrorOnly);

    /// <inheritdoc/>
    public override string ToString()
        => $"{Upstream} -> {Address}" + (Rewrite is null ? string.Empty : $" (rewrite {Rewrite})") + (MirrorOnly ? " (mirror only)" : string.Empty);
}
