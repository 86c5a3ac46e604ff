using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Registries.Core;

namespace Registries.Web.Pages;

/// <summary>Add Registry: Docker Hub, Quay.io or a custom address, with an e-mail address and a credential: a stored
/// username and password (with an optional expiry date), a credential helper or a kubelet plugin the operator allowed, or
/// an identity token.</summary>
/// <param name="registries">The library, acting as the signed-in user.</param>
/// <param name="choices">What the operator offers: the allowed credential helpers and the configured kubelet plugins.</param>
/// <param name="logger">Logs what a store fault was, which the page does not show.</param>
public sealed class AddModel(RegistryService registries, CredentialChoices choices, ILogger<AddModel> logger) : PageModel
{
    /// <summary>Gets or sets the environment's id.</summary>
    [BindProperty(SupportsGet = true, Name = "env")]
    public string? EnvironmentId { get; set; }

    /// <summary>Gets or sets the kind chosen; Docker Hub unless another is chosen, as in Rancher.</summary>
    [BindProperty]
    public RegistryKind Kind { get; set; } = RegistryKind.DockerHub;

    /// <summary>Gets or sets the address of a custom registry.</summary>
    [BindProperty]
    public string? Address { get; set; }

    /// <summary>Gets or sets the optional repository path prefix (<c>team</c>, <c>team/sub</c>); empty for the whole registry.</summary>
    [BindProperty]
    public string? Path { get; set; }

    /// <summary>Gets or sets the e-mail address.</summary>
    [BindProperty]
    public string? Email { get; set; }

    /// <summary>Gets or sets the credential fields (bound without a prefix: <c>Source</c>, <c>Username</c>, <c>Password</c>, ...).</summary>
    [BindProperty(Name = "")]
    public CredentialForm Credential { get; set; } = new();

    /// <summary>Gets what the operator offers: the allowed credential helpers and the configured kubelet plugins.</summary>
    public CredentialChoices Choices { get; } = choices;

    /// <summary>Gets the environment.</summary>
    public RegistryEnvironment? Environment { get; private set; }

    /// <summary>Gets the one-line error, if any.</summary>
    public string? Error { get; private set; }

    /// <summary>Shows the form, or why the user may not add.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The page.</returns>
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Adds the registry: from now on its credential is the one used for its address.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A redirect to the list, or the form with an error.</returns>
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var address = Kind switch
            {
                RegistryKind.DockerHub => RegistryAddress.DockerHub,
                RegistryKind.Quay => RegistryAddress.Quay,
                _ when string.IsNullOrWhiteSpace(Address) => throw new ArgumentException(
                    "A Custom registry needs its address: the IP or host name with an optional port, for example 'registry.example.com:5000'."),
                // A leading '*' is a host pattern, as RegistryScope.Parse reads it.
                _ when Address.StartsWith('*') => RegistryAddress.ParsePattern(Address),
                _ => RegistryAddress.Parse(Address),
            };
            var scope = RegistryScope.Create(address, string.IsNullOrEmpty(Path) ? null : Path);
            var registry = await registries.AddRegistryAsync(EnvironmentId ?? string.Empty, scope, Credential.Build(Email, Choices), cancellationToken);
            TempData["Notice"] = $"Added {registry.Scope} (entry {registry.Id}): it is now the credential used for {registry.Scope}.";
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
            Environment = await registries.EnsurePermissionAsync(EnvironmentId ?? string.Empty, RegistryPermission.ManageRegistries, cancellationToken);
        }
        catch (Exception e) when (PageErrors.Describe(e, logger, Request) is { } line)
        {
            Error ??= line;
            Environment = null;
        }
    }
}
