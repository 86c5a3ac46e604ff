using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registries.Core;

namespace Registries.Web.Pages;

/// <summary>Edit: a new e-mail address and credential for an entry, of any kind Add offers (a stored username and
/// password with an optional expiry, an allowed credential helper, a configured kubelet plugin, an identity token),
/// preselected to the entry's current kind; the address cannot change and a secret is always asked again.</summary>
/// <param name="registries">The library, acting as the signed-in user.</param>
/// <param name="choices">What the operator offers: the allowed credential helpers and the configured kubelet plugins.</param>
/// <param name="logger">Logs what a store fault was, which the page does not show.</param>
public sealed class EditModel(RegistryService registries, CredentialChoices choices, ILogger<EditModel> logger) : PageModel
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

    /// <summary>Gets or sets the credential fields (bound without a prefix: <c>Source</c>, <c>Username</c>, <c>Password</c>, ...).</summary>
    [BindProperty(Name = "")]
    public CredentialForm Credential { get; set; } = new();

    /// <summary>Gets what the operator offers: the allowed credential helpers and the configured kubelet plugins.</summary>
    public CredentialChoices Choices { get; } = choices;

    /// <summary>Gets the entry being edited.</summary>
    public RegistryListing? Entry { get; private set; }

    /// <summary>Gets the one-line error, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the form with the entry's e-mail address and credential kind (username, helper or plugin, expiry),
    /// and no secret.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Entry is not null)
        {
            Email = Entry.Registry.Email;
            Credential = CredentialForm.Of(Entry.Registry);
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
                Credential.Build(Email, Choices),
                cancellationToken: cancellationToken);
            TempData["Notice"] = registry.Source.Kind == CredentialSourceKind.Stored
                ? $"Saved {registry.Address} (entry {registry.Id}) for {registry.Username}."
                : $"Saved {registry.Address} (entry {registry.Id}): its credential comes from {registry.Source}.";
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
