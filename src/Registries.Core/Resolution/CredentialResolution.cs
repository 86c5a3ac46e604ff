namespace Registries.Core;

/// <summary>The result of resolving an image in an environment: Authenticated, Anonymous or Denied.</summary>
/// <remarks>Immutable. <see cref="ToString"/> never shows the password.</remarks>
public sealed class CredentialResolution
{
    private CredentialResolution(ResolutionOutcome outcome, ImageReference image, Registry? registry, RegistrySecret? password, string? reason)
    {
        Outcome = outcome;
        Image = image;
        MatchedRegistry = registry;
        Password = password;
        Reason = reason;
    }

    /// <summary>Gets the outcome.</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the image that was resolved.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets the registry address of the image.</summary>
    public RegistryAddress Registry => Image.Registry;

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

    /// <summary>Creates an Authenticated result.</summary>
    /// <param name="image">The image.</param>
    /// <param name="registry">The effective, active entry.</param>
    /// <param name="password">Its password.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Authenticated(ImageReference image, Registry registry, RegistrySecret password)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(password);
        return new(ResolutionOutcome.Authenticated, image, registry, password, null);
    }

    /// <summary>Creates an Anonymous result.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Anonymous(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new(ResolutionOutcome.Anonymous, image, null, null, null);
    }

    /// <summary>Creates a Denied result.</summary>
    /// <param name="image">The image.</param>
    /// <param name="registry">The effective entry that prohibits the pull.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Denied(ImageReference image, Registry registry, string reason)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(ResolutionOutcome.Denied, image, registry, null, reason);
    }

    /// <inheritdoc/>
    public override string ToString() => Outcome switch
    {
        ResolutionOutcome.Authenticated => $"Authenticated: {Image} as '{Username}' ({RegistryId})",
        ResolutionOutcome.Denied => $"Denied: {Image} ({RegistryId}): {Reason}",
        _ => $"Anonymous: {Image}",
    };
}
