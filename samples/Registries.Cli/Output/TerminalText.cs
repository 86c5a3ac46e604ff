using System.Buffers;
using System.Globalization;
using System.Text;

namespace Registries.Cli.Output;

// Makes a string that the CLI did not write itself (a name, a username, a certificate subject chosen by a server, an
// error message that quotes user input) safe for one terminal line or one table cell. A control character could
// move the cursor, erase the line the operator is reading (the fingerprint `trust` prints) or start a fake row; a
// bidirectional override could make the line read differently from what it holds. Each such character is shown as a
// visible escape instead: \n, \r, \t, \xHH (other C0 and C1 controls, DEL, ESC), \uHHHH (bidi controls, line and
// paragraph separators). Everything else, backslashes included, is left as it is, so escaping twice changes nothing.
internal static class TerminalText
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(UnsafeCharacters());

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!Unsafe.Contains(c))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                <= '\u00FF' => @"\x" + ((int)c).ToString("X2", CultureInfo.InvariantCulture),
                _ => @"\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
            });
        }

        return escaped.ToString();
    }

    // In a JSON document every one of these may only appear inside a string; control characters, DEL, C1 and the line
    // separators are already escaped by the serializer, the bidirectional controls are not. Replacing each by its
    // \uHHHH escape keeps the document valid and its values identical, while a person reading it on a terminal sees
    // the characters instead of their effect.
    public static string EscapeJson(string json)
    {
        if (json.AsSpan().IndexOfAny(Unsafe) < 0)
        {
            return json;
        }

        var escaped = new StringBuilder(json.Length + 16);
        foreach (var c in json)
        {
            if (c is not ('\n' or '\r' or '\t' or ' ') && Unsafe.Contains(c))
            {
                escaped.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static string UnsafeCharacters()
    {
        var characters = new StringBuilder();
        for (var c = '\0'; c < ' '; c++)
        {
            characters.Append(c);
        }

        for (var c = '\u007F'; c <= '\u009F'; c++)
        {
            characters.Append(c);
        }

        // Bidirectional controls: the Arabic letter mark, LRM and RLM, the embeddings and overrides, the isolates.
        characters.Append('\u061C').Append('\u200E').Append('\u200F');
        for (var c = '\u202A'; c <= '\u202E'; c++)
        {
            characters.Append(c);
        }

        for (var c = '\u2066'; c <= '\u2069'; c++)
        {
            characters.Append(c);
        }

        // Line and paragraph separators: some terminals and most editors start a new line there.
        return characters.Append('\u2028').Append('\u2029').ToString();
    }
}
