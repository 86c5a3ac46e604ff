namespace Registries.Core.Sources;

/// <summary>What <see cref="CredentialSources"/> tells its observers: which entry, which source, what happened, and
/// until when the credential lasts or why it failed. Holds no secret.</summary>
/// <remarks>Immutable. <see cref="ToString"/> is a log line without a secret.</remarks>
public sealed class CredentialSourceEvent
{
    /// <summary>Initializes an event.</summary>
    /// <param name="kind">What happened.</param>
    /// <param name="registry">The entry whose credential it is.</param>
    /// <param name="address">The registry address resolved, or <see langword="null"/> for a refresh.</param>
    /// <param name="expiresAt">Until when the credential now cached lasts (Fetched, Renewed, RenewalFailed), else <see langword="null"/>.</param>
    /// <param name="duration">How long the fetch took, or <see cref="TimeSpan.Zero"/> for a refresh.</param>
    /// <param name="reason">Why the fetch failed (RenewalFailed, Failed), without a secret, else <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> is <see langword="null"/>.</exception>
    public CredentialSourceEvent(CredentialSourceEventKind kind, Registry registry, RegistryAddress? address, DateTimeOffset? expiresAt, TimeSpan duration, string? reason)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Kind = kind;
        Registry = registry;
        Address = address;
        ExpiresAt = expiresAt;
        Duration = duration;
        Reason = reason;
    }

    /// <summary>Gets what happened.</summary>
    public CredentialSourceEventKind Kind { get; }

    /// <summary>Gets the entry (without a secret).</summary>
    public Registry Registry { get; }

    /// <summary>Gets the entry's identifier.</summary>
    public string RegistryId => Registry.Id;

    /// <summary>Gets the entry's environment.</summary>
    public string EnvironmentId => Registry.EnvironmentId;

    /// <summary>Gets the entry's source.</summary>
    public CredentialSource Source => Registry.Source;

    /// <summary>Gets the registry address resolved, or <see langword="null"/> for a refresh.</summary>
    public RegistryAddress? Address { get; }

    /// <summary>Gets until when the cached credential lasts, or <see langword="null"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Gets how long the fetch took.</summary>
    public TimeSpan Duration { get; }

    /// <summary>Gets why the fetch failed, or <see langword="null"/>.</summary>
    public string? Reason { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{Kind}: {Source} for {(object?)Address ?? Registry.Scope} ({RegistryId} in '{EnvironmentId}')"
            + (ExpiresAt is { } at ? $", expires {at:u}" : string.Empty)
            + (Reason is null ? string.Empty : $": {Reason}");
}
