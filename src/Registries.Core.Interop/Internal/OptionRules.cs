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

    private static string Describe(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
