namespace Registries.Core.Interop;

/// <summary>One credential of an export, with the scope it covers; never printed (see <see cref="ToString"/>).</summary>
internal sealed class ExportedCredential
{
    public ExportedCredential(RegistryScope scope, string username, string email, RegistrySecret password, CredentialSecretKind secretKind = CredentialSecretKind.Password, DateTimeOffset? expiresAt = null)
    {
        Scope = scope;
        Username = username;
        Email = email;
        Password = password;
        SecretKind = secretKind;
        ExpiresAt = expiresAt;
    }

    public ExportedCredential(RegistryAddress address, string username, string email, RegistrySecret password)
        : this(RegistryScope.Of(address), username, email, password)
    {
    }

    public RegistryScope Scope { get; }

    public RegistryAddress Address => Scope.Address;

    /// <summary>Gets a value indicating whether the credential covers a whole concrete address, the one kind every format can key.</summary>
    public bool IsWholeAddress => Scope.IsHostLevel && !Scope.Address.IsPattern;

    public string Username { get; }

    public string Email { get; }

    /// <summary>Gets the secret: a password, or the token <see cref="SecretKind"/> says.</summary>
    public RegistrySecret Password { get; }

    /// <summary>Gets what <see cref="Password"/> is; a format writes it in its own field, or leaves it out with a note.</summary>
    public CredentialSecretKind SecretKind { get; }

    /// <summary>Gets when the exported value stops working, or <see langword="null"/> when it does not expire as far as is known.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    public string Key => DockerConfigKeys.KeyFor(Address);

    public override string ToString() => $"{Scope} as '{Username}' (password hidden)";
}
