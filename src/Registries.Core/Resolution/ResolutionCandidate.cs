namespace Registries.Core;

/// <summary>One entry considered for an image, with why it did or did not answer.</summary>
/// <remarks>Immutable; holds no password.</remarks>
public sealed class ResolutionCandidate
{
    /// <summary>Initializes a candidate.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="verdict">Why it did or did not answer.</param>
    /// <param name="reason">The reason in words, one line.</param>
    public ResolutionCandidate(Registry registry, CandidateVerdict verdict, string reason)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Registry = registry;
        Verdict = verdict;
        Reason = reason;
    }

    /// <summary>Gets the entry (no password).</summary>
    public Registry Registry { get; }

    /// <summary>Gets why it did or did not answer.</summary>
    public CandidateVerdict Verdict { get; }

    /// <summary>Gets the reason in words.</summary>
    public string Reason { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Registry.Id} {Registry.Scope} [{Verdict}]: {Reason}";
}
