namespace Registries.Core.Sources;

/// <summary>A credential a <see cref="ICredentialSource"/> fetched: a username, a secret of some kind, and how long it
/// may be used.</summary>
/// <remarks>Immutable. <see cref="ToString"/> never shows the secret. A fetched secret is kept in memory only: never
/// written to the store, a log or a file of the library's.</remarks>
public sealed class SourcedCredential
{
    /// <summary>Initializes a fetched credential.</summary>
    /// <param name="username">The username to send (for a token, what the registry expects with it, for example
    /// <c>AWS</c>, <c>oauth2accesstoken</c> or <c>&lt;token&gt;</c>).</param>
    /// <param name="secret">The secret.</param>
    /// <param name="secretKind">What the secret is, which decides how the engine is given it.</param>
    /// <param name="expiresAt">When it stops working, or <see langword="null"/> when the source does not say (the cache
    /// then keeps it for its configured maximum).</param>
    /// <param name="cacheScope">Which resolutions may share it.</param>
    /// <exception cref="ArgumentException">The username is empty or holds a control character.</exception>
    public SourcedCredential(string username, RegistrySecret secret, CredentialSecretKind secretKind, DateTimeOffset? expiresAt, CredentialCacheScope cacheScope = CredentialCacheScope.Registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(secret);
        if (username.Any(char.IsControl))
        {
            throw new ArgumentException("A username must not hold control characters.", nameof(username));
        }

        if (!Enum.IsDefined(secretKind))
        {
            throw new ArgumentOutOfRangeException(nameof(secretKind), secretKind, "Unknown secret kind.");
        }

        if (!Enum.IsDefined(cacheScope))
        {
            throw new ArgumentOutOfRangeException(nameof(cacheScope), cacheScope, "Unknown cache scope.");
        }

        Username = username;
        Secret = secret;
        SecretKind = secretKind;
        ExpiresAt = expiresAt;
        CacheScope = cacheScope;
    }

    /// <summary>Gets the username to send.</summary>
    public string Username { get; }

    /// <summary>Gets the secret (see <see cref="SecretKind"/>).</summary>
    public RegistrySecret Secret { get; }

    /// <summary>Gets what the secret is.</summary>
    public CredentialSecretKind SecretKind { get; }

    /// <summary>Gets when the credential stops working, or <see langword="null"/> when the source did not say.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets which resolutions may share the credential.</summary>
    public CredentialCacheScope CacheScope { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Username} ({SecretKind} hidden{(ExpiresAt is { } at ? $", expires {at:u}" : string.Empty)})";
}
