using System.Text;

namespace Registries.Core.Storage;

/// <summary>What a protected password belongs to: the registry entry whose secret it is.</summary>
/// <remarks>A protector binds every ciphertext to its context (as associated data, or as the purpose of a Data
/// Protection protector), so that one entry's ciphertext copied onto another entry, or into another environment, does
/// not decrypt. Immutable; compares by value.</remarks>
public sealed class SecretContext : IEquatable<SecretContext>
{
    /// <summary>Initializes a context.</summary>
    /// <param name="environmentId">The environment of the entry.</param>
    /// <param name="registryId">The entry's id, assigned by the store before the password is protected.</param>
    /// <exception cref="ArgumentException">An id is empty.</exception>
    public SecretContext(string environmentId, string registryId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environmentId);
        ArgumentException.ThrowIfNullOrWhiteSpace(registryId);
        EnvironmentId = environmentId;
        RegistryId = registryId;
    }

    /// <summary>Gets the environment of the entry.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the entry's id.</summary>
    public string RegistryId { get; }

    /// <summary>Gets the context as one purpose string, for protectors that bind by purpose (ASP.NET Core Data Protection).</summary>
    /// <remarks>The ids are length-prefixed, so that no two contexts give the same string.</remarks>
    public string Purpose => $"Registries.Core.RegistryPassword.v1/{EnvironmentId.Length}:{EnvironmentId}/{RegistryId.Length}:{RegistryId}";

    /// <summary>Returns the context as bytes, for protectors that bind by associated data (AES-GCM).</summary>
    /// <returns>The UTF-8 bytes of <see cref="Purpose"/>.</returns>
    public byte[] ToAssociatedData() => Encoding.UTF8.GetBytes(Purpose);

    /// <inheritdoc/>
    public bool Equals(SecretContext? other)
        => other is not null && string.Equals(EnvironmentId, other.EnvironmentId, StringComparison.Ordinal) && string.Equals(RegistryId, other.RegistryId, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SecretContext);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(EnvironmentId), StringComparer.Ordinal.GetHashCode(RegistryId));

    /// <inheritdoc/>
    public override string ToString() => EnvironmentId + "/" + RegistryId;
}
