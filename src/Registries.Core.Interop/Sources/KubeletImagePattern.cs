using System.Globalization;
using System.Text.RegularExpressions;

namespace Registries.Core.Interop;

/// <summary>A <c>matchImages</c> pattern (or a response's <c>auth</c> key) matched against an image the way the kubelet
/// matches them: both read as URLs (<c>https://</c> added when there is no scheme); the ports must be equal (both absent,
/// or the same); the hosts must have as many dot-separated labels, each matched by the pattern's label as a glob
/// (<c>*</c>, <c>?</c>, <c>[a-z]</c>, as Go's <c>filepath.Match</c>); and the pattern's path must be a prefix of the image's
/// (a plain string prefix, as the kubelet compares it).</summary>
internal sealed partial class KubeletImagePattern
{
    private readonly string[] _labels;
    private readonly string _port;
    private readonly string _path;

    private KubeletImagePattern(string text, string[] labels, string port, string path)
    {
        Text = text;
        _labels = labels;
        _port = port;
        _path = path;
    }

    public string Text { get; }

    /// <summary>Gets how specific the pattern is, for choosing among several that match: a longer path first, then fewer
    /// wildcards in the host, then more labels.</summary>
    public (int Path, int Wildcards, int Labels) Specificity
        => (_path.Length, -_labels.Sum(l => l.Count(c => c is '*' or '?' or '[')), _labels.Length);

    /// <summary>Reads a pattern, or says why it is not one.</summary>
    public static KubeletImagePattern? TryParse(string text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 512 || text.Any(c => char.IsControl(c) || c == ' '))
        {
            problem = "it is empty, longer than 512 characters or holds spaces or control characters";
            return null;
        }

        var (host, port, path) = Split(text);
        if (host.Length == 0)
        {
            problem = "it names no host";
            return null;
        }

        var labels = host.Split('.');
        foreach (var label in labels)
        {
            if (!Glob.IsValid(label))
            {
                problem = $"the host label '{OptionRules.Printable(label)}' is not a valid glob (an unclosed '[' or a trailing '\\')";
                return null;
            }
        }

        return new KubeletImagePattern(text, labels, port, path);
    }

    /// <summary>Tells whether the pattern covers an image (or a <c>host[:port]</c>).</summary>
    public bool Matches(string image)
    {
        var (host, port, path) = Split(image);
        if (!string.Equals(port, _port, StringComparison.Ordinal) || !path.StartsWith(_path, StringComparison.Ordinal))
        {
            return false;
        }

        var labels = host.Split('.');
        if (labels.Length != _labels.Length)
        {
            return false;
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (!Glob.Matches(_labels[i], labels[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Text;

    // As Go's url.Parse of "https://" + text, then net.SplitHostPort: the authority ends at the first '/', and a port is
    // what follows the last ':' of the authority (brackets kept out of the host for IPv6).
    private static (string Host, string Port, string Path) Split(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var rest = scheme >= 0 ? text[(scheme + 3)..] : text;
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[slash..];
        var at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        var colon = authority.LastIndexOf(':');
        var close = authority.LastIndexOf(']');
        if (colon > close)
        {
            return (authority[..colon].Trim('[', ']'), authority[(colon + 1)..], path);
        }

        return (authority.Trim('[', ']'), string.Empty, path);
    }

    /// <summary>Go's <c>filepath.Match</c> over one host label (no separator inside): <c>*</c>, <c>?</c>, classes with
    /// ranges and <c>^</c> negation, and <c>\</c> escapes; matched through a regular expression with a timeout.</summary>
    private static class Glob
    {
        public static bool IsValid(string pattern) => ToRegex(pattern) is not null;

        public static bool Matches(string pattern, string value)
        {
            var regex = ToRegex(pattern);
            if (regex is null)
            {
                return false;
            }

            try
            {
                return Regex.IsMatch(value, regex, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private static string? ToRegex(string pattern)
        {
            var builder = new System.Text.StringBuilder("^");
            for (var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch (c)
                {
                    case '*':
                        builder.Append(".*");
                        break;
                    case '?':
                        builder.Append('.');
                        break;
                    case '\\':
                        if (++i == pattern.Length)
                        {
                            return null;
                        }

                        builder.Append(Regex.Escape(pattern[i].ToString()));
                        break;
                    case '[':
                        var close = pattern.IndexOf(']', i + 2);
                        if (close < 0)
                        {
                            return null;
                        }

                        var body = pattern[(i + 1)..close];
                        var negate = body.StartsWith('^');
                        if (negate)
                        {
                            body = body[1..];
                        }

                        if (body.Length == 0 || body.Contains('\\', StringComparison.Ordinal) || body.Contains('[', StringComparison.Ordinal))
                        {
                            return null;
                        }

                        builder.Append('[').Append(negate ? "^" : string.Empty).Append(body.Replace("^", "\\^", StringComparison.Ordinal)).Append(']');
                        i = close;
                        break;
                    default:
                        builder.Append(Regex.Escape(c.ToString()));
                        break;
                }
            }

            return builder.Append('$').ToString();
        }
    }
}

/// <summary>Go's <c>time.Duration</c> text as <c>metav1.Duration</c> carries it: <c>12h</c>, <c>1h30m0s</c>,
/// <c>1.5s</c>, <c>500ms</c>, <c>0s</c>.</summary>
internal static partial class GoDuration
{
    /// <summary>Reads a duration, or <see langword="null"/> when the text is not one (or exceeds 10 years).</summary>
    public static TimeSpan? TryParse(string? text)
    {
        if (text is null || text.Length is 0 or > 64)
        {
            return null;
        }

        if (text is "0" or "-0" or "+0")
        {
            return TimeSpan.Zero;
        }

        var match = Pattern().Match(text);
        if (!match.Success)
        {
            return null;
        }

        decimal ticks = 0;
        foreach (Capture capture in match.Groups["part"].Captures)
        {
            var part = Part().Match(capture.Value);
            if (!decimal.TryParse(part.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            ticks += number * part.Groups["u"].Value switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => 10m,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
            if (ticks > TimeSpan.TicksPerDay * 3660m)
            {
                return null;
            }
        }

        var result = TimeSpan.FromTicks((long)ticks);
        return match.Groups["sign"].Value == "-" ? -result : result;
    }

    [GeneratedRegex("^(?<sign>[-+]?)(?<part>(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex("^(?<n>[0-9.]+)(?<u>.+)\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Part();
}
