using System.Globalization;
using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

/// <summary>Runs an options validator in a constructor, so a service built without dependency injection refuses invalid
/// options exactly as <c>ValidateOnStart</c> does under it: an <see cref="OptionsValidationException"/> with the same messages.</summary>
internal static class ValidatedOptions
{
    public static T Get<T>(IOptions<T> options, IValidateOptions<T> validator)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ArgumentNullException.ThrowIfNull(value, nameof(options));
        var result = validator.Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures ?? [result.FailureMessage]);
        }

        return value;
    }
}

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
