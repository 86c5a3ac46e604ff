using Registries.Core;

namespace Registries.Web;

/// <summary>Turns what the library refuses into the one line the page shows.</summary>
internal static partial class PageErrors
{
    /// <summary>The line for a store fault: the detail of the API's 503 answer, word for word.</summary>
    public const string StoreUnavailable = "The registry store is unavailable: retry later; the server's log has the cause.";

    /// <summary>Returns the line for an error the user can fix, or <see langword="null"/> for a fault (left to the error page).</summary>
    /// <remarks>The library's messages say what is wrong and what to do, and never carry a password; a store fault's
    /// message names a file or a database server, which is the operator's business, so the page shows a generic line.</remarks>
    /// <param name="exception">What the library threw.</param>
    /// <returns>The line, or <see langword="null"/>.</returns>
    public static string? Describe(Exception exception) => exception switch
    {
        PermissionDeniedException e => "Not permitted: " + e.Message,
        EnvironmentNotFoundException e => "Not found: " + e.Message,
        RegistryNotFoundException e => "Not found: " + e.Message,
        ConcurrencyConflictException e => "Changed meanwhile: " + e.Message + " Reload the page and try again.",
        RegistryStoreException => StoreUnavailable,
        RegistriesException e => e.Message,
        FormatException e => e.Message,
        ArgumentException e => ArgumentMessage(e),
        _ => null,
    };

    /// <summary>Returns the line as <see cref="Describe(Exception)"/> does, and logs a store fault's message, which the line leaves out.</summary>
    /// <param name="exception">What the library threw.</param>
    /// <param name="logger">The page's logger.</param>
    /// <param name="request">The request being served, named in the log.</param>
    /// <returns>The line, or <see langword="null"/>.</returns>
    public static string? Describe(Exception exception, ILogger logger, HttpRequest request)
    {
        if (exception is RegistryStoreException)
        {
            LogStoreFailure(logger, exception.GetType().Name, exception.Message, request.Method, request.Path.Value ?? string.Empty);
        }

        return Describe(exception);
    }

    // ArgumentException appends " (Parameter 'x')", which means nothing to a user of the page.
    private static string ArgumentMessage(ArgumentException exception) =>
        exception.ParamName is { } name && exception.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? exception.Message[..^$" (Parameter '{name}')".Length]
            : exception.Message;

    // The same words as the API's log line; the message never holds a password (the library's rule for its exceptions).
    [LoggerMessage(EventId = 1, EventName = "StoreFailed", Level = LogLevel.Error, Message = "The registry store failed ({ExceptionType}: {StoreMessage}) while serving the page {Method} {Path}")]
    private static partial void LogStoreFailure(ILogger logger, string exceptionType, string storeMessage, string method, string path);
}
