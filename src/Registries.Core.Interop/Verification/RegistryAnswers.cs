using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>Reads what a registry or a token realm answered, bounded and cleaned, for every client of this package
/// that talks to registries (the verifier, the identity-token source).</summary>
internal static class RegistryAnswers
{
    /// <summary>The longest server message kept in a message of ours.</summary>
    public const int MaxMessageLength = 300;

    /// <summary>Describes a status: <c>401 Unauthorized</c>.</summary>
    public static string Describe(HttpResponseMessage response)
        => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + Clean(response.ReasonPhrase));

    /// <summary>Reads at most <paramref name="maxBytes"/> of a body as UTF-8, dropping the rest.</summary>
    public static async Task<string> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
        => (await ReadAtMostAsync(response, maxBytes, cancellationToken).ConfigureAwait(false)).Text;

    /// <summary>Reads at most <paramref name="maxBytes"/> of a body as UTF-8, and tells whether there was more.</summary>
    public static async Task<(string Text, bool Overflowed)> ReadAtMostAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // One byte more than allowed tells a body at the limit from one beyond it.
            var buffer = new byte[maxBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            var overflowed = total > maxBytes;
            return (Encoding.UTF8.GetString(buffer, 0, Math.Min(total, maxBytes)), overflowed);
        }
    }

    /// <summary>Reads what a registry or token server says: the v2 <c>errors</c> array, or
    /// <c>details</c>/<c>error_description</c>/<c>error</c>/<c>message</c>, or the text; one line without control
    /// characters, at most <see cref="MaxMessageLength"/> characters. Mask secrets in <paramref name="body"/> first: a
    /// cut would leave part of an encoded secret unrecognizable.</summary>
    public static string? Message(string body)
    {
        var text = body.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                {
                    var parts = errors.EnumerateArray()
                        .Where(e => e.ValueKind == JsonValueKind.Object)
                        .Select(e => string.Join(": ", new[] { StringOf(e, "code"), StringOf(e, "message") }.Where(s => !string.IsNullOrEmpty(s))))
                        .Where(s => s.Length > 0)
                        .ToArray();
                    if (parts.Length > 0)
                    {
                        return Shorten(string.Join("; ", parts));
                    }
                }

                // OAuth2 (RFC 6749 5.2) says error and error_description: both say more than either.
                if (StringOf(root, "error") is { Length: > 0 } error && StringOf(root, "error_description") is { Length: > 0 } description)
                {
                    return Shorten(error + ": " + description);
                }

                foreach (var name in (ReadOnlySpan<string>)["details", "error_description", "error", "message"])
                {
                    if (StringOf(root, name) is { Length: > 0 } value)
                    {
                        return Shorten(value);
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return Shorten(text);
    }

    /// <summary>Returns text as one line: control characters become spaces.</summary>
    public static string Clean(string text)
        => string.Create(text.Length, text, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? ' ' : s[i];
            }
        });

    private static string? StringOf(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string text)
    {
        var clean = Clean(text);
        return clean.Length <= MaxMessageLength ? clean : clean[..MaxMessageLength] + "...";
    }
}
