using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Registries.Web.Pages;

/// <summary>The one error page, in every environment: a line that says what happened, never a stack trace.</summary>
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    /// <summary>Gets the line shown.</summary>
    public string Message { get; private set; } = string.Empty;

    /// <summary>Describes the error of the request that failed (any method: the request is re-executed here).</summary>
    /// <param name="code">The status code, when a status code page brought the request here.</param>
    public void OnGet(int? code) => Describe(code);

    /// <summary>Describes the error of a failed POST.</summary>
    /// <param name="code">The status code, when a status code page brought the request here.</param>
    public void OnPost(int? code) => Describe(code);

    private void Describe(int? code)
    {
        var failure = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        var known = failure is null ? null : PageErrors.Describe(failure);
        Message = (known, code) switch
        {
            ({ } line, _) => line,
            (null, StatusCodes.Status400BadRequest) => "The request was refused: the form is stale or did not come from this site. Reload the page and try again.",
            (null, StatusCodes.Status403Forbidden) => "Not permitted.",
            (null, StatusCodes.Status404NotFound) => "No such page.",
            (null, { } other) => $"The request failed ({other}).",
            _ => "An unexpected error happened; it has been logged. Try again, or reload the page.",
        };
    }
}
