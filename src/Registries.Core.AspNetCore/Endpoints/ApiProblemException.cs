namespace Registries.Core.AspNetCore;

// A problem the endpoints find themselves (a malformed body, a stale If-Match): thrown inside a handler and turned
// into its ProblemDetails by the same filter that maps the library's exceptions, so every error leaves one way.
internal sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string code, string detail, string? field = null)
        : base(detail)
    {
        Status = status;
        Code = code;
        Field = field;
    }

    public int Status { get; }

    public string Code { get; }

    public string? Field { get; }
}
