using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Registries.Web.Demo;

namespace Registries.Web.Pages;

/// <summary>The sample's cookie sign-in with the demo users.</summary>
/// <param name="users">Checks a sign-in.</param>
/// <param name="options">Names the seeded environment.</param>
public sealed class LoginModel(DemoUsers users, IOptions<DemoOptions> options) : PageModel
{
    /// <summary>Gets or sets the user name typed.</summary>
    [BindProperty]
    public string? UserName { get; set; }

    /// <summary>Gets or sets the password typed; never written back to the page.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Gets or sets where to go after signing in.</summary>
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Gets the one-line error, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets the demo users.</summary>
    public IReadOnlyDictionary<string, DemoUser> Users => users.All;

    /// <summary>Gets the name of the seeded environment.</summary>
    public string EnvironmentName => options.Value.Environment;

    /// <summary>Shows the form.</summary>
    public void OnGet()
    {
    }

    /// <summary>Signs in when the user and password match.</summary>
    /// <returns>A redirect, or the form with an error.</returns>
    public async Task<IActionResult> OnPostAsync()
    {
        if (!users.Check(UserName, Password))
        {
            Error = "Unknown user or wrong password: use one of the demo users listed below.";
            return Page();
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, UserName!)], CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }

    /// <summary>Signs out.</summary>
    /// <returns>A redirect to the sign-in form.</returns>
    public async Task<IActionResult> OnPostLogoutAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return RedirectToPage("/Login");
    }
}
