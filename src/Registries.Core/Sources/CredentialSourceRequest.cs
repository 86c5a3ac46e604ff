namespace Registries.Core.Sources;

/// <summary>What a <see cref="ICredentialSource"/> is asked: the entry, the image or address being resolved, and the
/// entry's stored secret (the refresh token of an identity-token entry).</summary>
/// <remarks>Immutable. <see cref="ToString"/> never shows the secret.</remarks>
public sealed class CredentialSourceRequest
{
    /// <summary>Initializes a request.</summary>
    /// <param name="registry">The entry whose credential is fetched.</param>
    /// <param name="address">The registry address being resolved (the image's, or the one asked for).</param>
    /// <param name="image">The image being resolved, or <see langword="null"/> when a whole address is.</param>
    /// <param name="storedSecret">The entry's stored secret, or <see langword="null"/> when its source stores none.</param>
    /// <exception cref="ArgumentException">The entry's source is <see cref="CredentialSourceKind.Stored"/>, or a stored
    /// secret is missing or present against what the source stores.</exception>
    public CredentialSourceRequest(Registry registry, RegistryAddress address, ImageReference? image, RegistrySecret? storedSecret)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(address);
        if (!registry.Source.IsFetched)
        {
            throw new ArgumentException("A stored credential is not fetched from a source.", nameof(registry));
        }

        if (registry.Source.HasStoredSecret != (storedSecret is not null))
        {
            throw new ArgumentException(
                registry.Source.HasStoredSecret ? "An identity-token entry needs its stored refresh token." : "A helper or plugin entry stores no secret.",
                nameof(storedSecret));
        }

        Registry = registry;
        Address = address;
        Image = image;
        StoredSecret = storedSecret;
    }

    /// <summary>Gets the entry whose credential is fetched (its <see cref="Registry.Source"/> names the helper or plugin).</summary>
    public Registry Registry { get; }

    /// <summary>Gets the registry address being resolved.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the image being resolved, or <see langword="null"/> when a whole address is.</summary>
    public ImageReference? Image { get; }

    /// <summary>Gets the entry's stored secret (an identity-token entry's refresh token), or <see langword="null"/>.</summary>
    public RegistrySecret? StoredSecret { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Registry.Source} for {(object?)Image ?? Address} ({Registry.Id})";
}
