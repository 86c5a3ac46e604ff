using System.Collections.Immutable;

namespace Registries.Core;

/// <summary>An environment's mirrors: for each upstream registry, its mirrors in the order they are tried.</summary>
/// <remarks>An upstream and a mirror address identify a mirror: adding one that exists replaces it in place. A pull
/// tries the upstream's mirrors in order, then the upstream itself unless one of them is mirror-only
/// (<see cref="Plan(ImageReference)"/>). Immutable: the <c>With*</c> methods return a copy.</remarks>
public sealed class RegistryMirrors : IEquatable<RegistryMirrors>
{
    private RegistryMirrors(ImmutableArray<RegistryMirror> all) => All = all;

    /// <summary>Gets the set without mirrors.</summary>
    public static RegistryMirrors Empty { get; } = new([]);

    /// <summary>Gets every mirror in the order they were added; per upstream, the order in which they are tried.</summary>
    public ImmutableArray<RegistryMirror> All { get; }

    /// <summary>Gets a value indicating whether there is no mirror.</summary>
    public bool IsEmpty => All.IsEmpty;

    /// <summary>Returns a set from stored mirrors.</summary>
    /// <param name="mirrors">The mirrors, in order.</param>
    /// <returns>The set.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="mirrors"/> or one of them is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Two mirrors have the same upstream and address.</exception>
    public static RegistryMirrors Create(IEnumerable<RegistryMirror> mirrors)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        var array = mirrors.ToImmutableArray();
        if (array.IsEmpty)
        {
            return Empty;
        }

        var keys = new HashSet<(RegistryAddress, RegistryAddress)>();
        foreach (var mirror in array)
        {
            ArgumentNullException.ThrowIfNull(mirror, nameof(mirrors));
            if (!keys.Add((mirror.Upstream, mirror.Address)))
            {
                throw new ArgumentException($"'{mirror.Address}' is listed twice as a mirror of '{mirror.Upstream}'.", nameof(mirrors));
            }
        }

        return new RegistryMirrors(array);
    }

    /// <summary>Returns the mirrors of an upstream, in the order they are tried.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <returns>The mirrors (empty when it has none).</returns>
    public IReadOnlyList<RegistryMirror> For(RegistryAddress upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return All.IsEmpty ? [] : All.Where(m => m.Upstream.Equals(upstream)).ToList();
    }

    /// <summary>Returns the upstreams that have mirrors, in the order their first mirror was added.</summary>
    /// <returns>The upstream addresses.</returns>
    public IReadOnlyList<RegistryAddress> Upstreams() => All.Select(static m => m.Upstream).Distinct().ToList();

    /// <summary>Tells whether the upstream itself is pulled from after its mirrors.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <returns><see langword="false"/> when one of its mirrors is mirror-only.</returns>
    public bool FallsBackToUpstream(RegistryAddress upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return !All.Any(m => m.MirrorOnly && m.Upstream.Equals(upstream));
    }

    /// <summary>Returns a copy with a mirror: added last among its upstream's, or replacing the one with the same upstream and address in place.</summary>
    /// <param name="mirror">The mirror.</param>
    /// <returns>The copy; this set when it already holds the mirror.</returns>
    public RegistryMirrors WithMirror(RegistryMirror mirror)
    {
        ArgumentNullException.ThrowIfNull(mirror);
        for (var i = 0; i < All.Length; i++)
        {
            if (All[i].Upstream.Equals(mirror.Upstream) && All[i].Address.Equals(mirror.Address))
            {
                return All[i].Equals(mirror) ? this : new RegistryMirrors(All.SetItem(i, mirror));
            }
        }

        return new RegistryMirrors(All.Add(mirror));
    }

    /// <summary>Returns a copy without a mirror.</summary>
    /// <param name="upstream">The upstream registry.</param>
    /// <param name="address">The mirror's address.</param>
    /// <returns>The copy; this set when there is no such mirror.</returns>
    public RegistryMirrors WithoutMirror(RegistryAddress upstream, RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(address);
        for (var i = 0; i < All.Length; i++)
        {
            if (All[i].Upstream.Equals(upstream) && All[i].Address.Equals(address))
            {
                return All.Length == 1 ? Empty : new RegistryMirrors(All.RemoveAt(i));
            }
        }

        return this;
    }

    /// <summary>Returns where an image is pulled from, in order: each mirror of its registry that can name it, then
    /// the image itself unless a mirror of its registry is mirror-only.</summary>
    /// <param name="image">The image the user asked for.</param>
    /// <returns>The sources; just the image when its registry has no mirror.</returns>
    public IReadOnlyList<MirrorSource> Plan(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (All.IsEmpty)
        {
            return [MirrorSource.Upstream(image)];
        }

        var sources = new List<MirrorSource>();
        var fallBack = true;
        foreach (var mirror in All)
        {
            if (!mirror.Upstream.Equals(image.Address))
            {
                continue;
            }

            fallBack &= !mirror.MirrorOnly;
            if (mirror.TryMap(image, out var onMirror))
            {
                sources.Add(MirrorSource.Through(mirror, onMirror));
            }
        }

        if (fallBack)
        {
            sources.Add(MirrorSource.Upstream(image));
        }

        return sources;
    }

    /// <inheritdoc/>
    public bool Equals(RegistryMirrors? other) => other is not null && All.SequenceEqual(other.All);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryMirrors);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        foreach (var mirror in All)
        {
            hash.Add(mirror);
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => All.IsEmpty ? "no mirrors" : string.Join("; ", All);
}
