using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Registries.Core.HostConfiguration;

/// <summary>Edits the <c>insecure-registries</c> list of a <c>daemon.json</c> text in place: every other byte of the file is kept.</summary>
/// <remarks>
/// The file is read with <see cref="Utf8JsonReader"/>, which checks the JSON as dockerd's Go parser does (no comments, no
/// trailing commas) and, like Go, accepts any <c>\uXXXX</c> escape, a lone surrogate such as <c>"\ud800"</c> included.
/// Only the list (or, when it is missing, one new property) is spliced into the original bytes, so values this library
/// could not represent as .NET strings are kept exactly as they were.
/// </remarks>
internal static class DaemonJsonEditor
{
    internal const string InsecureRegistriesKey = "insecure-registries";

    /// <summary>Returns the new content, or <see langword="null"/> when nothing changes.</summary>
    internal static byte[]? Edit(byte[]? original, string path, RegistryAddress address, bool add, out string description)
    {
        var document = Parse(original, path);
        var entry = address.ToString();
        var matches = document.Items.Where(i => i.Value is not null && SameRegistry(i.Value, address)).ToList();
        if (add)
        {
            if (matches.Count > 0)
            {
                description = $"'{entry}' is already in {InsecureRegistriesKey}";
                return null;
            }

            description = $"added '{entry}' to {InsecureRegistriesKey}";
            return Add(document, original, entry);
        }

        if (matches.Count == 0)
        {
            description = $"'{entry}' is not in {InsecureRegistriesKey}";
            return null;
        }

        description = $"removed '{entry}' from {InsecureRegistriesKey}";
        return Remove(document, matches);
    }

    /// <summary>Tells whether a <c>daemon.json</c> text lists the registry as insecure.</summary>
    internal static bool Contains(byte[]? original, string path, RegistryAddress address)
        => Parse(original, path).Items.Any(i => i.Value is not null && SameRegistry(i.Value, address));

    /// <summary>Tells whether a <c>daemon.json</c> text has the <c>insecure-registries</c> key, whatever its value: dockerd then refuses the flag.</summary>
    internal static bool HasKey(byte[]? original, string path) => Parse(original, path).HasKey;

    internal static bool SameRegistry(string entry, RegistryAddress address)
        => RegistryAddress.TryParse(entry, out var parsed)
            ? parsed == address
            : string.Equals(entry, address.ToString(), StringComparison.OrdinalIgnoreCase);

    private static byte[] Add(Document d, byte[]? original, string entry)
    {
        var quoted = "\"" + entry + "\"";
        var text = d.Text;
        var newLine = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var unit = Unit(text);
        if (d.IsEmpty)
        {
            // No file, or only blanks: a fresh document in the usual two-space layout.
            return Encoding.UTF8.GetBytes("{" + newLine + unit + "\"" + InsecureRegistriesKey + "\": [" + newLine + unit + unit + quoted + newLine + unit + "]" + newLine + "}" + newLine);
        }

        if (d.HasKey && d.ArrayOpen >= 0)
        {
            if (d.Items.Count == 0)
            {
                var indent = LineIndent(text, d.KeyNameStart);
                var inner = d.IsMultiLine ? newLine + indent + unit + quoted + newLine + indent : quoted;
                return Splice(d, d.ArrayOpen + 1, d.ArrayClose, inner);
            }

            var last = d.Items[^1];
            var separator = BlanksBefore(text, last.Start);
            return Splice(d, last.End, last.End, "," + (separator.Length == 0 && d.Items.Count == 1 ? " " : separator) + quoted);
        }

        if (d.HasKey)
        {
            // "insecure-registries": null
            var indent = LineIndent(text, d.KeyNameStart);
            return Splice(d, d.KeyValueStart, d.KeyValueEnd, List(quoted, d.IsMultiLine, indent, unit, newLine));
        }

        if (d.PropertyCount == 0)
        {
            var property = "\"" + InsecureRegistriesKey + "\": " + List(quoted, true, unit, unit, newLine);
            return Splice(d, d.RootStart, d.RootEnd + 1, "{" + newLine + unit + property + newLine + "}");
        }

        var blanks = BlanksBefore(text, d.LastNameStart);
        var multiLine = blanks.Contains('\n', StringComparison.Ordinal);
        var propertyIndent = multiLine ? blanks[(blanks.LastIndexOf('\n') + 1)..] : string.Empty;
        var added = "," + (blanks.Length == 0 ? " " : blanks) + "\"" + InsecureRegistriesKey + "\": " + List(quoted, multiLine, propertyIndent, unit, newLine);
        return Splice(d, d.LastValueEnd, d.LastValueEnd, added);
    }

    private static byte[] Remove(Document d, List<Item> matches)
    {
        var text = d.Text;
        var kept = d.Items.Select((item, index) => (item, index)).Where(p => !matches.Contains(p.item)).ToList();
        if (kept.Count == 0)
        {
            return Splice(d, d.ArrayOpen + 1, d.ArrayClose, string.Empty);
        }

        // Each kept item keeps the separator that preceded it; the first takes the blanks after '[', the last keeps those before ']'.
        var builder = new StringBuilder();
        builder.Append(text, d.ArrayOpen + 1, d.Items[0].Start - d.ArrayOpen - 1);
        for (var k = 0; k < kept.Count; k++)
        {
            var (item, index) = kept[k];
            if (k > 0)
            {
                var previous = d.Items[index - 1];
                builder.Append(text, previous.End, item.Start - previous.End);
            }

            builder.Append(text, item.Start, item.End - item.Start);
        }

        builder.Append(text, d.Items[^1].End, d.ArrayClose - d.Items[^1].End);
        return Splice(d, d.ArrayOpen + 1, d.ArrayClose, builder.ToString());
    }

    private static string List(string quoted, bool multiLine, string indent, string unit, string newLine)
        => multiLine ? "[" + newLine + indent + unit + quoted + newLine + indent + "]" : "[" + quoted + "]";

    // Offsets are in characters of a Latin-1 view of the bytes (one character per byte), so splicing keeps every other byte.
    private static byte[] Splice(Document d, int start, int end, string insert)
        => [.. d.Bytes.AsSpan(0, d.Offset + start), .. Encoding.UTF8.GetBytes(insert), .. d.Bytes.AsSpan(d.Offset + end)];

    private static string BlanksBefore(string text, int index)
    {
        var start = index;
        while (start > 0 && text[start - 1] is ' ' or '\t' or '\r' or '\n')
        {
            start--;
        }

        return text[start..index];
    }

    private static string LineIndent(string text, int index)
    {
        var lineStart = text.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1;
        var end = lineStart;
        while (end < index && text[end] is ' ' or '\t')
        {
            end++;
        }

        return text[lineStart..end];
    }

    private static string Unit(string text)
    {
        var (character, size) = DetectIndentation(text);
        return new string(character, size);
    }

    internal static (char Character, int Size) DetectIndentation(string text)
    {
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            var indent = 0;
            while (indent < line.Length && (line[indent] == ' ' || line[indent] == '\t'))
            {
                indent++;
            }

            if (indent == 0 || indent == line.Length)
            {
                continue;
            }

            // The first indented line is one level deep (inside the root object).
            if (line[0] == '\t')
            {
                return ('\t', 1);
            }

            return (' ', Math.Clamp(indent, 1, 127));
        }

        return (' ', 2);
    }

    private static Document Parse(byte[]? original, string path)
    {
        var bytes = original ?? [];
        var offset = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var span = bytes.AsSpan(offset);
        var document = new Document(bytes, offset, Encoding.Latin1.GetString(span));
        if (span.Trim(" \t\r\n"u8).IsEmpty)
        {
            document.IsEmpty = true;
            return document;
        }

        // dockerd reads daemon.json with Go's encoding/json: no comments, no trailing commas, deep nesting allowed.
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 10_000 });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw Malformed(path, $"its root is {Describe(reader.TokenType)}, not an object", 1, null);
            }

            document.RootStart = (int)reader.TokenStartIndex;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var nameStart = (int)reader.TokenStartIndex;
                var isKey = reader.ValueTextEquals(InsecureRegistriesKey);
                reader.Read();
                if (isKey)
                {
                    if (document.HasKey)
                    {
                        throw new DockerHostConfigurationException(
                            DockerHostConfigurationError.MalformedDaemonJson,
                            $"The Docker daemon configuration '{path}' cannot be edited: '{InsecureRegistriesKey}' appears twice (dockerd would use only the last one). Keep one list and run again; it was left untouched.",
                            path);
                    }

                    document.HasKey = true;
                    document.KeyNameStart = nameStart;
                    document.KeyValueStart = (int)reader.TokenStartIndex;
                    ReadList(ref reader, document, path);
                    document.KeyValueEnd = (int)reader.BytesConsumed;
                }
                else
                {
                    reader.Skip();
                }

                document.PropertyCount++;
                document.LastNameStart = nameStart;
                document.LastValueEnd = (int)reader.BytesConsumed;
            }

            document.RootEnd = (int)reader.TokenStartIndex;

            // Anything but blanks after the root is refused by the reader here, as Go refuses it.
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            int? line = e.LineNumber is { } l ? (int)l + 1 : null;
            var position = e.BytePositionInLine is { } p ? $", position {p + 1}" : string.Empty;
            throw Malformed(path, $"it is not valid JSON (line {line?.ToString(CultureInfo.InvariantCulture) ?? "?"}{position}: {FirstSentence(e.Message)})", line, e);
        }

        document.IsMultiLine = document.Text.AsSpan(document.RootStart, document.RootEnd - document.RootStart).Contains('\n');
        return document;
    }

    private static void ReadList(ref Utf8JsonReader reader, Document document, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.StartArray:
                break;
            default:
                throw Malformed(path, $"its '{InsecureRegistriesKey}' is {Describe(reader.TokenType)}, not a list", null, null);
        }

        document.ArrayOpen = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                var raw = document.Text[start..(int)reader.BytesConsumed];
                throw Malformed(path, $"its '{InsecureRegistriesKey}' holds {(raw.Length > 40 ? raw[..40] + "..." : raw)}, which is not a string", null, null);
            }

            string? value;
            try
            {
                value = reader.GetString();
            }
            catch (InvalidOperationException)
            {
                // A lone surrogate escape: Go reads it as U+FFFD; it cannot be a registry this library writes.
                value = null;
            }

            document.Items.Add(new Item(start, (int)reader.BytesConsumed, value));
        }

        document.ArrayClose = (int)reader.TokenStartIndex;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.', ' ');
    }

    private static DockerHostConfigurationException Malformed(string path, string what, int? line, Exception? inner)
        => new(
            DockerHostConfigurationError.MalformedDaemonJson,
            $"The Docker daemon configuration '{path}' cannot be edited: {what}. Fix the file (dockerd would refuse it too) and run again; it was left untouched.",
            path,
            line,
            inner);

    private sealed record Item(int Start, int End, string? Value);

    private sealed class Document(byte[] bytes, int offset, string text)
    {
        public byte[] Bytes { get; } = bytes;

        public int Offset { get; } = offset;

        public string Text { get; } = text;

        public bool IsEmpty { get; set; }

        public bool IsMultiLine { get; set; }

        public int RootStart { get; set; }

        public int RootEnd { get; set; }

        public int PropertyCount { get; set; }

        public int LastNameStart { get; set; }

        public int LastValueEnd { get; set; }

        public bool HasKey { get; set; }

        public int KeyNameStart { get; set; }

        public int KeyValueStart { get; set; }

        public int KeyValueEnd { get; set; }

        public int ArrayOpen { get; set; } = -1;

        public int ArrayClose { get; set; }

        public List<Item> Items { get; } = [];
    }
}
