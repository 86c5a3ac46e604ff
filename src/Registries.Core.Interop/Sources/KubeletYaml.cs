using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registries.Core.Interop;

/// <summary>A node of a kubelet configuration document: a mapping, a sequence or a scalar, with the line it starts on.</summary>
internal abstract class ConfigNode(int line)
{
    public int Line { get; } = line;
}

/// <summary>A mapping, in document order; keys are unique.</summary>
internal sealed class ConfigMapping(int line, IReadOnlyList<(string Key, int Line, ConfigNode Value)> entries) : ConfigNode(line)
{
    public IReadOnlyList<(string Key, int Line, ConfigNode Value)> Entries { get; } = entries;
}

/// <summary>A sequence.</summary>
internal sealed class ConfigSequence(int line, IReadOnlyList<ConfigNode> items) : ConfigNode(line)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;
}

/// <summary>A scalar (null for an empty value or YAML's <c>null</c>/<c>~</c> unquoted).</summary>
internal sealed class ConfigScalar(int line, string? value) : ConfigNode(line)
{
    public string? Value { get; } = value;
}

/// <summary>A document that is not valid in the accepted language; the message names the line.</summary>
internal sealed class ConfigSyntaxException(string message) : Exception(message);

/// <summary>Reads a kubelet <c>CredentialProviderConfig</c> document: JSON, or the strict YAML subset kubelet configuration
/// files are written in.</summary>
/// <remarks>
/// <para>The YAML subset: block mappings (<c>key: value</c>) and block sequences (<c>- item</c>, also of mappings)
/// indented with spaces; one-line flow sequences of scalars (<c>[a, "b"]</c>); plain, single-quoted and double-quoted
/// scalars; comments; a leading <c>---</c>. Refused, with the line: tabs in indentation, anchors and aliases (a plain
/// value starting with <c>*</c> is an alias in YAML: quote globs such as <c>"*.dkr.ecr.*.amazonaws.com"</c>), tags,
/// block scalars (<c>|</c>, <c>&gt;</c>), flow mappings, values spread over several lines, several documents, duplicate
/// keys, and nesting deeper than 16 levels.</para>
/// </remarks>
internal static class KubeletYaml
{
    private const int MaxDepth = 16;

    public static ConfigNode Parse(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('{') ? ParseJson(text) : new Reader(text).ReadDocument();
    }

    private static ConfigNode ParseJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return FromJson(document.RootElement, text);
        }
        catch (JsonException ex)
        {
            throw new ConfigSyntaxException($"line {((ex.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}: not valid JSON.");
        }
    }

    private static ConfigNode FromJson(JsonElement element, string text) => element.ValueKind switch
    {
        // JSON gives no line per node cheaply; 0 means "somewhere in the document", and the key names the place.
        JsonValueKind.Object => new ConfigMapping(0, Entries(element, text)),
        JsonValueKind.Array => new ConfigSequence(0, element.EnumerateArray().Select(e => FromJson(e, text)).ToArray()),
        JsonValueKind.String => new ConfigScalar(0, element.GetString()),
        JsonValueKind.Null => new ConfigScalar(0, null),
        _ => new ConfigScalar(0, element.GetRawText()),
    };

    private static IReadOnlyList<(string, int, ConfigNode)> Entries(JsonElement element, string text)
    {
        var entries = new List<(string, int, ConfigNode)>();
        foreach (var property in element.EnumerateObject())
        {
            if (entries.Any(e => e.Item1 == property.Name))
            {
                throw new ConfigSyntaxException($"the key '{OptionRules.Printable(property.Name)}' appears twice in one object.");
            }

            entries.Add((property.Name, 0, FromJson(property.Value, text)));
        }

        return entries;
    }

    private sealed class Reader
    {
        private readonly List<(int Number, int Indent, string Content)> _lines = [];
        private int _next;

        public Reader(string text)
        {
            var number = 0;
            foreach (var raw in text.Split('\n'))
            {
                number++;
                var line = raw.TrimEnd('\r');
                var indent = 0;
                while (indent < line.Length && line[indent] == ' ')
                {
                    indent++;
                }

                var content = StripComment(line[indent..], number).TrimEnd();
                if (content.Length == 0)
                {
                    continue;
                }

                if (content[0] == '\t')
                {
                    throw Error(number, "a tab in the indentation: indent with spaces");
                }

                if (content == "---")
                {
                    if (_lines.Count > 0)
                    {
                        throw Error(number, "a second document ('---'): give one CredentialProviderConfig");
                    }

                    continue;
                }

                if (content == "...")
                {
                    throw Error(number, "a document end marker ('...') is not accepted");
                }

                _lines.Add((number, indent, content));
            }
        }

        public ConfigNode ReadDocument()
        {
            if (_lines.Count == 0)
            {
                throw new ConfigSyntaxException("the document is empty: give a CredentialProviderConfig.");
            }

            var node = ReadBlock(_lines[0].Indent, 0);
            if (_next < _lines.Count)
            {
                throw Error(_lines[_next].Number, "unexpected indentation or content after the document");
            }

            return node;
        }

        private ConfigNode ReadBlock(int indent, int depth)
        {
            if (depth > MaxDepth)
            {
                throw Error(_lines[_next].Number, $"nesting deeper than {MaxDepth.ToString(CultureInfo.InvariantCulture)} levels");
            }

            return IsSequenceItem(_lines[_next].Content) ? ReadSequence(indent, depth) : ReadMapping(indent, depth);
        }

        private static bool IsSequenceItem(string content) => content == "-" || content.StartsWith("- ", StringComparison.Ordinal);

        private ConfigSequence ReadSequence(int indent, int depth)
        {
            var first = _lines[_next].Number;
            var items = new List<ConfigNode>();
            while (_next < _lines.Count && _lines[_next].Indent == indent && IsSequenceItem(_lines[_next].Content))
            {
                var (number, _, content) = _lines[_next];
                var rest = content.Length == 1 ? string.Empty : content[2..];
                var offset = content.Length == 1 ? 1 : 2;
                while (rest.StartsWith(' '))
                {
                    rest = rest[1..];
                    offset++;
                }

                if (rest.Length == 0)
                {
                    _next++;
                    if (_next >= _lines.Count || _lines[_next].Indent <= indent)
                    {
                        items.Add(new ConfigScalar(number, null));
                        continue;
                    }

                    items.Add(ReadBlock(_lines[_next].Indent, depth + 1));
                }
                else if (IsSequenceItem(rest) || FindColon(rest, number) >= 0)
                {
                    // "- key: value" opens a mapping whose keys are aligned with "key".
                    _lines[_next] = (number, indent + offset, rest);
                    items.Add(ReadBlock(indent + offset, depth + 1));
                }
                else
                {
                    items.Add(Value(rest, number, depth));
                    _next++;
                }
            }

            return new ConfigSequence(first, items);
        }

        private ConfigMapping ReadMapping(int indent, int depth)
        {
            var first = _lines[_next].Number;
            var entries = new List<(string, int, ConfigNode)>();
            while (_next < _lines.Count && _lines[_next].Indent == indent)
            {
                var (number, _, content) = _lines[_next];
                if (IsSequenceItem(content))
                {
                    throw Error(number, "a sequence item where a 'key: value' was expected");
                }

                var colon = FindColon(content, number);
                if (colon < 0)
                {
                    throw Error(number, "expected 'key: value' (a value on several lines is not accepted)");
                }

                var key = Scalar(content[..colon].TrimEnd(), number) ?? throw Error(number, "an empty key");
                if (entries.Any(e => e.Item1 == key))
                {
                    throw Error(number, $"the key '{OptionRules.Printable(key)}' appears twice");
                }

                var rest = content[(colon + 1)..].Trim();
                _next++;
                ConfigNode value;
                if (rest.Length > 0)
                {
                    value = Value(rest, number, depth);
                }
                else if (_next < _lines.Count && _lines[_next].Indent > indent)
                {
                    value = ReadBlock(_lines[_next].Indent, depth + 1);
                }
                else if (_next < _lines.Count && _lines[_next].Indent == indent && IsSequenceItem(_lines[_next].Content))
                {
                    // YAML lets a sequence under a key sit at the key's own indentation.
                    value = ReadSequence(indent, depth + 1);
                }
                else
                {
                    value = new ConfigScalar(number, null);
                }

                entries.Add((key, number, value));
            }

            if (_next < _lines.Count && _lines[_next].Indent > indent)
            {
                throw Error(_lines[_next].Number, "unexpected indentation");
            }

            return new ConfigMapping(first, entries);
        }

        private static ConfigNode Value(string text, int number, int depth)
        {
            if (text.StartsWith('['))
            {
                return FlowSequence(text, number, depth);
            }

            if (text.StartsWith('{'))
            {
                throw Error(number, "a flow mapping ('{...}') is not accepted: write the mapping as indented 'key: value' lines");
            }

            return new ConfigScalar(number, Scalar(text, number));
        }

        private static ConfigSequence FlowSequence(string text, int number, int depth)
        {
            if (depth + 1 > MaxDepth)
            {
                throw Error(number, "nesting too deep");
            }

            if (!text.EndsWith(']'))
            {
                throw Error(number, "a flow sequence must end with ']' on the same line");
            }

            var inner = text[1..^1].Trim();
            var items = new List<ConfigNode>();
            var position = 0;
            while (position < inner.Length)
            {
                var end = ScalarEnd(inner, position, number);
                var item = inner[position..end].Trim();
                if (item.StartsWith('[') || item.StartsWith('{'))
                {
                    throw Error(number, "a nested flow collection is not accepted");
                }

                items.Add(new ConfigScalar(number, Scalar(item, number)));
                position = end;
                while (position < inner.Length && inner[position] == ' ')
                {
                    position++;
                }

                if (position < inner.Length)
                {
                    if (inner[position] != ',')
                    {
                        throw Error(number, "expected ',' between the items of a flow sequence");
                    }

                    position++;
                    while (position < inner.Length && inner[position] == ' ')
                    {
                        position++;
                    }

                    if (position == inner.Length)
                    {
                        break;
                    }
                }
            }

            return new ConfigSequence(number, items);
        }

        // The end of a scalar inside a flow sequence: after its closing quote, or at the next ','.
        private static int ScalarEnd(string text, int start, int number)
        {
            if (text[start] is '"' or '\'')
            {
                return QuotedEnd(text, start, number) + 1;
            }

            var comma = text.IndexOf(',', start);
            return comma < 0 ? text.Length : comma;
        }

        private static int QuotedEnd(string text, int start, int number)
        {
            var quote = text[start];
            for (var i = start + 1; i < text.Length; i++)
            {
                if (quote == '"' && text[i] == '\\')
                {
                    i++;
                }
                else if (text[i] == quote)
                {
                    if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                    {
                        i++;
                        continue;
                    }

                    return i;
                }
            }

            throw Error(number, "a quoted value is not closed on its line");
        }

        // The ':' that separates a key from its value: followed by a space or the end, outside quotes.
        private static int FindColon(string content, int number)
        {
            var i = 0;
            if (content[0] is '"' or '\'')
            {
                i = QuotedEnd(content, 0, number) + 1;
            }

            for (; i < content.Length; i++)
            {
                if (content[i] == ':' && (i + 1 == content.Length || content[i + 1] == ' '))
                {
                    return i;
                }
            }

            return -1;
        }

        private static string? Scalar(string text, int number)
        {
            if (text.Length == 0)
            {
                return null;
            }

            switch (text[0])
            {
                case '"':
                    if (QuotedEnd(text, 0, number) != text.Length - 1)
                    {
                        throw Error(number, "text after a quoted value");
                    }

                    return Unescape(text[1..^1], number);
                case '\'':
                    if (QuotedEnd(text, 0, number) != text.Length - 1)
                    {
                        throw Error(number, "text after a quoted value");
                    }

                    return text[1..^1].Replace("''", "'", StringComparison.Ordinal);
                case '*':
                    throw Error(number, "a value starting with '*' is an alias in YAML: quote it, for example \"*.registry.example\"");
                case '&':
                    throw Error(number, "anchors ('&') are not accepted");
                case '!':
                    throw Error(number, "tags ('!') are not accepted");
                case '|' or '>':
                    throw Error(number, "block scalars ('|', '>') are not accepted: write the value on one line");
                case '@' or '`' or '%':
                    throw Error(number, $"a plain value may not start with '{text[0]}': quote it");
            }

            return text is "~" or "null" or "Null" or "NULL" ? null : text;
        }

        private static string Unescape(string text, int number)
        {
            var builder = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] != '\\')
                {
                    builder.Append(text[i]);
                    continue;
                }

                if (++i == text.Length)
                {
                    throw Error(number, "a '\\' at the end of a quoted value");
                }

                switch (text[i])
                {
                    case '"': builder.Append('"'); break;
                    case '\\': builder.Append('\\'); break;
                    case '/': builder.Append('/'); break;
                    case 'n': builder.Append('\n'); break;
                    case 't': builder.Append('\t'); break;
                    case 'r': builder.Append('\r'); break;
                    case '0': builder.Append('\0'); break;
                    case 'u' when i + 4 < text.Length && int.TryParse(text.AsSpan(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        builder.Append((char)code);
                        i += 4;
                        break;
                    default:
                        throw Error(number, $"the escape '\\{text[i]}' is not accepted in a double-quoted value");
                }
            }

            return builder.ToString();
        }

        private static string StripComment(string text, int number)
        {
            char? quote = null;
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is { } q)
                {
                    if (q == '"' && c == '\\')
                    {
                        i++;
                    }
                    else if (c == q)
                    {
                        quote = null;
                    }
                }
                else if (c is '"' or '\'' && (i == 0 || text[i - 1] is ' ' or '[' or ',' or ':' or '-'))
                {
                    quote = c;
                }
                else if (c == '#' && (i == 0 || text[i - 1] == ' '))
                {
                    return text[..i];
                }
            }

            _ = number;
            return text;
        }

        private static ConfigSyntaxException Error(int number, string what)
            => new($"line {number.ToString(CultureInfo.InvariantCulture)}: {what}.");
    }
}
