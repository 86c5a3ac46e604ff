namespace Registries.Core;

// Why an image reference was refused, told from the input when the exception is asked for.
// It keeps nothing: the grammar runs again, on the throwing path only, to tell which error Docker would report and to
// explain it, so that a refusal that nobody asks about costs neither.
internal readonly struct ImageReferenceFailure : IParseFailure
{
    public FormatException ToException(ReadOnlySpan<char> input)
    {
        var error = ImageReferenceParser.FindError(input) ?? throw new InvalidOperationException("The image reference parser refused an input that its grammar accepts.");
        return new ImageReferenceFormatException(error, ImageReferenceMessages.Explain(input, error));
    }
}
