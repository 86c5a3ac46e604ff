namespace Registries.Core.Events;

/// <summary>What observers learn of a resolution: the image or address, the outcome and the entry that decided it, never a password.</summary>
/// <remarks>Immutable.</remarks>
public sealed class ResolutionEvent
{
    /// <summary>Initializes a new event from a resolution, keeping everything but its password.</summary>
    /// <param name="environmentId">The environment the resolution was made in.</param>
    /// <param name="resolution">The resolution.</param>
    public ResolutionEvent(string environmentId, CredentialResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(resolution);
        EnvironmentId = environmentId;
        Outcome = resolution.Outcome;
        Image = resolution.Image;
        Address = resolution.Address;
        MatchedRegistry = resolution.MatchedRegistry;
        Reason = resolution.Reason;
        Policy = resolution.Policy;
    }

    /// <summary>Gets the environment.</summary>
    public string EnvironmentId { get; }

    /// <summary>Gets the outcome.</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the image, or <see langword="null"/> when an address was resolved.</summary>
    public ImageReference? Image { get; }

    /// <summary>Gets the registry address.</summary>
    public RegistryAddress Address { get; }

    /// <summary>Gets the entry that decided the outcome, or <see langword="null"/> when Anonymous or denied by the policy.</summary>
    public Registry? MatchedRegistry { get; }

    /// <summary>Gets why pulls are prohibited, when Denied.</summary>
    public string? Reason { get; }

    /// <summary>Gets what the environment's policy decided (the rule that denied, when it denied), or
    /// <see langword="null"/> when the resolution did not weigh it. Holds no secret: a policy has none.</summary>
    public PolicyDecision? Policy { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{Outcome}: {Image?.ToString() ?? Address.ToString()} in {EnvironmentId}{(MatchedRegistry is { } r ? $" ({r.Id})" : string.Empty)}";
}
