using System.Text;
using System.Text.RegularExpressions;

namespace Registries.Core.HostConfiguration;

/// <summary>Edits the <c>DOCKER_OPTS</c> line of a defaults file (<c>/etc/default/docker</c>), a shell fragment.</summary>
/// <remarks>
/// Only uncommented <c>DOCKER_OPTS=...</c> or <c>export DOCKER_OPTS=...</c> lines count. A flag is added to the last
/// of them; it is present when the last line has it, or when the last line expands <c>$DOCKER_OPTS</c> and an earlier
/// line has it. Removal removes both <c>--insecure-registry=ADDR</c> and <c>--insecure-registry ADDR</c> from every line.
/// Bytes are read as Latin-1 so that every other byte of the file is written back unchanged.
/// </remarks>
internal static partial class DockerDefaultsEditor
{
    internal const string FlagName = "--insecure-registry";

    /// <summary>Tells whether the file has an uncommented <c>DOCKER_OPTS</c> line, the sign of a host configured the old way.</summary>
    internal static bool HasEffectiveLine(byte[]? original, string path)
        => original is not null && Parse(Encoding.Latin1.GetString(original), path).Any(l => l.Assignment is not null);

    /// <summary>Tells whether the effective <c>DOCKER_OPTS</c> value holds the flag for the registry.</summary>
    internal static bool Contains(byte[]? original, string path, RegistryAddress address)
        => original is not null && EffectivelyContains(Parse(Encoding.Latin1.GetString(original), path), address);

    /// <summary>Returns the new content, or <see langword="null"/> when nothing changes.</summary>
    internal static byte[]? Edit(byte[]? original, string path, RegistryAddress address, bool add, out string description)
    {
        var text = original is null ? string.Empty : Encoding.Latin1.GetString(original);
        var lines = Parse(text, path);
        var flag = FlagName + "=" + address;
        if (add)
        {
            if (EffectivelyContains(lines, address))
            {
                description = $"DOCKER_OPTS already has '{flag}'";
                return null;
            }

            var last = lines.LastOrDefault(l => l.Assignment is not null);
            if (last is null)
            {
                var newLine = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
                var prefix = text.Length > 0 && !text.EndsWith('\n') ? newLine : string.Empty;
                description = $"added the line DOCKER_OPTS=\"{flag}\"";
                return Encoding.Latin1.GetBytes(text + prefix + "DOCKER_OPTS=\"" + flag + "\"" + newLine);
            }

            var a = last.Assignment!;
            var separator = a.Value.Length == 0 || char.IsWhiteSpace(a.Value[^1]) ? string.Empty : " ";
            var quote = a.Quote == '\0' ? '"' : a.Quote;
            last.Content = a.Lead + quote + a.Value + separator + flag + quote + a.Trailing;
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
                var quote = assignment.Quote == '\0' ? string.Empty : assignment.Quote.ToString();
                line.Content = assignment.Lead + quote + value + quote + assignment.Trailing;
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

    private static bool EffectivelyContains(List<Line> lines, RegistryAddress address)
    {
        // Walk back from the last assignment while each one expands the previous value ($DOCKER_OPTS).
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].Assignment is not { } assignment)
            {
                continue;
            }

            if (Flags(assignment.Value).Any(m => DaemonJsonEditor.SameRegistry(m.Groups["addr"].Value, address)))
            {
                return true;
            }

            if (!SelfReference().IsMatch(assignment.Value))
            {
                return false;
            }
        }

        return false;
    }

    private static IEnumerable<Match> Flags(string value) => FlagPattern().Matches(value);

    private static string RemoveFlags(string value, RegistryAddress address)
    {
        var builder = new StringBuilder();
        var position = 0;
        foreach (var match in Flags(value))
        {
            if (!DaemonJsonEditor.SameRegistry(match.Groups["addr"].Value, address))
            {
                continue;
            }

            builder.Append(value, position, match.Index - position);
            position = match.Index + match.Length;
        }

        builder.Append(value, position, value.Length - position);
        var result = builder.ToString();

        // A flag removed from the start leaves the blank that separated it from the next option.
        return value.Length > 0 && !char.IsWhiteSpace(value[0]) ? result.TrimStart() : result;
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
            line.Assignment = ParseAssignment(line.Content, path, number);
            lines.Add(line);
            start = next;
            number++;
        }

        return lines;
    }

    private static Assignment? ParseAssignment(string content, string path, int number)
    {
        var match = AssignmentPattern().Match(content);
        if (!match.Success)
        {
            return null;
        }

        var lead = match.Groups["lead"].Value;
        var rest = content[lead.Length..];
        if (rest.Length > 0 && rest[0] is '"' or '\'')
        {
            var quote = rest[0];
            var close = -1;
            for (var i = 1; i < rest.Length; i++)
            {
                if (quote == '"' && rest[i] == '\\')
                {
                    i++;
                    continue;
                }

                if (rest[i] == quote)
                {
                    close = i;
                    break;
                }
            }

            if (close < 0)
            {
                throw new DockerHostConfigurationException(
                    DockerHostConfigurationError.MalformedDockerDefaults,
                    $"The Docker defaults file '{path}' cannot be edited: the DOCKER_OPTS value on line {number} opens a {quote} quote that the line does not close. Put the whole value on one line between matching quotes and run again; the file was left untouched.",
                    path,
                    number);
            }

            return new Assignment(lead, quote, rest[1..close], rest[(close + 1)..]);
        }

        var word = 0;
        while (word < rest.Length && !char.IsWhiteSpace(rest[word]))
        {
            word++;
        }

        return new Assignment(lead, '\0', rest[..word], rest[word..]);
    }

    private static string Join(List<Line> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line.Content).Append(line.Terminator);
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"^(?<lead>[ \t]*(?:export[ \t]+)?DOCKER_OPTS=)")]
    private static partial Regex AssignmentPattern();

    [GeneratedRegex(@"(?:^|\s+)--insecure-registry(?:=|\s+)(?<addr>[^\s""'\\]+)(?=\s|$)")]
    private static partial Regex FlagPattern();

    [GeneratedRegex(@"\$(?:DOCKER_OPTS\b|\{DOCKER_OPTS\})")]
    private static partial Regex SelfReference();

    private sealed record Assignment(string Lead, char Quote, string Value, string Trailing);

    private sealed class Line(int number, string content, string terminator)
    {
        public int Number { get; } = number;

        public string Content { get; set; } = content;

        public string Terminator { get; } = terminator;

        public Assignment? Assignment { get; set; }
    }
}
