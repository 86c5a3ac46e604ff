namespace Registries.Core;

// Why a registry address or a host pattern was refused: the error kind, and what the message is about.
// The message itself (RegistryAddressMessages) is built from the input only when Parse throws.
internal readonly struct RegistryAddressFailure : IParseFailure
{
    private readonly Subject _subject;

    // For a pattern refused by its own rules: the fixed sentence that says why.
    private readonly string? _patternProblem;

    private RegistryAddressFailure(RegistryAddressError error, Subject subject, string? patternProblem)
    {
        Error = error;
        _subject = subject;
        _patternProblem = patternProblem;
    }

    private enum Subject : byte
    {
        // The input is refused as an address.
        Address,

        // A pattern whose host after the '*.' labels is refused as an address.
        PatternHost,

        // A pattern with nothing after its '*.' labels.
        PatternWithoutHost,

        // A pattern refused by the pattern's own rules.
        Pattern,
    }

    public RegistryAddressError Error { get; }

    public static RegistryAddressFailure OfAddress(RegistryAddressError error) => new(error, Subject.Address, null);

    public static RegistryAddressFailure OfPatternHost(RegistryAddressError error) => new(error, Subject.PatternHost, null);

    public static RegistryAddressFailure OfPatternWithoutHost() => new(RegistryAddressError.InvalidPattern, Subject.PatternWithoutHost, null);

    public static RegistryAddressFailure OfPattern(string problem) => new(RegistryAddressError.InvalidPattern, Subject.Pattern, problem);

    public FormatException ToException(ReadOnlySpan<char> input)
        => new RegistryAddressFormatException(Error, _subject switch
        {
            Subject.Address => RegistryAddressMessages.Explain(input, Error),
            Subject.PatternHost => RegistryAddressMessages.ExplainPatternHost(input[(RegistryAddress.CountWildcards(input) * 2)..], Error),
            Subject.PatternWithoutHost => RegistryAddressMessages.ExplainPatternWithoutHost(input),
            _ => RegistryAddressMessages.ExplainPattern(input, _patternProblem!),
        });
}
