namespace Registries.Core.Interop;

/// <summary>One entry read from a Docker config (and its helper), before it meets the domain.</summary>
internal sealed class ImportCandidate
{
    private ImportCandidate(string key, RegistryAddress? address, string source, string? username, RegistrySecret? password, string? email, string? failure, RegistryScope? scope = null)
    {
        Scope = scope ?? (address is null ? null : RegistryScope.Of(address));
        // The key and source (which names a helper) are shown in reports: never with a user-info part.
        Key = UserInfo.Redact(key);
        Address = address;
        Source = UserInfo.Redact(source);
        Username = username;
        Password = password;
        Email = email;
        Failure = failure;
    }

    public string Key { get; }

    public RegistryAddress? Address { get; }

    public RegistryScope? Scope { get; }

    public string Source { get; }

    public string? Username { get; }

    public RegistrySecret? Password { get; }

    public string? Email { get; }

    public string? Failure { get; }

    public static ImportCandidate Found(string key, RegistryAddress address, string source, string username, RegistrySecret password, string? email)
        => new(key, address, source, username, password, email, null);

    public static ImportCandidate Found(string key, RegistryScope scope, string source, string username, RegistrySecret password, string? email)
        => new(key, scope.Address, source, username, password, email, null, scope);

    public static ImportCandidate Fail(string key, RegistryAddress? address, string source, string reason)
        => new(key, address, source, null, null, null, reason);

    public DockerConfigImportEntry ToEntry(DockerConfigImportStatus status, string? registryId, string? reason)
        => new(Key, Address, Source, status, Username, registryId, reason, Scope);

    public override string ToString() => $"{Key} ({Source})" + (Failure is null ? $" as '{Username}' (password hidden)" : ": " + Failure);
}
