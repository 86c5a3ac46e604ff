using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registries.Core;

namespace Registries.Web.Pages;

/// <summary>Edit: a new e-mail address, username and password for an entry; the address cannot change and the password is always asked again.</summary>
/// <param name="registries">The library, acting as the signed-in user.</param>
/// <param name="logger">Logs what a store fault was, which the page does not show.</param>
public sealed class EditModel(RegistryService registries, ILogger<EditModel> logger) : PageModel
{
    /// <summary>Gets or sets the environment's id.</summary>
    [BindProperty(SupportsGet = true, Name = "env")]
    public string? EnvironmentId { get; set; }

    /// <summary>Gets or sets the entry's id.</summary>
    [BindProperty(SupportsGet = true, Name = "id")]
    public string? RegistryId { get; set; }

    /// <summary>Gets or sets the e-mail address.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Gets or sets the username.</summary>
    [BindProperty]
    public string? Username { get; set; }

    /// <summary>Gets or sets the new password; write-only, never sent back to the page.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Gets the entry being edited.</summary>
    public RegistryListing? Entry { get; private set; }

    /// <summary>Gets the one-line error, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the form with the entry's e-mail address and username, and an empty password.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Entry is not null)
        {
            Email = Entry.Registry.Email;
            Username = Entry.Registry.Username;
        }

        return Page();
    }

    /// <summary>Saves the new credential.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the form with an error.</returns>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var registry = await registries.EditRegistryAsync(
                EnvironmentId ?? string.Empty,
                RegistryId ?? string.Empty,
                new RegistryCredential(Email ?? string.Empty, Username ?? string.Empty, Password ?? string.Empty),
                cancellationToken: cancellationToken);
            TempData["Notice"] = $"Saved {registry.Address} (entry {registry.Id}) for {registry.Username}.";
            return RedirectToPage("/Index", new { env = EnvironmentId });
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            Error = line;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await registries.EnsurePermissionAsync(EnvironmentId ?? string.Empty, RegistryPermission.ManageRegistries, cancellationToken);
            Entry = await registries.GetRegistryAsync(EnvironmentId ?? string.Empty, RegistryId ?? string.Empty, cancellationToken);
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            Error ??= line;
            Entry = null;
        }
    }
}
