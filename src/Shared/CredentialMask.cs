using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Registries.Core.Shared;

/// <summary>Hides a credential in every form it travels in, in text that came back from an engine, a registry or a
/// helper (an error message, a response body, a progress line) before that text reaches an exception message or a log.</summary>
/// <remarks>
/// <para>One implementation, linked as source into each package that sends credentials (Docker adapter, Interop), so
/// pull, verify and import mask the same forms: the clear secret; <c>user:secret</c>; the standard and URL-safe base64 of
/// both, padded and unpadded (the Basic header, the <c>auth</c> field); the secret as JSON escapes it (Newtonsoft and Go
/// style, and System.Text.Json's escaping of non-ASCII, with either hex case: the <c>X-Registry-Auth</c> JSON); its
/// percent-encoded and form-encoded forms; and any extra wire value added with <see cref="With"/> (a Bearer token).</para>
/// <para>Encoded documents that only contain the secret, such as the base64url <c>X-Registry-Auth</c> header, are found
/// by decoding every base64-looking run of the text and looking for the secret's forms in what it decodes to, so the
/// exact bytes of a serializer need not be known.</para>
/// <para>Immutable and thread-safe. Over-masking is accepted: a short secret hides every occurrence of its text.</para>
/// </remarks>
internal sealed partial class CredentialMask
{
    /// <summary>What a masked secret is replaced with.</summary>
    public const string Placeholder = "***";

    // Run of base64 / base64url characters long enough to carry a secret worth hiding.
    private const int MinimumEncodedRun = 8;

    private readonly string[] _literals;
    private readonly string[] _caseInsensitiveLiterals;
    private readonly byte[][] _decodedNeedles;

    private CredentialMask(string[] literals, string[] caseInsensitiveLiterals, byte[][] decodedNeedles)
    {
        _literals = literals;
        _caseInsensitiveLiterals = caseInsensitiveLiterals;
        _decodedNeedles = decodedNeedles;
    }

    /// <summary>Gets a mask that hides nothing (an anonymous pull).</summary>
    public static CredentialMask None { get; } = new([], [], []);

    /// <summary>Gets a value indicating whether the mask hides nothing.</summary>
    public bool IsEmpty => _literals.Length == 0;

    /// <summary>Creates the mask of a username and secret.</summary>
    /// <param name="username">The username, or <see langword="null"/>.</param>
    /// <param name="secret">The secret, or <see langword="null"/> for none.</param>
    /// <returns>The mask.</returns>
    public static CredentialMask For(string? username, string? secret) => None.With(secret, username);

    /// <summary>Returns a mask that also hides another secret (a token obtained on the way, a header value).</summary>
    /// <param name="secret">The secret; nothing is added when <see langword="null"/> or empty.</param>
    /// <param name="username">The username it goes with in <c>user:secret</c>, or <see langword="null"/>.</param>
    /// <returns>The new mask.</returns>
    public CredentialMask With(string? secret, string? username = null)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return this;
        }

        var literals = new HashSet<string>(_literals, StringComparer.Ordinal);
        var caseInsensitive = new HashSet<string>(_caseInsensitiveLiterals, StringComparer.OrdinalIgnoreCase);
        var needles = new List<byte[]>(_decodedNeedles);

        var plain = new List<string> { secret };
        if (!string.IsNullOrEmpty(username))
        {
            plain.Add(username + ":" + secret);
        }

        foreach (var text in plain)
        {
            literals.Add(text);
            foreach (var encoded in Base64Forms(Encoding.UTF8.GetBytes(text)))
            {
                literals.Add(encoded);
            }
        }

        foreach (var escaped in JsonForms(secret))
        {
            literals.Add(escaped);
            plain.Add(escaped);
        }

        // Percent-encoding has two hex cases; matching it without case covers both (and over-masks harmlessly).
        caseInsensitive.Add(Uri.EscapeDataString(secret));
        caseInsensitive.Add(WebUtility.UrlEncode(secret));

        foreach (var text in plain)
        {
            needles.Add(Encoding.UTF8.GetBytes(text));
        }

        // A registry or engine that cuts an echoed Basic value short still shows "user:" and the secret's first
        // characters once decoded: enough to hide that run too.
        if (!string.IsNullOrEmpty(username) && secret.Length > 3)
        {
            needles.Add(Encoding.UTF8.GetBytes(username + ":" + secret[..3]));
        }

        static int Longest(string a, string b) => b.Length.CompareTo(a.Length) is var c && c != 0 ? c : string.CompareOrdinal(a, b);
        var orderedLiterals = literals.Where(l => l.Length > 0).ToList();
        orderedLiterals.Sort(Longest);
        var orderedCaseInsensitive = caseInsensitive.Where(l => l.Length > 0).ToList();
        orderedCaseInsensitive.Sort(Longest);
        return new CredentialMask([.. orderedLiterals], [.. orderedCaseInsensitive], [.. needles.Where(n => n.Length > 0)]);
    }

    /// <summary>Hides every form of the secrets in a text.</summary>
    /// <param name="text">The text; <see langword="null"/> gives an empty string.</param>
    /// <returns>The text with each form replaced by <see cref="Placeholder"/>.</returns>
    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (IsEmpty)
        {
            return text;
        }

        // Encoded runs first: replacing a clear secret inside an encoded run would leave the rest of it readable.
        var result = EncodedRun().Replace(text, match => CarriesSecret(match.Value) ? Placeholder : match.Value);
        foreach (var literal in _literals)
        {
            result = result.Replace(literal, Placeholder, StringComparison.Ordinal);
        }

        foreach (var literal in _caseInsensitiveLiterals)
        {
            result = result.Replace(literal, Placeholder, StringComparison.OrdinalIgnoreCase);
        }

        return result;
    }

    /// <summary>Returns the standard and URL-safe base64 of some bytes, padded and unpadded.</summary>
    internal static IEnumerable<string> Base64Forms(byte[] bytes)
    {
        var standard = Convert.ToBase64String(bytes);
        var url = standard.Replace('+', '-').Replace('/', '_');
        return new[] { standard, standard.TrimEnd('='), url, url.TrimEnd('=') }.Distinct(StringComparer.Ordinal);
    }

    /// <summary>Returns the secret as JSON serializers escape it inside a string (without the quotes).</summary>
    private static IEnumerable<string> JsonForms(string secret)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);

        // Newtonsoft.Json (Docker.DotNet's serializer) and Go's %q/encoding/json escape quotes, backslashes and
        // control characters only (Go also <, >, & as \u003c...).
        var minimal = new StringBuilder(secret.Length + 8);
        var go = new StringBuilder(secret.Length + 8);
        foreach (var c in secret)
        {
            var escape = c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => null,
            };
            minimal.Append(escape ?? c.ToString());
            go.Append(escape ?? (c is '<' or '>' or '&' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString()));
        }

        forms.Add(minimal.ToString());
        forms.Add(go.ToString());
        foreach (var encoder in new[] { JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
        {
            // What a JSON writer with this encoder writes between the quotes (no reflection: the helpers are native).
            var inner = JsonEncodedText.Encode(secret, encoder).Value;
            forms.Add(inner);
            forms.Add(HexEscape().Replace(inner, m => m.Value.ToLowerInvariant()));
        }

        forms.Remove(secret);
        return forms;
    }

    private bool CarriesSecret(string run)
    {
        var trimmed = run.TrimEnd('=');
        var standard = trimmed.Replace('-', '+').Replace('_', '/');

        // The run may begin mid-way through an encoding (glued to other base64 characters): try each alignment.
        for (var offset = 0; offset < 4 && trimmed.Length - offset >= MinimumEncodedRun - 2; offset++)
        {
            if (Decode(standard[offset..]) is { } bytes && _decodedNeedles.Any(n => bytes.AsSpan().IndexOf(n) >= 0))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[]? Decode(string unpadded)
    {
        var usable = unpadded.Length % 4 == 1 ? unpadded[..^1] : unpadded;
        var padded = usable.PadRight(usable.Length + ((4 - (usable.Length % 4)) % 4), '=');
        var buffer = new byte[(padded.Length / 4) * 3];
        return Convert.TryFromBase64String(padded, buffer, out var written) ? buffer[..written] : null;
    }

    [GeneratedRegex("[A-Za-z0-9+/_-]{8,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex EncodedRun();

    [GeneratedRegex("\\\\u[0-9A-F]{4}", RegexOptions.CultureInvariant)]
    private static partial Regex HexEscape();
}
