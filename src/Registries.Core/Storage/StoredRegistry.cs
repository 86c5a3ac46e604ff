namespace Registries.Core.Storage;

/// <summary>The stored form of a registry entry: the entry (a <see cref="Registry"/>) with its stored secret, as the service
/// and a store exchange it.</summary>
/// <remarks>Only stores and the resolver see this type. <see cref="Password"/> is the stored secret (a password, or an
/// identity-token entry's refresh token); it is <see langword="null"/> for an entry whose source stores none (a credential
/// helper or a kubelet plugin) and once the entry is <see cref="RegistryState.Removed"/>: deleting erases the secret.
/// <see cref="ToString"/> never shows it.</remarks>
public sealed class StoredRegistry
{
    /// <summary>Initializes a stored registry entry.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="password">The stored secret; <see langword="null"/> exactly when the entry is Removed or its source stores none.</param>
    /// <exception cref="ArgumentException">A live entry whose source stores a secret has none, or a removed entry or one
    /// whose source stores none has one.</exception>
    public StoredRegistry(Registry registry, RegistrySecret? password)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var needsSecret = registry.State != RegistryState.Removed && registry.Source.HasStoredSecret;
        if (needsSecret != (password is not null))
        {
            throw new ArgumentException(
                registry.State == RegistryState.Removed ? "A removed registry entry must not keep its password."
                    : needsSecret ? "A registry entry that is not removed needs its password."
                    : $"A {registry.Source.KindName} entry stores no secret: its source keeps it.",
                nameof(password));
        }

        Registry = registry;
        Password = password;
    }

    /// <summary>Gets the entry.</summary>
    public Registry Registry { get; }

    /// <summary>Gets the stored secret, or <see langword="null"/> for a removed entry or one whose source stores none.</summary>
    public RegistrySecret? Password { get; }

    /// <inheritdoc/>
    public override string ToString() => Registry.ToString();
}
