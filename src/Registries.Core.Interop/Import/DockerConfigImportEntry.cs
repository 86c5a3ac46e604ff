namespace Registries.Core.Interop;

/// <summary>The outcome of one entry of an imported Docker config.</summary>
/// <remarks>Immutable; never holds a password.</remarks>
public sealed class DockerConfigImportEntry
{
    internal DockerConfigImportEntry(string key, RegistryAddress? address, string source, DockerConfigImportStatus status, string? username, string? registryId, string? reason, RegistryScope? scope = null)
    {
        Key = key;
        Address = address;
        Scope = scope ?? (address is null ? null : RegistryScope.Of(address));
        Source = source;
        Status = status;
        Username = username;
        RegistryId = registryId;
        Reason = reason;
    }

    /// <summary>Gets the key as written in the config, for example <c>https://index.docker.io/v1/</c>.</summary>
    public string Key { get; }

    /// <summary>Gets the registry address the key names, or <see langword="null"/> when the key is not an address.</summary>
    public RegistryAddress? Address { get; }

    /// <summary>Gets the scope the key names: the whole address, or a repository path for a <c>host/path</c> key (podman login's namespace keys); <see langword="null"/> when the key is not an address.</summary>
    public RegistryScope? Scope { get; }

    /// <summary>Gets where the credential came from: <c>auths</c>, <c>credsStore 'NAME'</c> or <c>credHelpers 'NAME'</c>.</summary>
    public string Source { get; }

    /// <summary>Gets what happened.</summary>
    public DockerConfigImportStatus Status { get; }

    /// <summary>Gets the username read, when one was.</summary>
    public string? Username { get; }

    /// <summary>Gets the new entry's identifier when Imported, or the effective entry's when Unchanged.</summary>
    public string? RegistryId { get; }

    /// <summary>Gets why the entry failed (or a note), never containing a secret.</summary>
    public string? Reason { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{Key} ({Source}): {Status}" + (Username is null ? string.Empty : $" as '{Username}'") + (Reason is null ? string.Empty : ": " + Reason);
}
