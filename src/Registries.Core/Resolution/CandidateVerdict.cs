namespace Registries.Core;

/// <summary>Why an entry did, or did not, answer for an image (see <see cref="ResolutionExplanation"/>).</summary>
public enum CandidateVerdict
{
    /// <summary>The effective entry of the deciding scope: its credential is used, or, inactive, it prohibits the pull.</summary>
    Effective,

    /// <summary>An entry of the deciding scope that a more recently added one overrides.</summary>
    Overridden,

    /// <summary>An entry of a scope that covers the image, but a more specific scope decides.</summary>
    LessSpecific,

    /// <summary>A deleted entry, which never answers.</summary>
    Removed,

    /// <summary>An entry of the image's registry (or of a pattern that covers it) whose path prefix does not cover the repository.</summary>
    PathDidNotMatch,

    /// <summary>An entry of a host pattern that does not cover the image's registry.</summary>
    PatternDidNotMatch,
}
