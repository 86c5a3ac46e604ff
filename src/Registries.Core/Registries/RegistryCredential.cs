namespace Registries.Core;

/// <summary>What a user gives to add or edit a registry: an e-mail address and either a stored username and password
/// (optionally with an expiry date) or a source the credential is fetched from (see <see cref="CredentialSource"/>).</summary>
/// <remarks>Immutable. <see cref="ToString"/> shows the username and the source, never the password or token.</remarks>
public sealed class RegistryCredential
{
    /// <summary>Initializes a new stored credential and checks that every part is present and well formed.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <exception cref="ArgumentException">A part is missing or malformed; the message says which and how to fix it.</exception>
    public RegistryCredential(string email, string username, RegistrySecret password)
        : this(email, username, password, expiresAt: null)
    {
    }

    /// <summary>Initializes a new stored credential with an expiry date (a robot account's or a deploy token's), after
    /// which the entry answers Denied with the date in the reason.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <param name="expiresAt">When the credential stops working, or <see langword="null"/> for never.</param>
    /// <exception cref="ArgumentException">A part is missing or malformed; the message says which and how to fix it.</exception>
    public RegistryCredential(string email, string username, RegistrySecret password, DateTimeOffset? expiresAt)
        : this(CheckEmail(email), CheckUsername(username), password ?? throw new ArgumentNullException(nameof(password)), CredentialSource.Stored, expiresAt)
    {
    }

    /// <summary>Initializes a new credential from a clear-text password.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <exception cref="ArgumentException">A part is missing or malformed; the message says which and how to fix it.</exception>
    public RegistryCredential(string email, string username, string password)
        : this(email, username, new RegistrySecret(password))
    {
    }

    // Every public way in checks the e-mail address first (CheckEmail), then the rest.
    private RegistryCredential(string email, string username, RegistrySecret? password, CredentialSource source, DateTimeOffset? expiresAt)
    {
        Email = email;
        Username = username;
        Password = password;
        Source = source;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the e-mail address.</summary>
    public string Email { get; }

    /// <summary>Gets the username; the empty string for a credential helper or kubelet plugin, which tells its own.</summary>
    public string Username { get; }

    /// <summary>Gets the stored secret, which never appears in text (see <see cref="RegistrySecret"/>): the password of a
    /// stored credential, the refresh token of an identity-token one, and <see langword="null"/> for a credential helper or
    /// kubelet plugin, which keeps its secrets itself.</summary>
    public RegistrySecret? Password { get; }

    /// <summary>Gets where the credential comes from.</summary>
    public CredentialSource Source { get; }

    /// <summary>Gets when a stored credential stops working, or <see langword="null"/> for never (and for every other source).</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Returns a credential fetched from a Docker credential helper, <c>docker-credential-NAME get</c>, at each resolution.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="helperName">The helper's name (<c>ecr-login</c>, <c>pass</c>, ...), one the operator allowed.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The e-mail address or the name is missing or malformed.</exception>
    public static RegistryCredential FromCredentialHelper(string email, string helperName)
        => new(CheckEmail(email), string.Empty, null, CredentialSource.CredentialHelper(helperName), null);

    /// <summary>Returns a credential fetched from a kubelet credential provider plugin named in the operator's configuration.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="pluginName">The plugin's name, as the configuration file names it.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">The e-mail address or the name is missing or malformed.</exception>
    public static RegistryCredential FromKubeletPlugin(string email, string pluginName)
        => new(CheckEmail(email), string.Empty, null, CredentialSource.KubeletPlugin(pluginName), null);

    /// <summary>Returns a credential that is an OAuth2 refresh token (Docker's <c>identitytoken</c>), stored protected and
    /// exchanged at the registry's token realm for short-lived access tokens.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username the token was issued to (the token realm may ask for it).</param>
    /// <param name="refreshToken">The refresh token; write-only, like a password.</param>
    /// <returns>The credential.</returns>
    /// <exception cref="ArgumentException">A part is missing or malformed.</exception>
    public static RegistryCredential FromIdentityToken(string email, string username, RegistrySecret refreshToken)
    {
        var checkedEmail = CheckEmail(email);
        var checkedUsername = CheckUsername(username);
        ArgumentNullException.ThrowIfNull(refreshToken);
        return new(checkedEmail, checkedUsername, refreshToken, CredentialSource.IdentityToken, null);
    }

    /// <inheritdoc/>
    public override string ToString() => Source.Kind switch
    {
        CredentialSourceKind.Stored => $"{Username} <{Email}> (password hidden{(ExpiresAt is { } at ? $", expires {at:u}" : string.Empty)})",
        CredentialSourceKind.IdentityToken => $"{Username} <{Email}> (identity token hidden)",
        _ => $"<{Email}> from {Source}",
    };

    private static string CheckEmail(string email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            throw new ArgumentException("An e-mail address is required, for example 'ops@example.com'.", nameof(email));
        }

        if (!IsEmail(email))
        {
            throw new ArgumentException($"'{email}' is not an e-mail address: give one such as 'ops@example.com'.", nameof(email));
        }

        return email;
    }

    private static string CheckUsername(string username)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            throw new ArgumentException("A username is required.", nameof(username));
        }

        if (username.Any(char.IsControl) || username.Trim().Length != username.Length)
        {
            throw new ArgumentException("The username must not contain control characters or leading or trailing blanks.", nameof(username));
        }

        if (username.Contains(':', StringComparison.Ordinal))
        {
            // Docker's auth field is base64("username:password"): a colon in the username cannot round-trip.
            throw new ArgumentException("The username must not contain ':' (Docker cannot encode it).", nameof(username));
        }

        return username;
    }

    private static bool IsEmail(string email)
        => !email.Any(char.IsWhiteSpace)
            && !email.Any(char.IsControl)
            && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at
            && at == email.LastIndexOf('@')
            && at < email.Length - 1;
}
