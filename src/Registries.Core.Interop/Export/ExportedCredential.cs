namespace Registries.Core.Interop;

/// <summary>One credential of an export; never printed (see <see cref="ToString"/>).</summary>
internal sealed class ExportedCredential
{
    public ExportedCredential(RegistryAddress address, string username, string email, RegistrySecret password)
    {
        Address = address;
        Username = username;
        Email = email;
        Password = password;
    }

    public RegistryAddress Address { get; }

    public string Username { get; }

    public string Email { get; }

    public RegistrySecret Password { get; }

    public string Key => DockerConfigKeys.KeyFor(Address);

    public override string ToString() => $"{Address} as '{Username}' (password hidden)";
}
