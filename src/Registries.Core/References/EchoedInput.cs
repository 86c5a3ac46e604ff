using System.Globalization;
using System.Text;

namespace Registries.Core;

// How the parsers show a caller's input in their messages. Input is untrusted and ends up on terminals and in logs:
// every character that could hide, move or rewrite text there is escaped, a huge input is cut short, and the
// user-info part of a URL-like input (which may hold a password) is never shown, in any form.
internal static class EchoedInput
{
    // How many characters of escaped text a message shows of one input: more than the longest reference Docker
    // accepts with a registry of ordinary length (a 255-character path, a 128-character tag, a sha512 digest).
    public const int MaxShownLength = 1024;

    // The stand-in for a user-info part.
    public const string Redacted = "***";

    // The schemes that a pasted registry or image URL starts with.
    private static readonly string[] KnownSchemes = ["https", "http", "docker", "oci", "ssh", "tcp", "unix"];

    // The one function that turns untrusted text into what a message shows: quoted, escaped, capped.
    // Escapes, all visible and unambiguous ('\' and the quote are escaped too): \n \r \t; \xHH for the other C0
    // controls, DEL and the C1 controls (ESC is \x1B); \uHHHH (\UHHHHHHHH above the BMP) for format characters
    // (bidirectional marks, embeddings, overrides and isolates, zero-width characters, BOM, tag characters), line and
    // paragraph separators, spaces other than ' ', lone surrogates, private-use and unassigned code points, and the
    // invisible fillers and variation selectors that render as nothing.
    public static string Quote(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxShownLength) + 16).Append('\'');
        var i = 0;
        while (i < text.Length)
        {
            if (builder.Length > MaxShownLength)
            {
                return builder.Append("\u2026' (")
                    .Append(text.Length.ToString(CultureInfo.InvariantCulture))
                    .Append(" characters in all, cut short)")
                    .ToString();
            }

            if (Rune.DecodeFromUtf16(text[i..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                // A lone surrogate: shown by its code unit.
                AppendCode(builder, text[i]);
                i++;
                continue;
            }

            Append(builder, rune);
            i += consumed;
        }

        return builder.Append('\'').ToString();
    }

    private static void Append(StringBuilder builder, Rune rune)
    {
        var value = rune.Value;
        switch (value)
        {
            case '\n':
                builder.Append("\\n");
                return;
            case '\r':
                builder.Append("\\r");
                return;
            case '\t':
                builder.Append("\\t");
                return;
            case '\\':
                builder.Append("\\\\");
                return;
            case '\'':
                builder.Append("\\'");
                return;
            case < 0x20 or (>= 0x7F and <= 0x9F):
                builder.Append("\\x").Append(value.ToString("X2", CultureInfo.InvariantCulture));
                return;
            case < 0x7F:
                builder.Append((char)value);
                return;
            default:
                break;
        }

        if (IsHidden(rune))
        {
            AppendCode(builder, value);
        }
        else
        {
            builder.Append(rune.ToString());
        }
    }

    private static bool IsHidden(Rune rune)
    {
        var value = rune.Value;
        if (value is 0x034F or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or 0x2800 or 0x3164 or 0xFFA0
            or (>= 0x180B and <= 0x180F) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF))
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator or UnicodeCategory.Control
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    private static void AppendCode(StringBuilder builder, int value)
        => builder.Append(value > 0xFFFF ? "\\U" : "\\u").Append(value.ToString(value > 0xFFFF ? "X8" : "X4", CultureInfo.InvariantCulture));

    // Finds the user-info part ("user:password@") of a URL-like input; start is its first character, at is the '@'
    // that ends it. The authority of a URL ends at the LAST '@' after the scheme, because a password may itself hold
    // '/', '@', ':', '?' or '#'. An image reference may end with "@digest": when digests is true, a last '@' followed
    // by what can only be a digest (no '/'; after a scheme the full "algorithm:hex" form, without one anything with a
    // ':' that is not a port, or nothing) is the digest's, and the user info, if any, ends at an '@' before it.
    // In an image reference without a scheme, a '/' before the '@' normally means the '@' is in the path
    // ("team/app@bad"); it is still user info when what follows the '@' is a host with a path or port, or when the
    // part before the '/' is "user:pass" rather than "host:port". (What stays ambiguous, and is shown: no scheme, a
    // password of up to five digits and a '/', and a bare host after the '@', "user:12/x@host", which reads exactly
    // as the reference "registry:12/x" with the malformed digest "host".) A registry address has no digest and no
    // path worth keeping, so for it the last '@' always ends the user info. All of this errs on the side of hiding:
    // an odd input may lose more than its user info from the message, never less.
    public static bool TryFindUserInfo(ReadOnlySpan<char> s, bool digests, out int start, out int at)
    {
        var scheme = SchemeLength(s);
        start = scheme;
        var body = s[scheme..];
        var found = body.LastIndexOf('@');
        var next = body.Length;
        while (found >= 0 && digests && IsDigestTail(body[(found + 1)..next], scheme > 0))
        {
            // "name@digest", or a repeated "@digest": each is a digest's '@', not the end of a user info.
            next = found;
            found = body[..found].LastIndexOf('@');
        }

        at = -1;
        if (found < 0)
        {
            return false;
        }

        if (scheme == 0 && digests)
        {
            var head = body[..found];
            var tail = body[(found + 1)..];
            if (head.StartsWith('['))
            {
                // "[fe80::1%@zone]": a bracketed IPv6 address with a zone, not a user name.
                return false;
            }

            var slash = head.IndexOf('/');
            if (slash >= 0 && tail.IndexOf('/') < 0 && !EndsWithPort(tail) && !HasPasswordSeparator(head[..slash]))
            {
                return false;
            }
        }

        at = scheme + found;
        return true;
    }

    // The input with its user-info part replaced by "***" (unchanged when it has none).
    public static string Redact(ReadOnlySpan<char> s, bool digests)
        => TryFindUserInfo(s, digests, out var start, out var at)
            ? string.Concat(s[..start], Redacted, s[at..])
            : s.ToString();

    // The length of "scheme://" at the start (0 when there is none). Only the schemes people paste registries and
    // images with count: "user://secret@host" (a password that starts with "//") is syntactically a URL with the
    // scheme "user", so any other scheme is taken as part of the user info and hidden with it.
    public static int SchemeLength(ReadOnlySpan<char> s)
    {
        var separator = s.IndexOf("://");
        if (separator <= 0)
        {
            return 0;
        }

        var scheme = s[..separator];
        foreach (var known in KnownSchemes)
        {
            if (scheme.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return separator + 3;
            }
        }

        return 0;
    }

    private static bool IsDigestTail(ReadOnlySpan<char> tail, bool afterScheme)
    {
        if (tail.IndexOf('/') >= 0)
        {
            return false;
        }

        if (afterScheme)
        {
            return ReferenceGrammar.IsWellFormedDigest(tail, out _);
        }

        return tail.IsEmpty || (tail.IndexOf(':') >= 0 && !EndsWithPort(tail));
    }

    // "host:5000": a ':' followed by one to five digits and nothing else.
    private static bool EndsWithPort(ReadOnlySpan<char> s)
    {
        var colon = s.LastIndexOf(':');
        return colon >= 0 && IsPort(s[(colon + 1)..]);
    }

    // "user:secret" rather than "host:5000": a ':' followed by something that is not a port number.
    private static bool HasPasswordSeparator(ReadOnlySpan<char> s)
    {
        var colon = s.IndexOf(':');
        return colon >= 0 && !IsPort(s[(colon + 1)..]);
    }

    private static bool IsPort(ReadOnlySpan<char> s) => s.Length is >= 1 and <= 5 && !s.ContainsAnyExceptInRange('0', '9');
}
