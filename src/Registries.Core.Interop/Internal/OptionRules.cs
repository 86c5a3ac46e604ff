using System.Globalization;

namespace Registries.Core.Interop;

/// <summary>Rules shared by the options of this package.</summary>
internal static class OptionRules
{
    /// <summary>A timeout must be positive (zero would fail every call) and bounded (a wait nobody can sit through, or
    /// one a timer cannot hold, is a mistake, not a setting).</summary>
    public static IEnumerable<string> Timeout(string name, TimeSpan value, TimeSpan max, string example)
    {
        if (value <= TimeSpan.Zero)
        {
            yield return $"{name} is {Describe(value)}: it must be positive, for example {example}.";
        }
        else if (value > max)
        {
            yield return $"{name} is {Describe(value)}: it must be at most {Describe(max)}, for example {example}.";
        }
    }

    /// <summary>Folders that programs are taken from must be absolute: a relative one depends on the current folder, where
    /// anyone could plant a program.</summary>
    public static IEnumerable<string> AbsoluteFolders(string name, IList<string> folders, string holds)
    {
        for (var i = 0; i < folders.Count; i++)
        {
            var where = name + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (AbsolutePath(where, folders[i], $"the absolute folder that holds {holds}, for example '/usr/local/bin'") is { } problem)
            {
                yield return problem;
            }
        }
    }

    /// <summary>A path the operator names must be absolute and printable; returns what is wrong, or <see langword="null"/>.</summary>
    public static string? AbsolutePath(string name, string? value, string give)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{name} is empty: give {give}.";
        }

        if (value.Any(char.IsControl) || !Path.IsPathFullyQualified(value))
        {
            return $"{name} is '{Printable(value)}', not an absolute path: a relative one depends on the current folder. Give {give}.";
        }

        return null;
    }

    /// <summary>Echoes a hostile value safely: control characters become '?', and long text is cut.</summary>
    public static string Printable(string text)
    {
        var cut = text.Length > 80 ? text[..80] + "..." : text;
        return string.Create(cut.Length, cut, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }

    private static string Describe(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
