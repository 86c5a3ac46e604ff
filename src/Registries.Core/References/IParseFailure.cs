namespace Registries.Core;

// What a parser keeps of an input it refused, to explain it later.
// A struct, so that a refusal allocates nothing: the exception (the error kind and a message that says how to fix the
// input) is made from it and the input only when a caller asks, since building that message allocates.
internal interface IParseFailure
{
    FormatException ToException(ReadOnlySpan<char> input);
}
