using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Registries.Core.HostConfiguration;

/// <summary>Edits the <c>insecure-registries</c> list of a <c>daemon.json</c> text, keeping every other key, their order and the indentation.</summary>
internal static class DaemonJsonEditor
{
    internal const string InsecureRegistriesKey = "insecure-registries";

    /// <summary>Returns the new content, or <see langword="null"/> when nothing changes.</summary>
    internal static byte[]? Edit(byte[]? original, string path, RegistryAddress address, bool add, out string description)
    {
        var text = original is null ? string.Empty : DecodeUtf8(original);
        var root = ParseRoot(text, path);
        var entry = address.ToString();

        JsonArray? list = null;
        if (root.TryGetPropertyValue(InsecureRegistriesKey, out var node))
        {
            list = node as JsonArray;
            if (node is not null && list is null)
            {
                throw Malformed(path, $"its '{InsecureRegistriesKey}' is a {node.GetValueKind()}, not a list", null, null);
            }
        }

        var matches = new List<JsonNode?>();
        if (list is not null)
        {
            foreach (var item in list)
            {
                if (item is null || item.GetValueKind() != JsonValueKind.String)
                {
                    throw Malformed(path, $"its '{InsecureRegistriesKey}' holds {(item is null ? "null" : item.ToJsonString())}, which is not a string", null, null);
                }

                if (SameRegistry(item.GetValue<string>(), address))
                {
                    matches.Add(item);
                }
            }
        }

        if (add)
        {
            if (matches.Count > 0)
            {
                description = $"'{entry}' is already in {InsecureRegistriesKey}";
                return null;
            }

            if (list is null)
            {
                list = [];
                root[InsecureRegistriesKey] = list;
            }

            list.Add(entry);
            description = $"added '{entry}' to {InsecureRegistriesKey}";
        }
        else
        {
            if (matches.Count == 0)
            {
                description = $"'{entry}' is not in {InsecureRegistriesKey}";
                return null;
            }

            foreach (var match in matches)
            {
                list!.Remove(match);
            }

            description = $"removed '{entry}' from {InsecureRegistriesKey}";
        }

        return Serialize(root, text);
    }

    /// <summary>Tells whether a <c>daemon.json</c> text lists the registry as insecure.</summary>
    internal static bool Contains(byte[]? original, string path, RegistryAddress address)
    {
        var root = ParseRoot(original is null ? string.Empty : DecodeUtf8(original), path);
        return root.TryGetPropertyValue(InsecureRegistriesKey, out var node)
            && node is JsonArray list
            && list.Any(item => item is not null && item.GetValueKind() == JsonValueKind.String && SameRegistry(item.GetValue<string>(), address));
    }

    internal static bool SameRegistry(string entry, RegistryAddress address)
        => RegistryAddress.TryParse(entry, out var parsed)
            ? parsed == address
            : string.Equals(entry, address.ToString(), StringComparison.OrdinalIgnoreCase);

    private static JsonObject ParseRoot(string text, string path)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        JsonNode? node;
        try
        {
            // dockerd reads daemon.json with Go's encoding/json: no comments, no trailing commas.
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            int? line = e.LineNumber is { } l ? (int)l + 1 : null;
            var position = e.BytePositionInLine is { } p ? $", position {p + 1}" : string.Empty;
            throw Malformed(path, $"it is not valid JSON (line {line?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}{position}: {FirstSentence(e.Message)})", line, e);
        }
        catch (ArgumentException e)
        {
            // JsonObject refuses a property name that appears twice.
            throw Malformed(path, $"it is not valid for Docker ({e.Message})", null, e);
        }

        if (node is not JsonObject root)
        {
            throw Malformed(path, $"its root is {(node is null ? "null" : "a " + node.GetValueKind())}, not an object", 1, null);
        }

        // Force the lazy children to materialize now, so a duplicate key fails here and not while editing.
        try
        {
            _ = root.Count;
        }
        catch (ArgumentException e)
        {
            throw Malformed(path, $"it is not valid for Docker ({e.Message})", null, e);
        }

        return root;
    }

    private static byte[] Serialize(JsonObject root, string originalText)
    {
        var (indentChar, indentSize) = DetectIndentation(originalText);
        var newLine = originalText.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var writerOptions = new JsonWriterOptions
        {
            Indented = true,
            IndentCharacter = indentChar,
            IndentSize = indentSize,
            NewLine = newLine,

            // Registry names and other values stay readable: no \u escapes for '+', '<' or non-ASCII letters.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, writerOptions))
        {
            root.WriteTo(writer);
        }

        var keepNoTrailingNewLine = originalText.Length > 0 && !originalText.EndsWith('\n');
        if (!keepNoTrailingNewLine)
        {
            buffer.Write(Encoding.UTF8.GetBytes(newLine));
        }

        return buffer.ToArray();
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

    private static string DecodeUtf8(byte[] bytes)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        return Encoding.UTF8.GetString(span);
    }

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
}
