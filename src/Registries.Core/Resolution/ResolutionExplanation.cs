namespace Registries.Core;

/// <summary>The reason for a resolution: the candidate entries for an image, which scope decided, which entry is
/// effective in it, and why each other one was not used.</summary>
/// <remarks>Immutable. Holds no password: <see cref="Outcome"/>, <see cref="DecidingRegistry"/> and <see cref="Reason"/>
/// say what the resolution answers, so any member of the environment may read an explanation.</remarks>
public sealed class ResolutionExplanation
{
    internal ResolutionExplanation(ImageReference image, ResolutionOutcome outcome, Registry? deciding, string? reason, IReadOnlyList<ResolutionCandidate> candidates, DateTimeOffset? cachedUntil = null, PolicyDecision? policy = null)
    {
        Policy = policy;
        Image = image;
        Outcome = outcome;
        DecidingRegistry = deciding;
        Reason = reason;
        Candidates = candidates;
        CachedUntil = cachedUntil;
    }

    /// <summary>Gets the image explained.</summary>
    public ImageReference Image { get; }

    /// <summary>Gets what the environment's policy decided for the image, with the rules it weighed
    /// (<see cref="PolicyDecision.Weighed"/>, most specific first) and the one that decided (<see cref="PolicyDecision.Rule"/>);
    /// <see langword="null"/> when the explanation was made without an environment.</summary>
    /// <remarks>When the policy denies the image, <see cref="Outcome"/> is Denied, <see cref="DecidingRegistry"/> is
    /// <see langword="null"/> and <see cref="Reason"/> names the rule; <see cref="Candidates"/> still lists the entries,
    /// with the verdicts they would have had.</remarks>
    public PolicyDecision? Policy { get; }

    /// <summary>Gets the answer: Authenticated, Anonymous or Denied (see <see cref="CredentialResolver.Explain"/> for an entry whose credential comes from a source).</summary>
    public ResolutionOutcome Outcome { get; }

    /// <summary>Gets the effective entry of the deciding scope, or <see langword="null"/> when no scope covers the image
    /// (Anonymous) or the policy denies it.</summary>
    public Registry? DecidingRegistry { get; }

    /// <summary>Gets the deciding scope, or <see langword="null"/> when none covers the image.</summary>
    public RegistryScope? DecidingScope => DecidingRegistry?.Scope;

    /// <summary>Gets why a Denied answer is denied (the policy's rule, an inactive entry, or a stored credential expired), or <see langword="null"/>.</summary>
    public string? Reason { get; }

    /// <summary>Gets where the deciding entry's credential comes from, or <see langword="null"/> when no scope covers the image.</summary>
    public CredentialSource? Source => DecidingRegistry?.Source;

    /// <summary>Gets until when the credential its source last gave is cached for this image (it is renewed shortly
    /// before), or <see langword="null"/> when none is cached (the next resolution fetches one) or the credential is stored.</summary>
    public DateTimeOffset? CachedUntil { get; }

    /// <summary>Gets every entry of the image's registry and every host-pattern entry, oldest first, with its verdict.</summary>
    public IReadOnlyList<ResolutionCandidate> Candidates { get; }

    /// <inheritdoc/>
    public override string ToString() => Policy is { IsAllowed: false } ? $"{Image}: {Outcome}: {Policy.Reason}"
        : DecidingScope is null ? $"{Image}: {Outcome}"
        : $"{Image}: {Outcome} by {DecidingScope} ({DecidingRegistry!.Id}{(Source is { IsFetched: true } source ? $", from {source}" : string.Empty)}{(CachedUntil is { } until ? $", cached until {CredentialResolver.Iso(until)}" : string.Empty)})";

    internal ResolutionExplanation WithCachedUntil(DateTimeOffset? cachedUntil)
        => cachedUntil is null ? this : new(Image, Outcome, DecidingRegistry, Reason, Candidates, cachedUntil, Policy);
}
