namespace Registries.Core;

// A single forward pass over the commonest shape of a valid reference: ASCII, an optional host[:port] registry
// (no IPv6 literal), lowercase path components, an optional tag and an optional sha256/sha384/sha512 digest. It
// answers only "valid, with these parts" or "not sure": anything it does not read on its own (uppercase in the name,
// a bad character, an IPv6 registry, a 64-hex name, a long path or port) goes to the full grammar, which gives the
// exact answer. So the grammar stays the one definition of what is valid, and this pass never refuses anything.
internal static class ReferenceFastPath
{
    private const byte LowerAlphanumeric = 1;
    private const byte HostChar = 2;
    private const byte TagChar = 4;
    private const byte WordChar = 8;
    private const byte Upper = 16;
    private const byte LowerHex = 32;

    // The class of each ASCII character, by the flags above: digits and a-f are 47 (every flag but Upper), g-z 15,
    // A-Z 30 (HostChar, TagChar, WordChar, Upper).
    private static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,

        // ' ' ! " # $ % & ' ( ) * + , - . /
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, TagChar, TagChar, 0,

        // 0-9
        47, 47, 47, 47, 47, 47, 47, 47, 47, 47,

        // : ; < = > ? @
        0, 0, 0, 0, 0, 0, 0,

        // A-Z
        30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30,

        // [ \ ] ^ _ `
        0, 0, 0, 0, TagChar | WordChar, 0,

        // a-f, g-z
        47, 47, 47, 47, 47, 47, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,

        // { | } ~ DEL
        0, 0, 0, 0, 0,
    ];

    public static bool TryScan(ReadOnlySpan<char> s, out ReferenceParts parts)
    {
        parts = default;
        parts.TagStart = -1;
        parts.TagEnd = -1;
        parts.DigestStart = -1;
        parts.AlgorithmEnd = -1;
        parts.Slash = -1;

        // The first component: a registry when it has '.' or ':', is "localhost", or has an uppercase letter.
        var i = 0;
        var dotOrColon = false;
        var upper = false;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '/')
            {
                break;
            }

            if (c >= 0x80)
            {
                return false;
            }

            dotOrColon |= c is '.' or ':';
            upper |= (Classes[c] & Upper) != 0;
            i++;
        }

        if (i == s.Length)
        {
            // No '/': a Docker Hub name that gets "library/"; a 64-digit hex string would be an image ID.
            if (s.Length == 64)
            {
                return false;
            }

            parts.Kind = DomainKind.NoSlash;
            parts.IsDockerHub = true;
            parts.LibraryPrefix = true;
            return ScanRemainder(s, 0, ref parts);
        }

        parts.Slash = i;
        var first = s[..i];
        if (first.SequenceEqual("index.docker.io"))
        {
            parts.Kind = DomainKind.LegacyDockerHub;
            parts.IsDockerHub = true;
        }
        else if (dotOrColon || upper || first.SequenceEqual("localhost"))
        {
            if (!IsHost(first))
            {
                return false;
            }

            parts.Kind = DomainKind.Explicit;
            parts.IsDockerHub = first.SequenceEqual("docker.io");
        }
        else
        {
            parts.Kind = DomainKind.DockerHubPath;
            parts.IsDockerHub = true;
            return ScanRemainder(s, 0, ref parts);
        }

        parts.RemainderStart = i + 1;
        return ScanRemainder(s, i + 1, ref parts);
    }

    // host[:port]: labels of letters, digits and inner '-' between dots, then at most nine digits of port (so it is
    // below int.MaxValue without a check). An IPv6 literal goes to the full grammar.
    private static bool IsHost(ReadOnlySpan<char> d)
    {
        var i = 0;
        while (true)
        {
            if (i >= d.Length || (Classes[d[i]] & HostChar) == 0)
            {
                return false;
            }

            i++;
            while (i < d.Length && ((Classes[d[i]] & HostChar) != 0 || d[i] == '-'))
            {
                i++;
            }

            if (d[i - 1] == '-')
            {
                return false;
            }

            if (i < d.Length && d[i] == '.')
            {
                i++;
                continue;
            }

            break;
        }

        if (i == d.Length)
        {
            return true;
        }

        if (d[i] != ':')
        {
            return false;
        }

        var digits = d.Length - i - 1;
        if (digits is 0 or > 9)
        {
            return false;
        }

        for (i++; i < d.Length; i++)
        {
            if (!char.IsAsciiDigit(d[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ScanRemainder(ReadOnlySpan<char> s, int i, ref ReferenceParts parts)
    {
        parts.PathStart = i;
        var components = 0;
        while (true)
        {
            if ((uint)i >= (uint)s.Length || !IsLowerAlphanumeric(s[i]))
            {
                return false;
            }

            i++;
            components++;
            while ((uint)i < (uint)s.Length)
            {
                var c = s[i];
                if (IsLowerAlphanumeric(c))
                {
                    i++;
                    continue;
                }

                if (c == '.')
                {
                    i++;
                }
                else if (c == '_')
                {
                    i++;
                    if (i < s.Length && s[i] == '_')
                    {
                        i++;
                    }
                }
                else if (c == '-')
                {
                    do
                    {
                        i++;
                    }
                    while (i < s.Length && s[i] == '-');
                }
                else
                {
                    break;
                }

                if ((uint)i >= (uint)s.Length || !IsLowerAlphanumeric(s[i]))
                {
                    return false;
                }

                i++;
            }

            if (i < s.Length && s[i] == '/')
            {
                i++;
                continue;
            }

            break;
        }

        parts.PathEnd = i;
        parts.Components = components;
        parts.LibraryPrefix = parts.Kind == DomainKind.NoSlash
            || (parts.IsDockerHub && parts.Kind != DomainKind.DockerHubPath && components == 1);
        if (parts.PathLength > ReferenceGrammar.MaxPathLength)
        {
            return false;
        }

        if (i < s.Length && s[i] == ':')
        {
            i++;
            parts.TagStart = i;
            if (i >= s.Length || s[i] >= 0x80 || (Classes[s[i]] & WordChar) == 0)
            {
                return false;
            }

            i++;
            while (i < s.Length && s[i] < 0x80 && (Classes[s[i]] & TagChar) != 0)
            {
                i++;
            }

            parts.TagEnd = i;
            if (i - parts.TagStart > ReferenceGrammar.MaxTagLength)
            {
                return false;
            }
        }

        if (i == s.Length)
        {
            return true;
        }

        if (s[i] != '@')
        {
            return false;
        }

        // Only the digests Docker can verify, in lowercase: anything else is for the full grammar to explain.
        var digest = s[(i + 1)..];
        var hexLength = digest.StartsWith("sha256:") ? 64
            : digest.StartsWith("sha512:") ? 128
            : digest.StartsWith("sha384:") ? 96
            : 0;
        if (hexLength == 0 || digest.Length != hexLength + 7)
        {
            return false;
        }

        foreach (var c in digest[7..])
        {
            if (c >= 0x80 || (Classes[c] & LowerHex) == 0)
            {
                return false;
            }
        }

        parts.DigestStart = i + 1;
        parts.AlgorithmEnd = i + 7;
        return true;
    }

    private static bool IsLowerAlphanumeric(char c) => c < 0x80 && (Classes[c] & LowerAlphanumeric) != 0;
}
