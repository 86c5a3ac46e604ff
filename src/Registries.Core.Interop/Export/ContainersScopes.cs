using System.Globalization;
using System.Text;

namespace Registries.Core.Interop;

/// <summary>What containers/image (podman, skopeo, buildah, CRI-O) makes of our scopes: the keys both of its files
/// take, the verdict of the policy over everything under a key, and which mirror rewrites it can express.</summary>
/// <remarks>
/// Both files match names as strings: <c>policy.json</c> looks an image up by its name, then each parent namespace on
/// <c>/</c> boundaries, then the host with its port, then <c>*.</c> plus each parent domain of the host without its
/// port (any depth); <c>registries.conf</c> takes the longest prefix that ends at a <c>/</c>, <c>:</c> or <c>@</c>
/// (so <c>example.com</c> also matches <c>example.com:5000</c>), a <c>*.</c> prefix matching any depth. A concrete
/// scope (<c>host[:port][/path]</c>) is therefore a key that means exactly the scope; a host pattern is not.
/// </remarks>
internal static class ContainersScopes
{
    private const string Digest = "@sha256:0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The key of a registry address as both files write it: <c>docker.io</c> for Docker Hub, the host in
    /// lowercase with its port otherwise (containers/image compares names as strings).</summary>
    public static string HostKey(RegistryAddress address)
        => address.IsDockerHub ? "docker.io" : address.ToString().ToLowerInvariant();

    /// <summary>The key of a concrete scope (never a pattern): <c>host[:port][/path]</c>.</summary>
    public static string Key(RegistryAddress address, string path)
        => path.Length == 0 ? HostKey(address) : HostKey(address) + "/" + path;

    /// <summary>The wildcard a host pattern becomes (<c>*.corp.example</c>): its concrete labels, without port or path.</summary>
    public static string Wildcard(RegistryAddress pattern)
    {
        var text = pattern.ToString().ToLowerInvariant();
        var wildcards = 0;
        while (text.AsSpan(wildcards * 2).StartsWith("*."))
        {
            wildcards++;
        }

        var host = text[(wildcards * 2)..];
        var colon = host.LastIndexOf(':');
        return "*." + (colon < 0 ? host : host[..colon]);
    }

    /// <summary>Says how a file's <c>*.</c> key is wider than a pattern scope: deeper or other label counts, every
    /// port, every repository.</summary>
    public static string Widening(RegistryScope scope)
    {
        var pattern = scope.Address;
        var wildcard = Wildcard(pattern);
        var stars = 0;
        while (pattern.ToString().AsSpan(stars * 2).StartsWith("*."))
        {
            stars++;
        }

        var parts = new List<string>
        {
            stars == 1
                ? $"hosts more than one label below {wildcard[2..]} (a.b.{wildcard[2..]})"
                : $"hosts with any number of labels below {wildcard[2..]}, not only {stars}",
        };
        if (pattern.Port is not null)
        {
            parts.Add("every port, not only " + pattern.Port.Value.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            parts.Add("every port");
        }

        if (!scope.IsHostLevel)
        {
            parts.Add($"every repository, not only {scope.Path}");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Tells whether a host has letters (an IP address has none), so that the same host written with capitals
    /// is another string to containers/image.</summary>
    public static bool HasLetters(RegistryAddress address)
        => !address.IsIPv6 && HostKey(address).Split(':')[0].Any(char.IsAsciiLetter);

    /// <summary>Chooses a repository component that no scope or rewrite path uses, so that an image under a key with
    /// it is covered by exactly the rules that cover everything under the key and not a deeper key.</summary>
    public static string FreshComponent(IEnumerable<string> paths)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var component in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                used.Add(component);
            }
        }

        for (var i = 0; ; i++)
        {
            var candidate = "r" + i.ToString(CultureInfo.InvariantCulture);
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>What the policy decides for everything under a concrete key that no deeper key holds: by tag and by digest.</summary>
    /// <returns>Whether a pull by tag is allowed, whether a pull by digest is, and whether a deny rule decided.</returns>
    public static (bool ByTag, bool ByDigest, bool Denied) Verdict(RegistryPolicy policy, RegistryAddress address, string path, string fresh)
    {
        // Two fresh components: Docker Hub reads a one-component path as library/NAME.
        var name = HostKey(address) + "/" + (path.Length == 0 ? string.Empty : path + "/") + fresh + "/" + fresh;
        var byTag = policy.Evaluate(ImageReference.Parse(name + ":latest"));
        var byDigest = policy.Evaluate(ImageReference.Parse(name + Digest));
        return (byTag.IsAllowed, byDigest.IsAllowed, byDigest.Rule is { Effect: PolicyEffect.Deny } || byTag.Rule is { Effect: PolicyEffect.Deny });
    }

    /// <summary>Reads a rewrite that only swaps a path prefix (<c>^library/(.*)</c> to <c>mirror/library/$1</c>), the
    /// one kind <c>registries.conf</c> can express (a prefix rooted at another location).</summary>
    /// <param name="rewrite">The rewrite.</param>
    /// <param name="from">The upstream prefix, without its trailing <c>/</c> (empty for every repository).</param>
    /// <param name="to">The prefix on the mirror, without its trailing <c>/</c> (empty for none).</param>
    /// <returns><see langword="false"/> when the rewrite is anything else.</returns>
    public static bool TryReadPrefixSwap(MirrorRewrite rewrite, out string from, out string to)
    {
        from = to = string.Empty;
        var pattern = rewrite.Pattern;
        if (!pattern.StartsWith('^'))
        {
            return false;
        }

        var body = pattern.EndsWith("$", StringComparison.Ordinal) && !pattern.EndsWith("\\$", StringComparison.Ordinal) ? pattern[1..^1] : pattern[1..];
        string? group = null;
        foreach (var candidate in (string[])["(.*)", "(.+)"])
        {
            if (body.EndsWith(candidate, StringComparison.Ordinal))
            {
                group = candidate;
            }
        }

        if (group is null || !TryUnescapeLiteral(body[..^group.Length], out var literal))
        {
            return false;
        }

        var replacement = rewrite.Replacement;
        string? target = null;
        foreach (var reference in (string[])["$1", "${1}"])
        {
            if (replacement.EndsWith(reference, StringComparison.Ordinal))
            {
                target = replacement[..^reference.Length];
            }
        }

        if (target is null || !IsPrefix(literal) || !IsPrefix(target))
        {
            return false;
        }

        from = literal.TrimEnd('/');
        to = target.TrimEnd('/');
        return true;
    }

    // Empty, or a valid repository path followed by '/': a prefix on a '/' boundary.
    private static bool IsPrefix(string text)
        => text.Length == 0 || (text.EndsWith('/') && RegistryScopePaths.IsValid(text[..^1]));

    // A regular expression's text that matches only itself: path characters, '.' only escaped.
    private static bool TryUnescapeLiteral(string text, out string literal)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '.' or '/' or '-' or '_')
            {
                builder.Append(text[++i]);
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '/' or '-' or '_')
            {
                builder.Append(c);
            }
            else
            {
                literal = string.Empty;
                return false;
            }
        }

        literal = builder.ToString();
        return true;
    }

    /// <summary>Writes a TOML basic string.</summary>
    public static string TomlString(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' or '\u007f' => builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }
}

/// <summary>Checks a repository path prefix through the public scope parser (the grammar lives in the domain).</summary>
internal static class RegistryScopePaths
{
    public static bool IsValid(string path)
    {
        try
        {
            _ = RegistryScope.Create(RegistryAddress.DockerHub, path);
            return true;
        }
        catch (RegistryAddressFormatException)
        {
            return false;
        }
    }
}
