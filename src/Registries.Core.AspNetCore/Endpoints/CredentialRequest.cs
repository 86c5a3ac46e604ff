using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Registries.Core.AspNetCore;

// The credential of an add or an edit, from the body's fields. 'source' chooses the kind and each kind takes its own
// fields; a field another kind takes is refused rather than ignored (a client that sends a password with a helper
// believes something is stored that is not):
//   stored (or no source)   email, username, password, optional expiresAt (ISO 8601, in the future)
//   credential-helper       email, sourceName (a helper the operator allowed; checked at resolution)
//   kubelet-plugin          email, sourceName (a plugin of the operator's configuration)
//   identity-token          email, username, identityToken (an OAuth2 refresh token; write-only like a password)
// Every refusal is 400 invalid-input naming the field; no value is quoted but the source's and the name's.
internal static class CredentialRequest
{
    public const string Kinds = "stored, credential-helper, kubelet-plugin or identity-token";

    public static RegistryCredential From(string? email, string? username, string? password, string? source, string? sourceName, string? expiresAt, string? identityToken, DateTimeOffset now)
    {
        var kind = source switch
        {
            null or "stored" => CredentialSourceKind.Stored,
            "credential-helper" => CredentialSourceKind.CredentialHelper,
            "kubelet-plugin" => CredentialSourceKind.KubeletPlugin,
            "identity-token" => CredentialSourceKind.IdentityToken,
            _ => throw Invalid($"The field 'source' must be one of {Kinds}.", "source"),
        };
        var name = CredentialSource.NameOf(kind);
        NotWith(kind != CredentialSourceKind.Stored, password, "password", $"A {name} credential has no password: leave out 'password' (give 'source' stored to store one).");
        NotWith(kind != CredentialSourceKind.IdentityToken, identityToken, "identityToken", "Only an identity-token credential has an identity token: give 'source' identity-token with it, or leave it out.");
        NotWith(kind != CredentialSourceKind.Stored, expiresAt, "expiresAt", $"Only a stored credential has an expiry of its own (a {name} source tells its own): leave out 'expiresAt'.");
        NotWith(kind is CredentialSourceKind.Stored or CredentialSourceKind.IdentityToken, sourceName, "sourceName", $"A {name} credential has no source name: leave out 'sourceName'.");
        NotWith(kind is CredentialSourceKind.CredentialHelper or CredentialSourceKind.KubeletPlugin, username, "username", $"A {name} tells its own username at each fetch: leave out 'username'.");

        var e = JsonBody.Required(email, "email");
        try
        {
            return kind switch
            {
                CredentialSourceKind.CredentialHelper => RegistryCredential.FromCredentialHelper(e, JsonBody.Required(sourceName, "sourceName")),
                CredentialSourceKind.KubeletPlugin => RegistryCredential.FromKubeletPlugin(e, JsonBody.Required(sourceName, "sourceName")),
                CredentialSourceKind.IdentityToken => RegistryCredential.FromIdentityToken(e, JsonBody.Required(username, "username"), new RegistrySecret(JsonBody.Required(identityToken, "identityToken"))),
                _ => new RegistryCredential(e, JsonBody.Required(username, "username"), new RegistrySecret(JsonBody.Required(password, "password")), expiresAt is null ? null : ParseExpiry(expiresAt, now)),
            };
        }
        catch (ArgumentException ex)
        {
            // The factories check only what the client sent: the e-mail address, the username, the helper's or plugin's name.
            var field = ex.ParamName switch
            {
                "email" => "email",
                "username" => "username",
                "name" or "helperName" or "pluginName" => "sourceName",
                "refreshToken" => "identityToken",
                _ => null,
            };
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", ApiProblems.WithoutParameterName(ex), field);
        }
    }

    // ISO 8601 as the CLI's --expires reads it: a date (its first instant, UTC) or a date and time with Z or an offset.
    internal static DateTimeOffset ParseExpiry(string text, DateTimeOffset now)
    {
        DateTimeOffset at;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            at = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }
        else if (!(text.Length > 16 && text[10] == 'T' && (text.EndsWith('Z') || text.AsSpan(11).IndexOfAny('+', '-') >= 0)
            && DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out at)))
        {
            throw Invalid("The field 'expiresAt' must be an ISO 8601 date (2027-01-31) or date and time with Z or an offset (2027-01-31T18:00:00Z).", "expiresAt");
        }

        return at > now ? at : throw Invalid("The field 'expiresAt' is already past: give the date the credential stops working, in the future, or leave it out.", "expiresAt");
    }

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    private static void NotWith(bool refused, string? value, string field, string message)
    {
        if (refused && value is not null)
        {
            throw Invalid(message, field);
        }
    }

    private static ApiProblemException Invalid(string detail, string field)
        => new(StatusCodes.Status400BadRequest, "invalid-input", detail, field);
}
