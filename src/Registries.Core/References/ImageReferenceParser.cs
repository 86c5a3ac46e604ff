using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

// Interim parser: replaced by the hand-written span parser of issue 2.
internal static class ImageReferenceParser
{
    public static bool TryParse(ReadOnlySpan<char> s, [NotNullWhen(true)] out ImageReference? result, out ImageReferenceError error)
    {
        result = null;
        if (s.IsEmpty)
        {
            error = ImageReferenceError.NameEmpty;
            return false;
        }

        string? digest = null;
        var at = s.IndexOf('@');
        if (at >= 0)
        {
            digest = s[(at + 1)..].ToString();
            s = s[..at];
        }

        string? tag = null;
        var colon = s.LastIndexOf(':');
        if (colon > s.LastIndexOf('/'))
        {
            tag = s[(colon + 1)..].ToString();
            s = s[..colon];
        }

        var registry = RegistryAddress.DockerHub;
        var slash = s.IndexOf('/');
        if (slash > 0)
        {
            var first = s[..slash];
            if (first.IndexOfAny('.', ':') >= 0 || first.SequenceEqual("localhost"))
            {
                if (!RegistryAddress.TryParse(first, out var parsed))
                {
                    error = ImageReferenceError.InvalidFormat;
                    return false;
                }

                registry = parsed;
                s = s[(slash + 1)..];
            }
        }

        if (s.IsEmpty)
        {
            error = ImageReferenceError.NameEmpty;
            return false;
        }

        var repository = s.ToString();
        if (repository.Any(char.IsAsciiLetterUpper))
        {
            error = ImageReferenceError.NameContainsUppercase;
            return false;
        }

        if (registry.IsDockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        error = default;
        result = new ImageReference(registry, repository, tag, digest);
        return true;
    }

    public static string Explain(ReadOnlySpan<char> s, ImageReferenceError error)
        => $"'{s}' is not a valid image reference ({error}).";
}
