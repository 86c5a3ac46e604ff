using Microsoft.Extensions.Options;

namespace Registries.Core.Shared;

/// <summary>Refuses invalid options in a constructor, outside dependency injection, exactly as <c>ValidateOnStart</c>
/// does under it: the package's own <see cref="IValidateOptions{TOptions}"/>, the same messages, and the same
/// <see cref="OptionsValidationException"/> (named <see cref="Options.DefaultName"/>). Every package whose services take
/// <see cref="IOptions{TOptions}"/> links this one source (see src/Shared).</summary>
/// <remarks>What a package still chooses itself is stated at its call: how a missing <see cref="IOptions{TOptions}.Value"/>
/// is reported (<see cref="Get"/> gives the plain <see cref="ArgumentNullException"/>), and any rule that needs more
/// than the options (<see cref="ThrowIfAny"/>). The domain package has no package references, so
/// <c>RegistriesOptions</c> keeps its own <see cref="ArgumentException"/>.</remarks>
internal static class ValidatedOptions
{
    /// <summary>Returns the options' value once <paramref name="validator"/> accepts it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its value is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">A rule is broken; each failure says which and how to fix it.</exception>
    public static T Get<T>(IOptions<T> options, IValidateOptions<T> validator)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        ArgumentNullException.ThrowIfNull(value, nameof(options));
        ThrowIfInvalid(value, validator);
        return value;
    }

    /// <summary>Throws when <paramref name="validator"/> refuses <paramref name="value"/>.</summary>
    /// <exception cref="OptionsValidationException">A rule is broken; each failure says which and how to fix it.</exception>
    public static void ThrowIfInvalid<T>(T value, IValidateOptions<T> validator)
        where T : class
    {
        var result = validator.Validate(Options.DefaultName, value);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures ?? [result.FailureMessage]);
        }
    }

    /// <summary>Throws when <paramref name="failures"/> holds any, for rules a validator alone cannot check.</summary>
    /// <exception cref="OptionsValidationException"><paramref name="failures"/> is not empty.</exception>
    public static void ThrowIfAny<T>(IReadOnlyCollection<string> failures)
        where T : class
    {
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), failures);
        }
    }
}
