using System.Buffers;
using System.Text;

namespace Registries.Core;

// Docker's reference grammar (github.com/distribution/reference, ParseNormalizedNamed) as a scanner over a span.
// No regular expression, no allocation. The character view lets the same code run over the input as it is and over
// its lowercase form, which Docker tries to tell "uppercase" from "malformed".
internal static class ReferenceGrammar
{
    public const string LibraryPrefix = "library/";
    public const int MaxPathLength = 255;
    public const int MaxTagLength = 128;
    public const int MinDigestHexLength = 32;

    // Vectorized runs for the input as it is; the lowercase view (an error path) goes character by character.
    private static readonly SearchValues<char> LowerAlphanumerics = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");
    private static readonly SearchValues<char> TagChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    public interface ICharView
    {
        static abstract char Map(char c);
    }

    public struct AsIs : ICharView
    {
        public static char Map(char c) => c;
    }

    // Go's strings.ToLower, as far as the ASCII grammar can tell: ASCII letters, and the two non-ASCII letters whose
    // simple lowercase is ASCII (U+0130 'İ' to 'i', U+212A KELVIN SIGN to 'k').
    public struct Lowered : ICharView
    {
        public static char Map(char c) => c switch
        {
            >= 'A' and <= 'Z' => (char)(c | 0x20),
            '\u0130' => 'i',
            '\u212A' => 'k',
            _ => c,
        };
    }

    public static ReferenceProblem Split(ReadOnlySpan<char> s, out ReferenceParts parts)
    {
        parts = default;
        parts.TagStart = -1;
        parts.TagEnd = -1;
        parts.DigestStart = -1;
        parts.AlgorithmEnd = -1;
        var slash = s.IndexOf('/');
        parts.Slash = slash;
        if (slash < 0)
        {
            parts.Kind = DomainKind.NoSlash;
            parts.IsDockerHub = true;
            parts.LibraryPrefix = true;
            return ReferenceProblem.None;
        }

        var first = s[..slash];
        if (first.SequenceEqual("localhost"))
        {
            parts.Kind = DomainKind.Explicit;
            parts.RemainderStart = slash + 1;
        }
        else if (first.SequenceEqual("index.docker.io"))
        {
            parts.Kind = DomainKind.LegacyDockerHub;
            parts.IsDockerHub = true;
            parts.RemainderStart = slash + 1;
        }
        else if (first.IndexOfAny('.', ':') >= 0 || HasUppercase(first))
        {
            parts.Kind = DomainKind.Explicit;
            parts.IsDockerHub = first.SequenceEqual("docker.io");
            parts.RemainderStart = slash + 1;
        }
        else
        {
            parts.Kind = DomainKind.DockerHubPath;
            parts.IsDockerHub = true;
        }

        return ReferenceProblem.None;
    }

    // Runs the grammar over the reference with the domain decision already made by Split.
    public static ReferenceProblem Scan<TView>(ReadOnlySpan<char> s, ref ReferenceParts parts, out int at)
        where TView : struct, ICharView
    {
        at = 0;
        parts.PathStart = parts.RemainderStart;
        parts.Domainless = false;
        if (parts.Kind == DomainKind.Explicit)
        {
            var domain = s[..parts.Slash];
            var problem = ScanDomain<TView>(domain, out at);
            if (problem != ReferenceProblem.None)
            {
                // Docker's regular expression falls back to reading the whole name as a path when the first component
                // is not a host but is a valid path component ("foo_bar.com/app"): the name then has no domain at all.
                if (ScanPathComponent<TView>(domain, 0, out var end) == ReferenceProblem.None && end == domain.Length)
                {
                    parts.Domainless = true;
                    parts.PathStart = 0;
                }
                else
                {
                    return problem;
                }
            }
        }

        return ScanRemainder<TView>(s, ref parts, out at);
    }

    public static ReferenceProblem ScanDomain<TView>(ReadOnlySpan<char> d, out int at)
        where TView : struct, ICharView
    {
        at = 0;
        var i = 0;
        if (d.IsEmpty)
        {
            return ReferenceProblem.DomainInvalid;
        }

        if (d[0] == '[')
        {
            i = 1;
            while (i < d.Length && (char.IsAsciiHexDigit(TView.Map(d[i])) || d[i] == ':'))
            {
                i++;
            }

            if (i == 1 || i >= d.Length || d[i] != ']')
            {
                at = i;
                return ReferenceProblem.IPv6Invalid;
            }

            i++;
        }
        else
        {
            while (true)
            {
                if (i >= d.Length || !char.IsAsciiLetterOrDigit(TView.Map(d[i])))
                {
                    at = i;
                    return ReferenceProblem.DomainInvalid;
                }

                i++;
                while (i < d.Length && (char.IsAsciiLetterOrDigit(TView.Map(d[i])) || d[i] == '-'))
                {
                    i++;
                }

                if (d[i - 1] == '-')
                {
                    at = i - 1;
                    return ReferenceProblem.DomainInvalid;
                }

                if (i < d.Length && d[i] == '.')
                {
                    i++;
                    continue;
                }

                break;
            }
        }

        if (i == d.Length)
        {
            return ReferenceProblem.None;
        }

        if (d[i] != ':')
        {
            at = i;
            return ReferenceProblem.DomainInvalid;
        }

        var portStart = ++i;
        while (i < d.Length && char.IsAsciiDigit(d[i]))
        {
            i++;
        }

        if (i == portStart || i != d.Length)
        {
            at = i;
            return ReferenceProblem.PortInvalid;
        }

        return ReferenceProblem.None;
    }

    // One path component: [a-z0-9]+ joined by '.', '_', '__' or runs of '-'.
    public static ReferenceProblem ScanPathComponent<TView>(ReadOnlySpan<char> s, int i, out int end)
        where TView : struct, ICharView
    {
        if (i >= s.Length || !IsLowerAlphanumeric(TView.Map(s[i])))
        {
            end = i;
            return i >= s.Length || s[i] is '/' or ':' or '@' ? ReferenceProblem.ComponentEmpty : ProblemAt<TView>(s[i]);
        }

        i++;
        while (i < s.Length)
        {
            var c = TView.Map(s[i]);
            if (IsLowerAlphanumeric(c))
            {
                i = SkipRun<TView>(s, i + 1, LowerAlphanumerics, IsLowerAlphanumeric);
                continue;
            }

            var separatorStart = i;
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

            if (i >= s.Length || !IsLowerAlphanumeric(TView.Map(s[i])))
            {
                if (i < s.Length && !IsSeparatorOrDelimiter(s[i]))
                {
                    end = i;
                    return ProblemAt<TView>(s[i]);
                }

                end = separatorStart;
                return ReferenceProblem.SeparatorMisplaced;
            }
        }

        end = i;
        return ReferenceProblem.None;
    }

    private static ReferenceProblem ScanRemainder<TView>(ReadOnlySpan<char> s, ref ReferenceParts parts, out int at)
        where TView : struct, ICharView
    {
        var i = parts.PathStart;
        var components = 0;
        while (true)
        {
            var problem = ScanPathComponent<TView>(s, i, out i);
            if (problem != ReferenceProblem.None)
            {
                at = i;
                return problem;
            }

            components++;
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

        if (i < s.Length && s[i] == ':')
        {
            i++;
            parts.TagStart = i;
            if (i >= s.Length || !IsWordChar(TView.Map(s[i])))
            {
                at = i;
                return i >= s.Length || s[i] == '@' ? ReferenceProblem.TagEmpty : ReferenceProblem.TagInvalidChar;
            }

            i++;
            i = SkipRun<TView>(s, i, TagChars, IsTagChar);

            parts.TagEnd = i;
            if (i - parts.TagStart > MaxTagLength)
            {
                at = parts.TagStart;
                return ReferenceProblem.TagTooLong;
            }

            if (i < s.Length && s[i] != '@')
            {
                at = i;
                return ReferenceProblem.TagInvalidChar;
            }
        }

        if (i < s.Length && s[i] == '@')
        {
            i++;
            parts.DigestStart = i;
            while (true)
            {
                if (i >= s.Length || !char.IsAsciiLetter(TView.Map(s[i])))
                {
                    at = i;
                    return ReferenceProblem.DigestMalformed;
                }

                i++;
                while (i < s.Length && char.IsAsciiLetterOrDigit(TView.Map(s[i])))
                {
                    i++;
                }

                if (i < s.Length && s[i] is '-' or '_' or '+' or '.')
                {
                    i++;
                    continue;
                }

                break;
            }

            if (i >= s.Length || s[i] != ':')
            {
                at = i;
                return ReferenceProblem.DigestMalformed;
            }

            parts.AlgorithmEnd = i;
            var hexStart = ++i;
            i = SkipRun<TView>(s, i, HexDigits, char.IsAsciiHexDigit);

            if (i < s.Length || i - hexStart < MinDigestHexLength)
            {
                at = i;
                return ReferenceProblem.DigestMalformed;
            }
        }

        at = i;
        return i == s.Length ? ReferenceProblem.None : ReferenceProblem.UnexpectedChar;
    }

    // The checks Docker makes after its regular expression matched, in Docker's order.
    public static ReferenceProblem Validate(ReadOnlySpan<char> s, in ReferenceParts parts, out int at)
    {
        at = 0;
        if (parts.Kind == DomainKind.NoSlash && s.Length == 64 && IsLowerHex(s))
        {
            return ReferenceProblem.ImageId;
        }

        // Docker checks the remote name up to the first ':' for uppercase before anything else; without a tag that
        // stretch runs into the digest's algorithm.
        if (parts.HasDigest && !parts.HasTag && HasUppercase(s[parts.DigestStart..parts.AlgorithmEnd]))
        {
            at = parts.DigestStart;
            return ReferenceProblem.DigestAlgorithmUppercase;
        }

        if (parts.PathLength > MaxPathLength)
        {
            at = parts.PathStart;
            return ReferenceProblem.NameTooLong;
        }

        if (parts.HasDigest)
        {
            var problem = ValidateDigest(s[parts.DigestStart..], parts.AlgorithmEnd - parts.DigestStart, out var offset);
            if (problem != ReferenceProblem.None)
            {
                at = parts.DigestStart + offset;
                return problem;
            }
        }

        if (parts.Domainless)
        {
            at = s[..parts.Slash].IndexOf('_');
            return ReferenceProblem.DomainWithUnderscore;
        }

        if (parts.Kind == DomainKind.Explicit && !TryParsePort(s[..parts.Slash], out _))
        {
            at = s[..parts.Slash].LastIndexOf(':') + 1;
            return ReferenceProblem.PortTooLarge;
        }

        return ReferenceProblem.None;
    }

    // go-digest's rules for the digests Docker can verify: sha256, sha384 and sha512 in lowercase hex.
    public static ReferenceProblem ValidateDigest(ReadOnlySpan<char> digest, int colon, out int at)
    {
        at = 0;
        var algorithm = digest[..colon];
        var hex = digest[(colon + 1)..];
        var expected = ExpectedHexLength(algorithm);
        if (expected == 0)
        {
            return ReferenceProblem.DigestUnsupportedAlgorithm;
        }

        at = colon + 1;
        if (hex.Length != expected)
        {
            return ReferenceProblem.DigestWrongLength;
        }

        var bad = hex.IndexOfAnyExcept("0123456789abcdef");
        if (bad >= 0)
        {
            at += bad;
            return char.IsAsciiHexDigit(hex[bad]) ? ReferenceProblem.DigestUppercaseHex : ReferenceProblem.DigestMalformed;
        }

        return ReferenceProblem.None;
    }

    public static int ExpectedHexLength(ReadOnlySpan<char> algorithm)
        => algorithm.SequenceEqual("sha256") ? 64
            : algorithm.SequenceEqual("sha384") ? 96
            : algorithm.SequenceEqual("sha512") ? 128
            : 0;

    // A well-formed digest (the grammar's algorithm:hex, 32 hex digits or more).
    public static bool IsWellFormedDigest(ReadOnlySpan<char> digest, out int colon)
    {
        colon = -1;
        var i = 0;
        while (true)
        {
            if (i >= digest.Length || !char.IsAsciiLetter(digest[i]))
            {
                return false;
            }

            i++;
            while (i < digest.Length && char.IsAsciiLetterOrDigit(digest[i]))
            {
                i++;
            }

            if (i < digest.Length && digest[i] is '-' or '_' or '+' or '.')
            {
                i++;
                continue;
            }

            break;
        }

        if (i >= digest.Length || digest[i] != ':')
        {
            return false;
        }

        colon = i;
        var hex = digest[(i + 1)..];
        return hex.Length >= MinDigestHexLength && !hex.ContainsAnyExcept("0123456789abcdefABCDEF");
    }

    public static bool IsValidTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxTagLength || !IsWordChar(tag[0]))
        {
            return false;
        }

        foreach (var c in tag[1..])
        {
            if (!IsTagChar(c))
            {
                return false;
            }
        }

        return true;
    }

    // The port as a number; Docker's grammar takes any run of digits, this library stops at int.MaxValue.
    public static bool TryParsePort(ReadOnlySpan<char> domain, out int? port)
    {
        port = null;
        var colon = domain[0] == '[' ? domain.IndexOf(']') + 1 : domain.IndexOf(':');
        if (colon <= 0 || colon >= domain.Length || domain[colon] != ':')
        {
            return true;
        }

        long value = 0;
        foreach (var c in domain[(colon + 1)..])
        {
            value = (value * 10) + (c - '0');
            if (value > int.MaxValue)
            {
                return false;
            }
        }

        port = (int)value;
        return true;
    }

    // Go's strings.ToLower(x) != x: any letter that lowercasing changes, ASCII or not.
    public static bool HasUppercase(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < 0x80)
            {
                if (char.IsAsciiLetterUpper(c))
                {
                    return true;
                }

                continue;
            }

            if (Rune.DecodeFromUtf16(s[i..], out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                if (rune.Value == 0x130 || Rune.ToLowerInvariant(rune) != rune)
                {
                    return true;
                }

                i += consumed - 1;
            }
        }

        return false;
    }

    // The stretch Docker checks for uppercase: the remote name up to the first ':'.
    public static ReadOnlySpan<char> UppercaseRegion(ReadOnlySpan<char> s, in ReferenceParts parts)
    {
        var remainder = s[parts.RemainderStart..];
        var colon = remainder.IndexOf(':');
        return colon >= 0 ? remainder[..colon] : remainder;
    }

    // The index of the first character at or after i that is not in the set.
    private static int SkipRun<TView>(ReadOnlySpan<char> s, int i, SearchValues<char> set, Func<char, bool> isMember)
        where TView : struct, ICharView
    {
        if (typeof(TView) == typeof(AsIs))
        {
            var end = s[i..].IndexOfAnyExcept(set);
            return end < 0 ? s.Length : i + end;
        }

        while (i < s.Length && isMember(TView.Map(s[i])))
        {
            i++;
        }

        return i;
    }

    public static bool IsLowerAlphanumeric(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c);

    public static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    public static bool IsTagChar(char c) => IsWordChar(c) || c == '.' || c == '-';

    private static bool IsLowerHex(ReadOnlySpan<char> s) => !s.ContainsAnyExcept("0123456789abcdef");

    private static bool IsSeparatorOrDelimiter(char c) => c is '.' or '_' or '-' or '/' or ':' or '@';

    private static ReferenceProblem ProblemAt<TView>(char c)
        where TView : struct, ICharView
    {
        var mapped = TView.Map(c);
        return char.IsAsciiLetterUpper(mapped) || (c >= 0x80 && HasUppercase([c]))
            ? ReferenceProblem.UppercaseInName
            : c is '.' or '_' or '-' ? ReferenceProblem.SeparatorMisplaced
            : ReferenceProblem.NameInvalidChar;
    }
}
