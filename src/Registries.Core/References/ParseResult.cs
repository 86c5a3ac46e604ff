using System.Diagnostics.CodeAnalysis;

namespace Registries.Core;

// A parser's answer: the value, or a failure that becomes an exception only when asked for (NodaTime's ParseResult<T>).
// A ref struct because a failure is explained from the caller's input, which it keeps as a span: a refused parse
// allocates nothing until someone wants to know why.
internal readonly ref struct ParseResult<T, TFailure>
    where T : class
    where TFailure : struct, IParseFailure
{
    private readonly T? _value;
    private readonly TFailure _failure;
    private readonly ReadOnlySpan<char> _input;

    private ParseResult(T? value, TFailure failure, ReadOnlySpan<char> input)
    {
        _value = value;
        _failure = failure;
        _input = input;
    }

    public bool Success => _value is not null;

    // The exception that Parse throws: the error kind and the explained message, made anew on each call.
    public FormatException Exception => _value is null ? _failure.ToException(_input) : throw new InvalidOperationException("The parse succeeded: it has no exception.");

    public static ParseResult<T, TFailure> ForValue(T value) => new(value, default, default);

    public static ParseResult<T, TFailure> ForFailure(ReadOnlySpan<char> input, TFailure failure) => new(null, failure, input);

    public T GetValueOrThrow() => _value ?? throw _failure.ToException(_input);

    public bool TryGetValue([NotNullWhen(true)] out T? value)
    {
        value = _value;
        return value is not null;
    }
}
