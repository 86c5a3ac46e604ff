using System.Buffers;
using System.Globalization;
using System.Text;

namespace Registries.Core;

// Environment names and member user names are shown in tables, terminals and pages: a control character (a newline,
// an escape sequence), an invisible formatting character (a bidi override) or a lone surrogate there would forge rows,
// hide text or break a document. They are refused when a name is given, with the position and code point, never the
// raw character, in the message.
internal static class DisplayName
{
    public static void Require(string value, string what, string parameterName)
    {
        var rest = value.AsSpan();
        var position = 0;
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            position++;
            if (status != OperationStatus.Done)
            {
                throw Refused(what, ((int)rest[0]).ToString("X4", CultureInfo.InvariantCulture), position, parameterName);
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw Refused(what, rune.Value.ToString("X4", CultureInfo.InvariantCulture), position, parameterName);
            }

            rest = rest[consumed..];
        }
    }

    private static ArgumentException Refused(string what, string codePoint, int position, string parameterName)
        => new($"{what} must not contain control or invisible formatting characters: it has U+{codePoint} at position {position.ToString(CultureInfo.InvariantCulture)}. Use visible characters only.", parameterName);
}
