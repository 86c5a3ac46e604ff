using Registries.Core;

namespace Registries.Web;

/// <summary>Turns what the library refuses into the one line the page shows.</summary>
internal static class PageErrors
{
    /// <summary>Returns the line for an error the user can fix, or <see langword="null"/> for a fault (left to the error page).</summary>
    /// <remarks>The library's messages already say what is wrong and what to do, and never carry a password.</remarks>
    /// <param name="exception">What the library threw.</param>
    /// <returns>The line, or <see langword="null"/>.</returns>
    public static string? Describe(Exception exception) => exception switch
    {
        PermissionDeniedException e => "Not permitted: " + e.Message,
        EnvironmentNotFoundException e => "Not found: " + e.Message,
        RegistryNotFoundException e => "Not found: " + e.Message,
        ConcurrencyConflictException e => "Changed meanwhile: " + e.Message + " Reload the page and try again.",
        RegistryStoreException e => "The store failed: " + e.Message,
        RegistriesException e => e.Message,
        FormatException e => e.Message,
        ArgumentException e => ArgumentMessage(e),
        _ => null,
    };

    // ArgumentException appends " (Parameter 'x')", which means nothing to a user of the page.
    private static string ArgumentMessage(ArgumentException exception) =>
        exception.ParamName is { } name && exception.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? exception.Message[..^$" (Parameter '{name}')".Length]
            : exception.Message;
}
