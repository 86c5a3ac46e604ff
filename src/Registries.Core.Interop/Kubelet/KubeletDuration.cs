using System.Globalization;
using System.Text.RegularExpressions;

namespace Registries.Core.Interop;

/// <summary>Durations as the kubelet reads and writes them: Go's <c>time.Duration</c> text (<c>30s</c>, <c>5m0s</c>, <c>1h30m0s</c>), in whole seconds.</summary>
public static partial class KubeletDuration
{
    /// <summary>Formats a duration as Go's <c>time.Duration.String</c> does for whole seconds.</summary>
    /// <param name="duration">A positive duration in whole seconds.</param>
    /// <returns>For example <c>1m0s</c> for one minute, <c>1h30m0s</c>, <c>45s</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The duration is not positive or not whole seconds.</exception>
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero || duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A kubelet cache duration is a positive number of whole seconds.");
        }

        var total = (long)duration.TotalSeconds;
        var hours = total / 3600;
        var minutes = total / 60 % 60;
        var seconds = total % 60;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{seconds}s")
            : minutes > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{minutes}m{seconds}s")
                : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
    }

    /// <summary>Parses a duration written as Go writes one, in hours, minutes and seconds: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1h30m</c>, <c>1m0s</c>.</summary>
    /// <param name="text">The duration.</param>
    /// <returns>The duration (not checked against a bound; the options' rules do that).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">The text is no such duration; the message shows the accepted forms.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = DurationPattern().Match(text);
        if (text.Length == 0 || text.Length > 32 || !match.Success)
        {
            var shown = text.Length > 32 ? string.Concat(text.AsSpan(0, 32), "…") : text;
            throw new FormatException($"'{shown}' is not a duration: write whole hours, minutes and seconds as Go does, for example 30s, 5m, 1h or 1h30m.");
        }

        long Part(string group) => match.Groups[group].Success ? long.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        var seconds = checked((Part("h") * 3600) + (Part("m") * 60) + Part("s"));
        return TimeSpan.FromSeconds(seconds);
    }

    // For messages about a value the rules refuse: 0s, -1m0s, or the exact span when it is not whole seconds.
    internal static string Describe(TimeSpan duration)
        => duration == TimeSpan.Zero ? "0s"
            : duration.Ticks % TimeSpan.TicksPerSecond != 0 ? duration.ToString("c", CultureInfo.InvariantCulture)
            : duration < TimeSpan.Zero ? "-" + Format(duration.Duration())
            : Format(duration);

    // At most 7 digits a part: large enough for any bound, small enough never to overflow.
    [GeneratedRegex("^(?:(?<h>[0-9]{1,7})h)?(?:(?<m>[0-9]{1,7})m)?(?:(?<s>[0-9]{1,7})s)?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
