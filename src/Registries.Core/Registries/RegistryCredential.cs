namespace Registries.Core;

/// <summary>What a user gives to add or edit a registry: e-mail address, username and password.</summary>
/// <remarks>Immutable. <see cref="ToString"/> shows the username, never the password.</remarks>
public sealed class RegistryCredential
{
    /// <summary>Initializes a new credential and checks that every part is present and well formed.</summary>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <exception cref="ArgumentException">A part is missing or malformed; the message says which and how to fix it.</exception>
    public RegistryCredential(string email, string username, RegistrySecret password)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            throw new ArgumentException("An e-mail address is required, for example 'ops@example.com'.", nameof(email));
        }

        if (!IsEmail(email))
        {
            throw new ArgumentException($"'{email}' is not an e-mail address: give one such as 'ops@example.com'.", nameof(email));
        }

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

        ArgumentNullException.ThrowIfNull(password);
        Email = email;
        Username = username;
        Password = password;
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

    /// <summary>Gets the e-mail address.</summary>
    public string Email { get; }

    /// <summary>Gets the username.</summary>
    public string Username { get; }

    /// <summary>Gets the password, which never appears in text (see <see cref="RegistrySecret"/>).</summary>
    public RegistrySecret Password { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Username} <{Email}> (password hidden)";

    private static bool IsEmail(string email)
        => !email.Any(char.IsWhiteSpace)
            && !email.Any(char.IsControl)
            && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at
            && at == email.LastIndexOf('@')
            && at < email.Length - 1;
}
