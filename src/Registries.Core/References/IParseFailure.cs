namespace Registries.Core;

// What a parser keeps of an input it refused: a struct, so that a refusal allocates nothing. The exception (the error
// kind and a message that says how to fix the input) is made from it and the input only when a caller asks for it:
// building that message allocates, and TryParse never needs it.
internal interface IParseFailure
{
    FormatException ToException(ReadOnlySpan<char> input);
}
