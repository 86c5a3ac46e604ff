using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

/// <summary>What a registry entry covers: a registry address or a host pattern, optionally narrowed to a repository path prefix.</summary>
/// <remarks>
/// <para>Examples: <c>registry.example.com:5000</c> (every image of that registry, the seed's only kind of scope),
/// <c>registry.example.com:5000/team</c> (images under <c>team/</c>), <c>*.corp.example</c> (every registry one label
/// below <c>corp.example</c>), <c>*.corp.example/team/sub</c>.</para>
/// <para>A path prefix matches on <c>/</c> boundaries only: <c>team</c> covers <c>team/app</c> and <c>team/sub/app</c>,
/// never <c>team-b/app</c>. On Docker Hub the path is the full repository path, so official images are under
/// <c>library</c>.</para>
/// <para>For an image, the most specific scope that covers it decides (<see cref="CredentialResolver"/>): an exact
/// address before a pattern (a pattern with more labels before one with fewer), then a longer path before a shorter
/// one. Two scopes are equal when their addresses and paths are equal. Immutable.</para>
/// </remarks>
public sealed class RegistryScope : IEquatable<RegistryScope>
{
    private RegistryScope(RegistryAddress address, string path)
    {
        Address = address;
        Path = path;
    }

    /// <summary>Gets the registry address, or the host pattern when <see cref="RegistryAddress.IsPattern"/> is set.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the repository path prefix, or the empty string when the scope is the whole address.</summary>
    public string Path { get; }

    /// <summary>Gets a value indicating whether the scope is a whole address or pattern (no path prefix).</summary>
    public bool IsHostLevel => Path.Length == 0;

    /// <summary>Returns the scope of a whole registry address or host pattern, the scope of the seed's entries.</summary>
    /// <param name="address">The address or pattern.</param>
    /// <returns>The scope.</returns>
    public static RegistryScope Of(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new RegistryScope(address, string.Empty);
    }

    /// <summary>Returns the scope of an address or pattern narrowed to a repository path prefix.</summary>
    /// <param name="address">The address or pattern.</param>
    /// <param name="path">The path prefix (<c>team</c>, <c>team/sub</c>), or <see langword="null"/> or empty for the whole address.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="RegistryAddressFormatException">The path is not a valid repository path prefix; the message says how to fix it.</exception>
    public static RegistryScope Create(RegistryAddress address, string? path)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (string.IsNullOrEmpty(path))
        {
            return new RegistryScope(address, string.Empty);
        }

        if (!TryValidatePath(path, out var problem))
        {
            // A path with '@' may be a pasted URL with user info, password included: it is then not shown.
            var shown = path.Contains('@', StringComparison.Ordinal) ? string.Empty : " " + EchoedInput.Quote(path);
            throw new RegistryAddressFormatException(RegistryAddressError.InvalidPath, $"The repository path{shown} is not valid: {problem}.");
        }

        return new RegistryScope(address, path);
    }

    /// <summary>Parses a scope from its two parts as a user gives them: an address or a host pattern, and an optional path prefix.</summary>
    /// <param name="address">A registry address (<c>registry.example.com:5000</c>) or a host pattern (<c>*.corp.example</c>).</param>
    /// <param name="path">The path prefix, or <see langword="null"/> or empty for the whole address.</param>
    /// <returns>The scope.</returns>
    /// <remarks>The path is its own argument, so that a pasted URL (<c>https://registry.example.com/v2/</c>) is still
    /// refused with the address's corrective message rather than read as a path.</remarks>
    /// <exception cref="RegistryAddressFormatException">The address, pattern or path is not valid; the message says how to fix it.</exception>
    public static RegistryScope Parse(string address, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        var parsed = address.StartsWith('*') ? RegistryAddress.ParsePattern(address) : RegistryAddress.Parse(address);
        return Create(parsed, path);
    }

    /// <summary>Parses a scope written as one string, as policy rules take it: <c>HOST[:PORT][/PATH]</c> or
    /// <c>*.PATTERN[:PORT][/PATH]</c>.</summary>
    /// <param name="scope">The scope, for example <c>registry.example.com:5000/team</c> or <c>*.corp.example</c>.</param>
    /// <returns>The scope.</returns>
    /// <remarks>The address ends at the first <c>/</c>. A pasted URL (<c>https://registry.example.com/team</c>) is
    /// refused with the address's corrective message, never read as a host <c>https:</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="scope"/> is <see langword="null"/>.</exception>
    /// <exception cref="RegistryAddressFormatException">The address, pattern or path is not valid; the message says how to fix it.</exception>
    public static RegistryScope ParseScope(string scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.Contains("://", StringComparison.Ordinal))
        {
            // The address parser explains a URL (and never echoes its user info).
            return Parse(scope);
        }

        var slash = scope.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? Parse(scope) : Parse(scope[..slash], scope[(slash + 1)..]);
    }

    /// <summary>Tells whether the scope covers an image: its address covers the image's registry and its path, if any,
    /// is the image's repository path or a parent of it.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when the scope covers the image.</returns>
    public bool Covers(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Address.Covers(image.Address) && CoversPath(image.Repository);
    }

    /// <summary>Tells whether the scope covers a whole registry address (what a per-server protocol asks): only a
    /// host-level scope whose address covers it does.</summary>
    /// <param name="address">The registry address.</param>
    /// <returns><see langword="true"/> when the scope covers every image of the address.</returns>
    public bool Covers(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IsHostLevel && Address.Covers(address);
    }

    /// <summary>Tells whether the path prefix covers a repository path, on <c>/</c> boundaries.</summary>
    /// <param name="repository">The repository path (<c>team/app</c>).</param>
    /// <returns><see langword="true"/> when the scope has no path, or the repository is the path or below it.</returns>
    public bool CoversPath(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return Path.Length == 0
            || (repository.StartsWith(Path, StringComparison.Ordinal)
                && (repository.Length == Path.Length || repository[Path.Length] == '/'));
    }

    /// <summary>Compares how specific two scopes are.</summary>
    /// <param name="other">The other scope.</param>
    /// <returns>More than zero when this scope is more specific (it decides over <paramref name="other"/> when both
    /// cover an image), less than zero when it is less specific, zero when they are equally specific.</returns>
    public int CompareSpecificity(RegistryScope other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var exact = (!Address.IsPattern).CompareTo(!other.Address.IsPattern);
        if (exact != 0)
        {
            return exact;
        }

        var labels = Address.ConcreteLabels.CompareTo(other.Address.ConcreteLabels);
        return labels != 0 ? labels : Segments.CompareTo(other.Segments);
    }

    private int Segments => Path.Length == 0 ? 0 : Path.Count('/') + 1;

    /// <inheritdoc/>
    public bool Equals([NotNullWhen(true)] RegistryScope? other)
        => other is not null && Address.Equals(other.Address) && string.Equals(Path, other.Path, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as RegistryScope);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, string.GetHashCode(Path, StringComparison.Ordinal));

    /// <summary>Returns the scope as written: the address or pattern, then <c>/</c> and the path when there is one.</summary>
    /// <returns>For example <c>registry.example.com:5000/team</c>.</returns>
    public override string ToString() => Path.Length == 0 ? Address.ToString() : Address + "/" + Path;

    /// <summary>Compares two scopes for equality.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when both are equal or both are <see langword="null"/>.</returns>
    public static bool operator ==(RegistryScope? left, RegistryScope? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Compares two scopes for inequality.</summary>
    /// <param name="left">The first scope.</param>
    /// <param name="right">The second scope.</param>
    /// <returns><see langword="true"/> when the scopes differ.</returns>
    public static bool operator !=(RegistryScope? left, RegistryScope? right) => !(left == right);

    // Docker's path grammar: components of lowercase letters and digits, joined inside by '.', '_', '__' or runs of '-',
    // separated by '/'. At most 255 characters, like a whole reference's name.
    internal static bool TryValidatePath(string path, [NotNullWhen(false)] out string? problem)
    {
        if (path.Length > 255)
        {
            problem = "it is longer than 255 characters";
            return false;
        }

        if (path.Any(char.IsWhiteSpace) || path.Any(char.IsControl))
        {
            problem = "it contains blanks or control characters; give components separated by '/', for example 'team/sub'";
            return false;
        }

        if (path.Contains("://", StringComparison.Ordinal) || path.Contains('@', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal))
        {
            problem = "give only the repository path under the registry, without a scheme, a tag or a digest, for example 'team/sub'";
            return false;
        }

        if (path.StartsWith('/') || path.EndsWith('/'))
        {
            problem = $"it starts or ends with '/': give {EchoedInput.Quote(path.Trim('/'))}";
            return false;
        }

        foreach (var component in path.Split('/'))
        {
            if (!IsPathComponent(component))
            {
                problem = component.Length == 0
                    ? "it has an empty component ('//')"
                    : $"the component {EchoedInput.Quote(component)} is not lowercase letters and digits joined by '.', '_', '__' or '-'";
                return false;
            }
        }

        problem = null;
        return true;
    }

    private static bool IsPathComponent(string component)
    {
        if (component.Length == 0 || !IsAlphanumeric(component[0]) || !IsAlphanumeric(component[^1]))
        {
            return false;
        }

        // Between two runs of alphanumerics, one separator: '.', '_', '__' or one or more '-'.
        var i = 0;
        while (i < component.Length)
        {
            if (IsAlphanumeric(component[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < component.Length && !IsAlphanumeric(component[i]))
            {
                i++;
            }

            var separator = component.AsSpan(start, i - start);
            if (!(separator is "." or "_" or "__" || !separator.ContainsAnyExcept('-')))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlphanumeric(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}
