namespace Registries.Core;

// Why an image reference was refused. It keeps nothing but the input the result holds: the grammar runs again, on the
// throwing path only, to tell which error Docker would report and to explain it, so that TryParse, which needs
// neither, pays for neither.
internal readonly struct ImageReferenceFailure : IParseFailure
{
    public FormatException ToException(ReadOnlySpan<char> input)
    {
        var error = ImageReferenceParser.FindError(input) ?? throw new InvalidOperationException("The image reference parser refused an input that its grammar accepts.");
        return new ImageReferenceFormatException(error, ImageReferenceMessages.Explain(input, error));
    }
}
