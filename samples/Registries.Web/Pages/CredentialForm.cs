using System.Globalization;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.Interop;
using Registries.Core.Sources;

namespace Registries.Web.Pages;

/// <summary>The credential part of the Add and Edit forms, bound from their fields (<c>Source</c>, <c>Username</c>,
/// <c>Password</c>, <c>ExpiresOn</c>, <c>Helper</c>, <c>Plugin</c>, <c>IdentityToken</c>): where the credential comes
/// from and what that kind takes. The one place both pages build a <see cref="RegistryCredential"/> and refuse a choice
/// the operator did not offer.</summary>
public sealed class CredentialForm
{
    /// <summary>Gets or sets where the credential comes from: <c>stored</c> (the default), <c>credential-helper</c>,
    /// <c>kubelet-plugin</c> or <c>identity-token</c>.</summary>
    public string Source { get; set; } = "stored";

    /// <summary>Gets or sets the username (a password's or an identity token's).</summary>
    public string? Username { get; set; }

    /// <summary>Gets or sets the password; write-only, never sent back to the page.</summary>
    public string? Password { get; set; }

    /// <summary>Gets or sets a stored credential's expiry date (<c>yyyy-MM-dd</c>, midnight UTC at its start), optional.</summary>
    public string? ExpiresOn { get; set; }

    /// <summary>Gets or sets the credential helper chosen among the allowed ones.</summary>
    public string? Helper { get; set; }

    /// <summary>Gets or sets the kubelet plugin chosen among the configured ones.</summary>
    public string? Plugin { get; set; }

    /// <summary>Gets or sets the identity token (an OAuth2 refresh token); write-only, never sent back to the page.</summary>
    public string? IdentityToken { get; set; }

    /// <summary>The form preselected to an entry's credential: its kind, username, helper or plugin and expiry date;
    /// never a secret, which must be entered again.</summary>
    /// <param name="registry">The entry.</param>
    /// <returns>The form.</returns>
    public static CredentialForm Of(Registry registry) => new()
    {
        Source = registry.Source.KindName,
        Username = registry.Username,
        Helper = registry.Source.Kind == CredentialSourceKind.CredentialHelper ? registry.Source.Name : null,
        Plugin = registry.Source.Kind == CredentialSourceKind.KubeletPlugin ? registry.Source.Name : null,
        ExpiresOn = registry.ExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>The credential of the kind chosen. A name that is not among the operator's choices is refused here (the
    /// source would refuse to run it anyway), and a date in the past is refused, as the CLI and the API refuse it.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="choices">What the operator offers.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">A kind, name, secret or date that is missing or not offered; the message says what to fix.</exception>
    public RegistryCredential Build(string? email, CredentialChoices choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        email ??= string.Empty;
        switch (Source)
        {
            case "credential-helper":
                if (string.IsNullOrEmpty(Helper) || !choices.Helpers.Contains(Helper, StringComparer.Ordinal))
                {
                    throw new ArgumentException(choices.Helpers.Count == 0
                        ? "No credential helper is allowed on this server: ask the operator to allow one (Registries:CredentialHelpers), or choose another kind."
                        : $"Choose a credential helper among the allowed ones: {string.Join(", ", choices.Helpers)}.");
                }

                return RegistryCredential.FromCredentialHelper(email, Helper);
            case "kubelet-plugin":
                if (string.IsNullOrEmpty(Plugin) || !choices.Plugins.Contains(Plugin, StringComparer.Ordinal))
                {
                    throw new ArgumentException(choices.Plugins.Count == 0
                        ? "No kubelet plugin is configured on this server: ask the operator for a CredentialProviderConfig (Registries:KubeletPluginConfig), or choose another kind."
                        : $"Choose a kubelet plugin among the configured ones: {string.Join(", ", choices.Plugins)}.");
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
}

/// <summary>What the operator offers a member on the Add and Edit forms: the allowed credential helpers and the
/// configured kubelet plugins.</summary>
/// <param name="helpers">The credential helpers the operator allowed.</param>
/// <param name="sources">The registered sources, whose kubelet plugin source names the configured plugins.</param>
public sealed class CredentialChoices(IOptions<CredentialHelperSourceOptions> helpers, IEnumerable<ICredentialSource> sources)
{
    /// <summary>Gets the credential helpers the operator allowed, which a member may choose.</summary>
    public IReadOnlyList<string> Helpers { get; } = [.. helpers.Value.AllowedHelpers];

    /// <summary>Gets the kubelet plugins of the operator's configuration, which a member may choose.</summary>
    public IReadOnlyList<string> Plugins { get; } = [.. sources.OfType<KubeletPluginSource>().SelectMany(s => s.ProviderNames).Distinct(StringComparer.Ordinal)];
}

/// <summary>The model of the shared credential fields (<c>Shared/_CredentialFields.cshtml</c>).</summary>
/// <param name="Form">The values shown (never a secret).</param>
/// <param name="Choices">What the operator offers.</param>
/// <param name="Editing">Whether the form edits an entry, whose secret must be entered again.</param>
public sealed record CredentialFields(CredentialForm Form, CredentialChoices Choices, bool Editing);
