namespace Registries.Core;

/// <summary>The reason for a resolution: the candidate entries for an image, which scope decided, which entry is
/// effective in it, and why each other one was not used.</summary>
/// <remarks>Immutable. Holds no password: <see cref="Outcome"/>, <see cref="DecidingRegistry"/> and <see cref="Reason"/>
/// say what the resolution answers, so any member of the environment may read an explanation.</remarks>
public sealed class ResolutionExplanation
{
    internal ResolutionExplanation(ImageReference image, CredentialResolution resolution, IReadOnlyList<ResolutionCandidate> candidates)
    {
        Image = image;
        Outcome = resolution.Outcome;
        DecidingRegistry = resolution.MatchedRegistry;
        Reason = resolution.Reason;
        Candidates = candidates;
    }

    /// <summary>Gets the image explained.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets the answer: Authenticated, Anonymous or Denied.</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the effective entry of the deciding scope, or <see langword="null"/> when no scope covers the image (Anonymous).</summary>
    public Registry? DecidingRegistry { get; }

    /// <summary>Gets the deciding scope, or <see langword="null"/> when none covers the image.</summary>
    public RegistryScope? DecidingScope => DecidingRegistry?.Scope;

    /// <summary>Gets why a Denied answer is denied, or <see langword="null"/>.</summary>
    public string? Reason { get; }

    /// <summary>Gets every entry of the image's registry and every host-pattern entry, oldest first, with its verdict.</summary>
    public IReadOnlyList<ResolutionCandidate> Candidates { get; }

    /// <inheritdoc/>
    public override string ToString() => DecidingScope is null ? $"{Image}: {Outcome}" : $"{Image}: {Outcome} by {DecidingScope} ({DecidingRegistry!.Id})";
}
