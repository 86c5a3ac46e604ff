namespace Registries.Core;

/// <summary>The result of resolving an image (or a registry address) in an environment: Authenticated, Anonymous or Denied.</summary>
/// <remarks>Immutable. The one public type that hands out a password, and only when Authenticated.
/// <see cref="ToString"/> never shows it.</remarks>
public sealed class CredentialResolution
{
    private CredentialResolution(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry? registry, RegistrySecret? password, string? reason)
    {
        Outcome = outcome;
        Image = image;
        Address = address;
        MatchedRegistry = registry;
        Password = password;
        Reason = reason;
    }

    /// <summary>Gets the outcome.</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the image that was resolved, or <see langword="null"/> when an address was resolved.</summary>
    public ImageReference? Image { get; }

    /// <summary>Gets the registry address that was resolved: the image's, or the one given.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the effective registry entry that decided the outcome, or <see langword="null"/> when Anonymous.</summary>
    public Registry? MatchedRegistry { get; }

    /// <summary>Gets the identifier of the matched entry, or <see langword="null"/> when Anonymous.</summary>
    public string? RegistryId => MatchedRegistry?.Id;

    /// <summary>Gets the username to send, when Authenticated.</summary>
    public string? Username => Outcome == ResolutionOutcome.Authenticated ? MatchedRegistry!.Username : null;

    /// <summary>Gets the e-mail address of the credential, when Authenticated.</summary>
    public string? Email => Outcome == ResolutionOutcome.Authenticated ? MatchedRegistry!.Email : null;

    /// <summary>Gets the password to send, when Authenticated.</summary>
    public RegistrySecret? Password { get; }

    /// <summary>Gets why the pull is prohibited, when Denied.</summary>
    public string? Reason { get; }

    /// <summary>Gets a value indicating whether the pull may go ahead (Authenticated or Anonymous).</summary>
    public bool IsAllowed => Outcome != ResolutionOutcome.Denied;

    /// <summary>Creates an Authenticated result for an image.</summary>
    /// <param name="image">The image.</param>
    /// <param name="registry">The effective, active entry.</param>
    /// <param name="password">Its password.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the image's address.</exception>
    public static CredentialResolution Authenticated(ImageReference image, Registry registry, RegistrySecret password)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Create(ResolutionOutcome.Authenticated, image, image.Address, registry, password, null);
    }

    /// <summary>Creates an Authenticated result for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="registry">The effective, active entry.</param>
    /// <param name="password">Its password.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address.</exception>
    public static CredentialResolution Authenticated(RegistryAddress address, Registry registry, RegistrySecret password)
        => Create(ResolutionOutcome.Authenticated, null, address, registry, password, null);

    /// <summary>Creates an Anonymous result for an image.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Anonymous(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new(ResolutionOutcome.Anonymous, image, image.Address, null, null, null);
    }

    /// <summary>Creates an Anonymous result for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Anonymous(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(ResolutionOutcome.Anonymous, null, address, null, null, null);
    }

    /// <summary>Creates a Denied result for an image.</summary>
    /// <param name="image">The image.</param>
    /// <param name="registry">The effective entry that prohibits the pull.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the image's address, or the reason is empty.</exception>
    public static CredentialResolution Denied(ImageReference image, Registry registry, string reason)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Create(ResolutionOutcome.Denied, image, image.Address, registry, null, reason);
    }

    /// <summary>Creates a Denied result for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="registry">The effective entry that prohibits pulls.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address, or the reason is empty.</exception>
    public static CredentialResolution Denied(RegistryAddress address, Registry registry, string reason)
        => Create(ResolutionOutcome.Denied, null, address, registry, null, reason);

    /// <inheritdoc/>
    public override string ToString()
    {
        var subject = Image?.ToString() ?? Address.ToString();
        return Outcome switch
        {
            ResolutionOutcome.Authenticated => $"Authenticated: {subject} as '{Username}' ({RegistryId})",
            ResolutionOutcome.Denied => $"Denied: {subject} ({RegistryId}): {Reason}",
            _ => $"Anonymous: {subject}",
        };
    }

    // For CredentialResolver: one factory for an image or (image null) an address, with the checks of the public ones.
    internal static CredentialResolution Of(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry? registry, RegistrySecret? password, string? reason)
        => outcome == ResolutionOutcome.Anonymous
            ? new(outcome, image, address, null, null, null)
            : Create(outcome, image, address, registry!, password, reason);

    private static CredentialResolution Create(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry registry, RegistrySecret? password, string? reason)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(registry);
        if (outcome == ResolutionOutcome.Authenticated)
        {
            ArgumentNullException.ThrowIfNull(password);
        }
        else
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        }

        if (!registry.Address.Equals(address) && !registry.Address.Covers(address))
        {
            throw new ArgumentException($"Registry '{registry.Id}' is for {registry.Scope}, not for {address}.", nameof(registry));
        }

        if (image is not null && !registry.Scope.CoversPath(image.Repository))
        {
            throw new ArgumentException($"Registry '{registry.Id}' is for {registry.Scope}, which does not cover {image}.", nameof(registry));
        }

        return new(outcome, image, address, registry, password, reason);
    }
}
