namespace Registries.Core.Storage;

/// <summary>The stored form of a registry entry: the entry (a <see cref="Registry"/>) with its password, as the service and a
/// store exchange it.</summary>
/// <remarks>Only stores and the resolver see this type. <see cref="Password"/> is <see langword="null"/> once the
/// entry is <see cref="RegistryState.Removed"/>: deleting erases the secret. <see cref="ToString"/> never shows it.</remarks>
public sealed class StoredRegistry
{
    /// <summary>Initializes a stored registry entry.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="password">The password; <see langword="null"/> exactly when the entry is Removed.</param>
    /// <exception cref="ArgumentException">A live entry has no password, or a removed one still has one.</exception>
    public StoredRegistry(Registry registry, RegistrySecret? password)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if ((registry.State == RegistryState.Removed) != (password is null))
        {
            throw new ArgumentException(
                registry.State == RegistryState.Removed
                    ? "A removed registry entry must not keep its password."
                    : "A registry entry that is not removed needs its password.",
                nameof(password));
        }

        Registry = registry;
        Password = password;
    }

    /// <summary>Gets the entry.</summary>
    public Registry Registry { get; }

    /// <summary>Gets the password, or <see langword="null"/> for a removed entry.</summary>
    public RegistrySecret? Password { get; }

    /// <inheritdoc/>
    public override string ToString() => Registry.ToString();
}
