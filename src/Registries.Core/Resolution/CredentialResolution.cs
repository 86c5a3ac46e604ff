namespace Registries.Core;

/// <summary>The result of resolving an image (or a registry address) in an environment: Authenticated, Anonymous, Denied
/// or Unavailable.</summary>
/// <remarks>Immutable. The one public type that hands out a secret, and only when Authenticated.
/// <see cref="ToString"/> never shows it.</remarks>
public sealed class CredentialResolution
{
    private CredentialResolution(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry? registry, string? username, RegistrySecret? password, CredentialSecretKind secretKind, DateTimeOffset? expiresAt, string? reason)
    {
        Outcome = outcome;
        Image = image;
        Address = address;
        MatchedRegistry = registry;
        Username = username;
        Password = password;
        SecretKind = secretKind;
        ExpiresAt = expiresAt;
        Reason = reason;
    }

    /// <summary>Gets what the environment's policy decided: for an image, <see cref="RegistryPolicy.Evaluate"/> of the
    /// image the user asked for; for a whole address, <see cref="RegistryPolicy.EvaluateAddress"/> (denied only when
    /// every image of the address is). <see langword="null"/> when the resolution did not weigh the policy: a mirror's
    /// credential, a scope's, or one made by a factory without a policy.</summary>
    /// <remarks>The policy is decided before any credential is looked at. When it denies, <see cref="Outcome"/> is
    /// <see cref="ResolutionOutcome.Denied"/>, <see cref="MatchedRegistry"/> is <see langword="null"/> (no entry was
    /// consulted, no source asked) and <see cref="Reason"/> names the rule.</remarks>
    public PolicyDecision? Policy { get; private init; }

    /// <summary>Gets where the image would be pulled from, in order, with each mirror's credential: the mirrors of the
    /// image's registry, then the upstream itself unless a mirror is mirror-only. Empty when the registry has no mirror,
    /// the image is denied (by the policy or by its entry) or an address was resolved.</summary>
    /// <remarks>A mirror's <see cref="MirrorResolution.Credential"/> resolves the image's name on the mirror by the
    /// environment's entries, exactly as any registry's (Authenticated, Anonymous, Denied or Unavailable), without the
    /// policy: the policy is decided on the image the user asked for, never on the mirror's name. The upstream's is
    /// this resolution itself.</remarks>
    public IReadOnlyList<MirrorResolution> Mirrors { get; private init; } = [];

    /// <summary>Gets the outcome.</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the image that was resolved, or <see langword="null"/> when an address was resolved.</summary>
    public ImageReference? Image { get; }

    /// <summary>Gets the registry address that was resolved: the image's, or the one given.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the effective registry entry that decided the outcome, or <see langword="null"/> when Anonymous or
    /// when the environment's policy denied (see <see cref="Policy"/>).</summary>
    public Registry? MatchedRegistry { get; }

    /// <summary>Gets the identifier of the matched entry, or <see langword="null"/> when none matched (Anonymous, or denied by the policy).</summary>
    public string? RegistryId => MatchedRegistry?.Id;

    /// <summary>Gets where the matched entry's credential comes from, or <see langword="null"/> when none matched.</summary>
    public CredentialSource? Source => MatchedRegistry?.Source;

    /// <summary>Gets the username to send, when Authenticated: the stored one, or the one the source gave.</summary>
    public string? Username { get; }

    /// <summary>Gets the e-mail address of the credential, when Authenticated.</summary>
    public string? Email => Outcome == ResolutionOutcome.Authenticated ? MatchedRegistry!.Email : null;

    /// <summary>Gets the secret to send, when Authenticated (see <see cref="SecretKind"/> for what it is).</summary>
    public RegistrySecret? Password { get; }

    /// <summary>Gets what <see cref="Password"/> is: a password (the default), an identity token or a registry token.</summary>
    public CredentialSecretKind SecretKind { get; }

    /// <summary>Gets when the credential handed out stops working, when Authenticated: a fetched value's expiry, or a stored
    /// credential's own; <see langword="null"/> when none is known.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets why the pull is prohibited (Denied) or cannot go ahead (Unavailable).</summary>
    public string? Reason { get; }

    /// <summary>Gets a value indicating whether the pull may go ahead (Authenticated or Anonymous).</summary>
    public bool IsAllowed => Outcome is ResolutionOutcome.Authenticated or ResolutionOutcome.Anonymous;

    /// <summary>Creates an Authenticated result for an image, with a stored password.</summary>
    /// <param name="image">The image.</param>
    /// <param name="registry">The effective, active entry.</param>
    /// <param name="password">Its password.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the image's address.</exception>
    public static CredentialResolution Authenticated(ImageReference image, Registry registry, RegistrySecret password)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(registry);
        return Create(ResolutionOutcome.Authenticated, image, image.Address, registry, registry.Username, password, CredentialSecretKind.Password, registry.ExpiresAt, null);
    }

    /// <summary>Creates an Authenticated result for a registry address, with a stored password.</summary>
    /// <param name="address">The address.</param>
    /// <param name="registry">The effective, active entry.</param>
    /// <param name="password">Its password.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address.</exception>
    public static CredentialResolution Authenticated(RegistryAddress address, Registry registry, RegistrySecret password)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return Create(ResolutionOutcome.Authenticated, null, address, registry, registry.Username, password, CredentialSecretKind.Password, registry.ExpiresAt, null);
    }

    /// <summary>Creates an Authenticated result with a credential a source fetched, for an image or (image
    /// <see langword="null"/>) a registry address.</summary>
    /// <param name="image">The image, or <see langword="null"/> for a whole address.</param>
    /// <param name="address">The address (the image's when an image is given).</param>
    /// <param name="registry">The effective, active entry whose source gave the credential.</param>
    /// <param name="credential">What the source gave.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address or image, or the address is not the image's.</exception>
    public static CredentialResolution Authenticated(ImageReference? image, RegistryAddress address, Registry registry, Sources.SourcedCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (image is not null && !image.Address.Equals(address))
        {
            throw new ArgumentException($"The address {address} is not the image's ({image.Address}).", nameof(address));
        }

        return Create(ResolutionOutcome.Authenticated, image, address, registry, credential.Username, credential.Secret, credential.SecretKind, credential.ExpiresAt, null);
    }

    /// <summary>Creates an Anonymous result for an image.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Anonymous(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new(ResolutionOutcome.Anonymous, image, image.Address, null, null, null, default, null, null);
    }

    /// <summary>Creates an Anonymous result for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The result.</returns>
    public static CredentialResolution Anonymous(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new(ResolutionOutcome.Anonymous, null, address, null, null, null, default, null, null);
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
        return Create(ResolutionOutcome.Denied, image, image.Address, registry, null, null, default, null, reason);
    }

    /// <summary>Creates a Denied result for a registry address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="registry">The effective entry that prohibits pulls.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address, or the reason is empty.</exception>
    public static CredentialResolution Denied(RegistryAddress address, Registry registry, string reason)
        => Create(ResolutionOutcome.Denied, null, address, registry, null, null, default, null, reason);

    /// <summary>Creates a Denied result for an image the environment's policy denies: no entry matched, none was looked at.</summary>
    /// <param name="image">The image the user asked for.</param>
    /// <param name="policy">The policy's decision (<see cref="RegistryPolicy.Evaluate"/>), which denies the image.</param>
    /// <returns>The result, with <see cref="Policy"/> set, <see cref="MatchedRegistry"/> <see langword="null"/> and the
    /// decision's reason.</returns>
    /// <exception cref="ArgumentException">The decision allows the image.</exception>
    public static CredentialResolution DeniedByPolicy(ImageReference image, PolicyDecision policy)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PolicyDenial(image, image.Address, policy);
    }

    /// <summary>Creates a Denied result for a registry address the environment's policy denies as a whole (every image
    /// of it is denied): no entry matched, none was looked at.</summary>
    /// <param name="address">The address.</param>
    /// <param name="policy">The policy's decision (<see cref="RegistryPolicy.EvaluateAddress"/>), which denies the address.</param>
    /// <returns>The result, with <see cref="Policy"/> set, <see cref="MatchedRegistry"/> <see langword="null"/> and the
    /// decision's reason.</returns>
    /// <exception cref="ArgumentException">The decision allows the address.</exception>
    public static CredentialResolution DeniedByPolicy(RegistryAddress address, PolicyDecision policy)
    {
        ArgumentNullException.ThrowIfNull(address);
        return PolicyDenial(null, address, policy);
    }

    /// <summary>Creates an Unavailable result, for an image or (image <see langword="null"/>) a registry address: the
    /// effective entry's source cannot give a credential now.</summary>
    /// <param name="image">The image, or <see langword="null"/> for a whole address.</param>
    /// <param name="address">The address (the image's when an image is given).</param>
    /// <param name="registry">The effective, active entry whose source failed.</param>
    /// <param name="reason">What the source answered and what to fix, without a secret.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The entry is not for the address or image, or the reason is empty.</exception>
    public static CredentialResolution Unavailable(ImageReference? image, RegistryAddress address, Registry registry, string reason)
        => Create(ResolutionOutcome.Unavailable, image, address, registry, null, null, default, null, reason);

    /// <inheritdoc/>
    public override string ToString()
    {
        var subject = Image?.ToString() ?? Address.ToString();
        return Outcome switch
        {
            ResolutionOutcome.Authenticated => $"Authenticated: {subject} as '{Username}' ({RegistryId}{(Source is { IsFetched: true } source ? $", from {source}" : string.Empty)})",
            ResolutionOutcome.Denied => MatchedRegistry is null ? $"Denied: {subject} (policy): {Reason}" : $"Denied: {subject} ({RegistryId}): {Reason}",
            ResolutionOutcome.Unavailable => $"Unavailable: {subject} ({RegistryId}, from {Source}): {Reason}",
            _ => $"Anonymous: {subject}",
        };
    }

    // For the resolvers: the same resolution with the policy weighed and the mirrors planned.
    internal CredentialResolution WithPolicyAndMirrors(PolicyDecision? policy, IReadOnlyList<MirrorResolution> mirrors)
        => new(Outcome, Image, Address, MatchedRegistry, Username, Password, SecretKind, ExpiresAt, Reason) { Policy = policy, Mirrors = mirrors };

    // For the resolvers: an image whose registry is mirror-only and that no mirror can name cannot be pulled from
    // anywhere; the environment's configuration refuses it, so no entry matched.
    internal static CredentialResolution DeniedWithoutSource(ImageReference image, PolicyDecision policy, string reason)
        => new(ResolutionOutcome.Denied, image, image.Address, null, null, null, default, null, reason) { Policy = policy };

    private static CredentialResolution PolicyDenial(ImageReference? image, RegistryAddress address, PolicyDecision policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.IsAllowed)
        {
            throw new ArgumentException($"The policy's decision allows {image?.ToString() ?? address.ToString()} ({policy}): only a denial makes a policy-denied result.", nameof(policy));
        }

        return new(ResolutionOutcome.Denied, image, address, null, null, null, default, null, policy.Reason) { Policy = policy };
    }

    // For CredentialResolver: one factory for an image or (image null) an address, with the checks of the public ones.
    internal static CredentialResolution Of(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry? registry, RegistrySecret? password, string? reason)
        => outcome == ResolutionOutcome.Anonymous
            ? new(outcome, image, address, null, null, null, default, null, null)
            : Create(outcome, image, address, registry!, outcome == ResolutionOutcome.Authenticated ? registry!.Username : null, password, CredentialSecretKind.Password, outcome == ResolutionOutcome.Authenticated ? registry!.ExpiresAt : null, reason);

    private static CredentialResolution Create(ResolutionOutcome outcome, ImageReference? image, RegistryAddress address, Registry registry, string? username, RegistrySecret? password, CredentialSecretKind secretKind, DateTimeOffset? expiresAt, string? reason)
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

        return new(outcome, image, address, registry, username, password, secretKind, expiresAt, reason);
    }
}
