using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Interop;
using Registries.Core.Sources;

namespace Registries.Web.Pages;

/// <summary>Add Registry: Docker Hub, Quay.io or a custom address, with an e-mail address and a credential: a stored
/// username and password (with an optional expiry date), a credential helper or a kubelet plugin the operator allowed, or
/// an identity token.</summary>
/// <param name="registries">The library, acting as the signed-in user.</param>
/// <param name="helpers">The credential helpers the operator allowed.</param>
/// <param name="sources">The registered sources, whose kubelet plugin source names the configured plugins.</param>
/// <param name="logger">Logs what a store fault was, which the page does not show.</param>
public sealed class AddModel(RegistryService registries, IOptions<CredentialHelperSourceOptions> helpers, IEnumerable<ICredentialSource> sources, ILogger<AddModel> logger) : PageModel
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

    /// <summary>Gets or sets the username.</summary>
    [BindProperty]
    public string? Username { get; set; }

    /// <summary>Gets or sets the password; write-only, never sent back to the page.</summary>
    [BindProperty]
    public string? Password { get; set; }

    /// <summary>Gets or sets where the credential comes from: <c>stored</c> (the default), <c>credential-helper</c>,
    /// <c>kubelet-plugin</c> or <c>identity-token</c>.</summary>
    [BindProperty]
    public string Source { get; set; } = "stored";

    /// <summary>Gets or sets a stored credential's expiry date (<c>yyyy-MM-dd</c>, midnight UTC at its start), optional.</summary>
    [BindProperty]
    public string? ExpiresOn { get; set; }

    /// <summary>Gets or sets the credential helper chosen among the allowed ones.</summary>
    [BindProperty]
    public string? Helper { get; set; }

    /// <summary>Gets or sets the kubelet plugin chosen among the configured ones.</summary>
    [BindProperty]
    public string? Plugin { get; set; }

    /// <summary>Gets or sets the identity token (an OAuth2 refresh token); write-only, never sent back to the page.</summary>
    [BindProperty]
    public string? IdentityToken { get; set; }

    /// <summary>Gets the credential helpers the operator allowed, which a member may choose.</summary>
    public IReadOnlyList<string> Helpers => [.. helpers.Value.AllowedHelpers];

    /// <summary>Gets the kubelet plugins of the operator's configuration, which a member may choose.</summary>
    public IReadOnlyList<string> Plugins => [.. sources.OfType<KubeletPluginSource>().SelectMany(s => s.ProviderNames).Distinct(StringComparer.Ordinal)];

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
            var registry = await registries.AddRegistryAsync(EnvironmentId ?? string.Empty, scope, Credential(), cancellationToken);
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

    // The credential of the kind chosen; a name that is not among the operator's choices is refused here (the source
    // would refuse to run it anyway), and a date in the past is refused, as the CLI and the API refuse it.
    private RegistryCredential Credential()
    {
        var email = Email ?? string.Empty;
        switch (Source)
        {
            case "credential-helper":
                if (string.IsNullOrEmpty(Helper) || !Helpers.Contains(Helper, StringComparer.Ordinal))
                {
                    throw new ArgumentException(Helpers.Count == 0
                        ? "No credential helper is allowed on this server: ask the operator to allow one (Registries:CredentialHelpers), or choose another kind."
                        : $"Choose a credential helper among the allowed ones: {string.Join(", ", Helpers)}.");
                }

                return RegistryCredential.FromCredentialHelper(email, Helper);
            case "kubelet-plugin":
                if (string.IsNullOrEmpty(Plugin) || !Plugins.Contains(Plugin, StringComparer.Ordinal))
                {
                    throw new ArgumentException(Plugins.Count == 0
                        ? "No kubelet plugin is configured on this server: ask the operator for a CredentialProviderConfig (Registries:KubeletPluginConfig), or choose another kind."
                        : $"Choose a kubelet plugin among the configured ones: {string.Join(", ", Plugins)}.");
                }

                return RegistryCredential.FromKubeletPlugin(email, Plugin);
            case "identity-token":
                return RegistryCredential.FromIdentityToken(email, Username ?? string.Empty, new RegistrySecret(string.IsNullOrEmpty(IdentityToken)
                    ? throw new ArgumentException("An identity token is required: paste the refresh token (docker's identitytoken).")
                    : IdentityToken));
            case "stored":
                return new RegistryCredential(email, Username ?? string.Empty, new RegistrySecret(Password ?? string.Empty), ExpiryOf(ExpiresOn));
            default:
                throw new ArgumentException("Choose where the credential comes from: stored, a credential helper, a kubelet plugin or an identity token.");
        }
    }

    private static DateTimeOffset? ExpiryOf(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            throw new ArgumentException("The expiry date must be a date such as 2027-01-31 (or left empty for none).");
        }

        var at = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return at > DateTimeOffset.UtcNow ? at : throw new ArgumentException($"The expiry date {text} is already past: give the date the credential stops working, or leave it empty.");
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
