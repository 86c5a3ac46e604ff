using System.Text;
using System.Text.RegularExpressions;

namespace Registries.Core.HostConfiguration;

/// <summary>Edits the <c>DOCKER_OPTS</c> line of a defaults file (<c>/etc/default/docker</c>), a shell fragment the init script sources.</summary>
/// <remarks>
/// <para>The value of every <c>DOCKER_OPTS=...</c> (or <c>export DOCKER_OPTS=...</c>) line is read exactly as the shell reads it,
/// from the subset of shell syntax whose meaning is certain: plain characters, backslash escapes outside quotes, single
/// quotes, double quotes (with their four backslash escapes) and <c>$DOCKER_OPTS</c> / <c>${DOCKER_OPTS}</c>, the seed's own way
/// of extending an earlier line. Anything else on such a line (a continuation, <c>$'...'</c>, another variable, a command
/// substitution, a second word or command) and any other line that names <c>DOCKER_OPTS</c> is refused with
/// <see cref="DockerHostConfigurationError.UnsupportedDockerDefaults"/>: an edit made without knowing the value could change it.</para>
/// <para>The effective value is the last line's, with <c>$DOCKER_OPTS</c> replaced by the value before it; the init script
/// splits it at blanks into dockerd's arguments. A flag is added to the last line; removal removes
/// <c>--insecure-registry=ADDR</c> and <c>--insecure-registry ADDR</c> from every line. Other bytes are kept (the file
/// is read as Latin-1, one character per byte).</para>
/// </remarks>
internal static partial class DockerDefaultsEditor
{
    internal const string FlagName = "--insecure-registry";

    // Stands for $DOCKER_OPTS inside a decoded value; Latin-1 text never holds it.
    private const char Reference = '\uE000';

    /// <summary>Tells whether the file has an uncommented <c>DOCKER_OPTS</c> line, the sign of a host configured the old way.</summary>
    internal static bool HasEffectiveLine(byte[]? original, string path)
        => original is not null && Parse(Encoding.Latin1.GetString(original), path).Any(l => l.Assignment is not null);

    /// <summary>Tells whether the effective <c>DOCKER_OPTS</c> value holds the flag for the registry.</summary>
    internal static bool Contains(byte[]? original, string path, RegistryAddress address)
        => original is not null && HasRegistry(Words(EffectiveValue(Parse(Encoding.Latin1.GetString(original), path))), address);

    /// <summary>Tells whether the effective <c>DOCKER_OPTS</c> value holds any <c>--insecure-registry</c> flag: dockerd then refuses the daemon.json key.</summary>
    internal static bool HasAnyFlag(byte[]? original, string path)
        => original is not null && Words(EffectiveValue(Parse(Encoding.Latin1.GetString(original), path)))
            .Any(w => w == FlagName || w.StartsWith(FlagName + "=", StringComparison.Ordinal));

    /// <summary>Returns the arguments the init script would pass to dockerd from this file's <c>DOCKER_OPTS</c>.</summary>
    internal static List<string> EffectiveWords(byte[] original, string path) => Words(EffectiveValue(Parse(Encoding.Latin1.GetString(original), path)));

    /// <summary>Returns the new content, or <see langword="null"/> when nothing changes.</summary>
    internal static byte[]? Edit(byte[]? original, string path, RegistryAddress address, bool add, out string description)
    {
        var text = original is null ? string.Empty : Encoding.Latin1.GetString(original);
        var lines = Parse(text, path);
        var flag = FlagName + "=" + address;
        if (add)
        {
            if (HasRegistry(Words(EffectiveValue(lines)), address))
            {
                description = $"DOCKER_OPTS already has '{flag}'";
                return null;
            }

            var last = lines.LastOrDefault(l => l.Assignment is not null);
            if (last is null)
            {
                // Always "\n": in a file with Windows line endings the shell would keep a "\r" in the value.
                var prefix = text.Length > 0 && !text.EndsWith('\n') ? "\n" : string.Empty;
                description = $"added the line DOCKER_OPTS=\"{flag}\"";
                return Encoding.Latin1.GetBytes(text + prefix + "DOCKER_OPTS=\"" + flag + "\"\n");
            }

            last.Content = Append(last.Content, last.Assignment!, flag);
            description = $"appended '{flag}' to DOCKER_OPTS (line {last.Number})";
            return Encoding.Latin1.GetBytes(Join(lines));
        }

        var changedLines = new List<int>();
        foreach (var line in lines)
        {
            if (line.Assignment is not { } assignment)
            {
                continue;
            }

            var value = RemoveFlags(assignment.Value, address);
            if (value != assignment.Value)
            {
                line.Content = line.Content[..assignment.WordStart] + Encode(assignment, value) + line.Content[assignment.WordEnd..];
                changedLines.Add(line.Number);
            }
        }

        if (changedLines.Count == 0)
        {
            description = $"DOCKER_OPTS has no '{FlagName}' for '{address}'";
            return null;
        }

        description = $"removed '{FlagName}' for '{address}' from DOCKER_OPTS (line {string.Join(", ", changedLines)})";
        return Encoding.Latin1.GetBytes(Join(lines));
    }

    /// <summary>The value the init script sees: each line's value with <c>$DOCKER_OPTS</c> standing for the value before it.</summary>
    internal static string EffectiveValue(List<Line> lines)
    {
        var value = string.Empty;
        foreach (var line in lines)
        {
            if (line.Assignment is { } assignment)
            {
                value = assignment.Value.Replace(Reference.ToString(), value, StringComparison.Ordinal);
            }
        }

        return value;
    }

    /// <summary>Splits a value at blanks, as the unquoted <c>$DOCKER_OPTS</c> of the init script is split (the default IFS).</summary>
    internal static List<string> Words(string value) => [.. value.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)];

    private static bool HasRegistry(List<string> words, RegistryAddress address)
    {
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].StartsWith(FlagName + "=", StringComparison.Ordinal) && DaemonJsonEditor.SameRegistry(words[i][(FlagName.Length + 1)..], address))
            {
                return true;
            }

            if (words[i] == FlagName && i + 1 < words.Count && DaemonJsonEditor.SameRegistry(words[i + 1], address))
            {
                return true;
            }
        }

        return false;
    }

    private static string Append(string content, Assignment a, string flag)
    {
        var separator = a.Value.Length == 0 || a.Value[^1] is ' ' or '\t' or '\n' ? string.Empty : " ";
        var word = content[a.WordStart..a.WordEnd];
        var last = a.Segments.Count == 0 ? null : a.Segments[^1];
        string replacement;
        if (a.Segments.Count == 0 || (a.Segments.Count == 1 && last!.Kind == SegmentKind.Plain && last.Verbatim))
        {
            // The seed's way: a plain value becomes a double-quoted one (its characters mean the same inside double quotes).
            replacement = "\"" + word + separator + flag + "\"";
        }
        else if (last!.Kind != SegmentKind.Plain)
        {
            // Inside the closing quote: the flag's characters mean the same in single and double quotes.
            var close = last.RawEnd - 1 - a.WordStart;
            replacement = word[..close] + separator + flag + word[close..];
        }
        else
        {
            // A value ending in escapes outside quotes: a quoted piece joined to the word keeps every escape as it was.
            replacement = word + "\"" + separator + flag + "\"";
        }

        return content[..a.WordStart] + replacement + content[a.WordEnd..];
    }

    private static string RemoveFlags(string value, RegistryAddress address)
    {
        // Words with their positions; a word holding $DOCKER_OPTS is opaque (its text is another line's business).
        var words = new List<(int Start, int End)>();
        for (var i = 0; i < value.Length;)
        {
            if (value[i] is ' ' or '\t' or '\n')
            {
                i++;
                continue;
            }

            var start = i;
            while (i < value.Length && value[i] is not (' ' or '\t' or '\n'))
            {
                i++;
            }

            words.Add((start, i));
        }

        var removed = new List<(int Start, int End)>();
        for (var w = 0; w < words.Count; w++)
        {
            var word = value[words[w].Start..words[w].End];
            if (word.Contains(Reference, StringComparison.Ordinal))
            {
                continue;
            }

            if (word.StartsWith(FlagName + "=", StringComparison.Ordinal) && DaemonJsonEditor.SameRegistry(word[(FlagName.Length + 1)..], address))
            {
                removed.Add(words[w]);
            }
            else if (word == FlagName && w + 1 < words.Count)
            {
                var next = value[words[w + 1].Start..words[w + 1].End];
                if (!next.Contains(Reference, StringComparison.Ordinal) && DaemonJsonEditor.SameRegistry(next, address))
                {
                    removed.Add((words[w].Start, words[w + 1].End));
                    w++;
                }
            }
        }

        if (removed.Count == 0)
        {
            return value;
        }

        // Each removed flag takes the blanks before it with it; one at the very start takes the blanks after it.
        var builder = new StringBuilder();
        var position = 0;
        foreach (var (start, end) in removed)
        {
            var from = start;
            while (from > position && value[from - 1] is ' ' or '\t' or '\n')
            {
                from--;
            }

            var to = end;
            if (from == 0)
            {
                while (to < value.Length && value[to] is ' ' or '\t' or '\n')
                {
                    to++;
                }
            }

            builder.Append(value, position, from - position);
            position = to;
        }

        builder.Append(value, position, value.Length - position);
        return builder.ToString();
    }

    private static string Encode(Assignment a, string value)
    {
        if (a.Segments.Count == 1 && a.Segments[0].Verbatim)
        {
            // The quoted text is the value itself (with its $DOCKER_OPTS references as written): keep the line's own quoting.
            var segment = a.Segments[0];
            var references = new Queue<string>(segment.References);
            var raw = new StringBuilder();
            foreach (var c in value)
            {
                raw.Append(c == Reference ? references.Dequeue() : c.ToString());
            }

            var quote = segment.Kind switch { SegmentKind.Single => "'", SegmentKind.Double => "\"", _ => string.Empty };
            return quote + raw + quote;
        }

        // Otherwise the new value is written in double quotes, every special character escaped: exact, if less pretty.
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                Reference => "${DOCKER_OPTS}",
                '"' or '\\' or '$' or '`' => "\\" + c,
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private static List<Line> Parse(string text, string path)
    {
        var lines = new List<Line>();
        var start = 0;
        var number = 1;
        while (start < text.Length)
        {
            var end = text.IndexOf('\n', start);
            var next = end < 0 ? text.Length : end + 1;
            var contentEnd = end < 0 ? text.Length : (end > start && text[end - 1] == '\r' ? end - 1 : end);
            var line = new Line(number, text[start..contentEnd], text[contentEnd..next]);
            line.Assignment = ParseLine(line.Content, path, number);
            if (line.Assignment is not null && line.Terminator == "\r\n")
            {
                throw Unsupported(path, number, "ends with a carriage return (a Windows line ending), which the shell keeps as the last character of the value", "Convert the file to Unix line endings (dos2unix)");
            }

            lines.Add(line);
            start = next;
            number++;
        }

        return lines;
    }

    private static Assignment? ParseLine(string content, string path, int number)
    {
        var match = AssignmentPattern().Match(content);
        if (!match.Success)
        {
            var trimmed = content.TrimStart(' ', '\t');
            if (trimmed.StartsWith('#') || !NamePattern().IsMatch(content) || ExportOnlyPattern().IsMatch(content))
            {
                return null;
            }

            throw Unsupported(path, number, "sets or uses DOCKER_OPTS in a way other than DOCKER_OPTS=VALUE or export DOCKER_OPTS=VALUE", "Write the value on its own line as DOCKER_OPTS=\"...\"");
        }

        var wordStart = match.Length;
        var segments = new List<Segment>();
        var i = wordStart;
        while (i < content.Length && content[i] is not (' ' or '\t'))
        {
            segments.Add(content[i] switch
            {
                '\'' => SingleQuoted(content, ref i, path, number),
                '"' => DoubleQuoted(content, ref i, path, number),
                _ => Plain(content, ref i, path, number),
            });
        }

        var wordEnd = i;
        while (i < content.Length && content[i] is ' ' or '\t')
        {
            i++;
        }

        if (i < content.Length && content[i] != '#')
        {
            throw Unsupported(path, number, $"has '{Excerpt(content[i..])}' after the value, which the shell runs as a command with DOCKER_OPTS set only for it", "Put the whole value between double quotes");
        }

        return new Assignment(wordStart, wordEnd, segments, string.Concat(segments.Select(s => s.Value)));
    }

    private static Segment SingleQuoted(string content, ref int i, string path, int number)
    {
        var start = i;
        var close = content.IndexOf('\'', i + 1);
        if (close < 0)
        {
            throw Unclosed(path, number, '\'');
        }

        i = close + 1;
        return new Segment(SegmentKind.Single, start, i, content[(start + 1)..close], Verbatim: true, []);
    }

    private static Segment DoubleQuoted(string content, ref int i, string path, int number)
    {
        var start = i;
        var value = new StringBuilder();
        var references = new List<string>();
        var verbatim = true;
        i++;
        while (true)
        {
            if (i >= content.Length)
            {
                throw Unclosed(path, number, '"');
            }

            var c = content[i];
            if (c == '"')
            {
                i++;
                return new Segment(SegmentKind.Double, start, i, value.ToString(), verbatim, references);
            }

            if (c == '\\')
            {
                if (i + 1 >= content.Length)
                {
                    throw Continuation(path, number);
                }

                var next = content[i + 1];
                if (next is '"' or '\\' or '$' or '`')
                {
                    value.Append(next);
                    verbatim = false;
                }
                else
                {
                    // Inside double quotes a backslash before any other character is itself.
                    value.Append(c).Append(next);
                }

                i += 2;
                continue;
            }

            if (c == '$')
            {
                references.Add(ReadReference(content, ref i, path, number));
                value.Append(Reference);
                continue;
            }

            if (c == '`')
            {
                throw Unsupported(path, number, "runs a command (`...`) inside the value", "Write the command's output into the file instead");
            }

            value.Append(c);
            i++;
        }
    }

    private static Segment Plain(string content, ref int i, string path, int number)
    {
        var start = i;
        var value = new StringBuilder();
        var references = new List<string>();
        var verbatim = true;
        while (i < content.Length && content[i] is not (' ' or '\t' or '\'' or '"'))
        {
            var c = content[i];
            switch (c)
            {
                case '\\':
                    if (i + 1 >= content.Length)
                    {
                        throw Continuation(path, number);
                    }

                    value.Append(content[i + 1]);
                    verbatim = false;
                    i += 2;
                    continue;
                case '$':
                    references.Add(ReadReference(content, ref i, path, number));
                    value.Append(Reference);
                    verbatim = false;
                    continue;
                case '`':
                    throw Unsupported(path, number, "runs a command (`...`) inside the value", "Write the command's output into the file instead");
                case ';' or '&' or '|' or '<' or '>' or '(' or ')':
                    throw Unsupported(path, number, $"has '{c}' outside quotes, which ends the assignment or starts another command", "Put the whole value between double quotes, on a line of its own");
                case '~':
                    throw Unsupported(path, number, "has '~' outside quotes, which the shell may replace by a home folder", "Write the path in full, or put the value between double quotes");
                default:
                    value.Append(c);
                    i++;
                    continue;
            }
        }

        return new Segment(SegmentKind.Plain, start, i, value.ToString(), verbatim, references);
    }

    private static string ReadReference(string content, ref int i, string path, int number)
    {
        var rest = content.AsSpan(i);
        foreach (var form in (ReadOnlySpan<string>)["${DOCKER_OPTS}", "$DOCKER_OPTS"])
        {
            if (rest.StartsWith(form, StringComparison.Ordinal)
                && (form[1] == '{' || rest.Length == form.Length || !(char.IsAsciiLetterOrDigit(rest[form.Length]) || rest[form.Length] == '_')))
            {
                i += form.Length;
                return form;
            }
        }

        var what = rest.Length > 1 && rest[1] == '\'' ? "uses $'...' quoting"
            : rest.Length > 1 && rest[1] == '(' ? "runs a command ($(...)) inside the value"
            : $"expands '{Excerpt(rest.ToString())}', a variable other than DOCKER_OPTS";
        throw Unsupported(path, number, what, "Write the value out literally between double quotes (only $DOCKER_OPTS may be used)");
    }

    private static string Excerpt(string text) => text.Length > 20 ? text[..20] + "..." : text;

    private static DockerHostConfigurationException Unsupported(string path, int number, string what, string fix)
        => new(
            DockerHostConfigurationError.UnsupportedDockerDefaults,
            $"The Docker defaults file '{path}' cannot be edited safely: line {number} {what}. {fix}, then run again; the file was left untouched.",
            path,
            number);

    private static DockerHostConfigurationException Continuation(string path, int number)
        => Unsupported(path, number, "ends with a backslash, continuing the value on the next line", "Join the value into one line");

    private static DockerHostConfigurationException Unclosed(string path, int number, char quote)
        => new(
            DockerHostConfigurationError.MalformedDockerDefaults,
            $"The Docker defaults file '{path}' cannot be edited: the DOCKER_OPTS value on line {number} opens a {quote} quote that the line does not close. Put the whole value on one line between matching quotes and run again; the file was left untouched.",
            path,
            number);

    private static string Join(List<Line> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line.Content).Append(line.Terminator);
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"^[ \t]*(?:export[ \t]+)?DOCKER_OPTS=")]
    private static partial Regex AssignmentPattern();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])DOCKER_OPTS(?![A-Za-z0-9_])")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[ \t]*export[ \t]+DOCKER_OPTS[ \t]*(?:#.*)?$")]
    private static partial Regex ExportOnlyPattern();

    internal enum SegmentKind
    {
        Plain,
        Single,
        Double,
    }

    // Verbatim: the characters between the quotes (or the plain characters) are the value, $DOCKER_OPTS references aside.
    internal sealed record Segment(SegmentKind Kind, int RawStart, int RawEnd, string Value, bool Verbatim, List<string> References);

    internal sealed record Assignment(int WordStart, int WordEnd, List<Segment> Segments, string Value);

    internal sealed class Line(int number, string content, string terminator)
    {
        public int Number { get; } = number;

        public string Content { get; set; } = content;

        public string Terminator { get; } = terminator;

        public Assignment? Assignment { get; set; }
    }
}
