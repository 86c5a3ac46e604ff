using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Registries.Core.Interop;

namespace Registries.Core.AspNetCore;

// The one mapping from an error to its HTTP answer (docs/web.md: the table of codes), used by RegistriesExceptionHandler.
// Only the documented exception types of the library, and the API's own refusals of its input (ApiProblemException),
// are mapped by type; anything else, an ArgumentException or a FormatException of a bug included, is a 500 with a
// generic detail, its cause in the log only. The library's ArgumentExceptions about input the API passed on are turned
// into ApiProblemException where the API makes the call (InvalidInput), so a 400 always names what the client sent.
internal static partial class ApiProblems
{
    // A stable prefix plus the code: clients switch on `type` (or the `code` extension), never on `detail`.
    public const string TypePrefix = "urn:registries:problem:";

    public static (int Status, string Code) Classify(Exception exception) => exception switch
    {
        ApiProblemException problem => (problem.Status, problem.Code),
        MissingCallerException => (StatusCodes.Status401Unauthorized, "unauthenticated"),

        // The same answer for "no such environment" and "not a member": an outsider learns nothing.
        EnvironmentNotFoundException or RegistryNotFoundException => (StatusCodes.Status404NotFound, "not-found"),
        PermissionDeniedException => (StatusCodes.Status403Forbidden, "permission-denied"),
        UnsupportedOrchestrationException => (StatusCodes.Status409Conflict, "unsupported-orchestration"),
        InvalidRegistryStateException => (StatusCodes.Status409Conflict, "invalid-state"),
        ConcurrencyConflictException => (StatusCodes.Status409Conflict, "version-conflict"),
        DuplicateEnvironmentNameException => (StatusCodes.Status409Conflict, "duplicate-name"),
        AmbiguousEnvironmentNameException => (StatusCodes.Status400BadRequest, "ambiguous-name"),

        // The CLI's docker-config --strict: refused by the rules (exit 3), with the entries named (see From).
        DockerConfigExportRefusedException => (StatusCodes.Status409Conflict, "export-refused"),
        RegistryRuleException => (StatusCodes.Status409Conflict, "refused"),
        RegistryStoreException => (StatusCodes.Status503ServiceUnavailable, "store-unavailable"),

        // The parsers' own FormatExceptions: an image reference or an address the client wrote.
        ImageReferenceFormatException or RegistryAddressFormatException => (StatusCodes.Status400BadRequest, "invalid-input"),
        _ => (StatusCodes.Status500InternalServerError, "internal-error"),
    };

    public static ProblemDetails From(Exception exception, ILogger logger, string method, string path)
    {
        var (status, code) = Classify(exception);
        string detail;
        string? field = null;
        switch (exception)
        {
            case ApiProblemException problem:
                detail = problem.Message;
                field = problem.Field;
                break;
            case MissingCallerException:
                detail = "Sign in first: this API needs an authenticated user who is a member of the environment.";
                break;
            case RegistryStoreException:
                // The store's message names a file or a database host: for the operator's log, not for every client.
                LogStoreFailure(logger, exception.GetType().Name, exception.Message, method, path);
                detail = "The registry store is unavailable: retry later; the server's log has the cause.";
                break;
            case RegistriesException or ImageReferenceFormatException or RegistryAddressFormatException:
                // The library's messages say what to fix and never hold a secret.
                detail = exception.Message;
                break;
            default:
                // An unknown exception's message may quote anything (a value, a header): only its type and stack trace
                // are logged, and the client gets a generic line.
                LogUnexpected(logger, exception.GetType().FullName ?? exception.GetType().Name, method, path, exception.StackTrace ?? string.Empty);
                detail = "An unexpected error occurred: retry, and if it persists, tell the operator (the server's log has the cause).";
                break;
        }

        var details = Create(status, code, detail, field);
        if (exception is DockerConfigExportRefusedException refused)
        {
            // Every entry, whatever the detail's length: a client shows or fixes each one.
            details.Extensions["scopes"] = refused.Scopes.Select(s => s.ToString()).ToArray();
        }

        return details;
    }

    public static ProblemDetails Create(int status, string code, string detail, string? field = null)
    {
        var problem = new ProblemDetails
        {
            Status = status,
            Type = TypePrefix + code,
            Title = TitleOf(status),
            Detail = OneLine(detail),
        };
        problem.Extensions["code"] = code;
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    // The library refused a value the API passed on from the request (its documented ArgumentException for that
    // parameter): the client's input, so 400 naming the field.
    public static ApiProblemException InvalidInput(ArgumentException exception)
        => new(StatusCodes.Status400BadRequest, "invalid-input", WithoutParameterName(exception), exception.ParamName);

    private static string TitleOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status409Conflict => "Conflict",
        StatusCodes.Status413PayloadTooLarge => "Payload too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        StatusCodes.Status503ServiceUnavailable => "Service unavailable",
        _ => "Internal server error",
    };

    // A detail is one line: a client shows it as it is.
    private static string OneLine(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxDetailLength ? line : string.Concat(line.AsSpan(0, MaxDetailLength), "…");
    }

    private const int MaxDetailLength = 1024;

    // "... (Parameter 'email')" names a C# parameter; the `field` extension carries it instead.
    internal static string WithoutParameterName(ArgumentException exception)
    {
        var suffix = $" (Parameter '{exception.ParamName}')";
        var message = exception.Message;
        var at = exception.ParamName is null ? -1 : message.IndexOf(suffix, StringComparison.Ordinal);
        return at < 0 ? message : message.Remove(at, suffix.Length);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "The registry store failed ({ExceptionType}: {StoreMessage}) while serving {Method} {Path}")]
    private static partial void LogStoreFailure(ILogger logger, string exceptionType, string storeMessage, string method, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} while serving {Method} {Path}; its message is not logged, as it may quote a secret. Stack trace: {StackTrace}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, string method, string path, string stackTrace);
}
