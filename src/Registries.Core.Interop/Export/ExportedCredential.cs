namespace Registries.Core.Interop;

/// <summary>One credential of an export, with the scope it covers; never printed (see <see cref="ToString"/>).</summary>
internal sealed class ExportedCredential
{
    public ExportedCredential(RegistryScope scope, string username, string email, RegistrySecret password)
    {
        Scope = scope;
        Username = username;
        Email = email;
        Password = password;
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

    public RegistrySecret Password { get; }

    public string Key => DockerConfigKeys.KeyFor(Address);

    public override string ToString() => $"{Scope} as '{Username}' (password hidden)";
}
