namespace Registries.Core;

/// <summary>The answer to "which credential does the engine get for this image?".</summary>
public enum ResolutionOutcome
{
    /// <summary>Pull with the credential of the effective registry entry.</summary>
    Authenticated,

    /// <summary>No registry is configured for the image's address: pull without credentials.</summary>
    Anonymous,

    /// <summary>The effective entry for the address is inactive, or its stored credential expired: the pull is prohibited.</summary>
    Denied,

    /// <summary>The effective entry's credential comes from a source that cannot give one now (the helper or plugin failed
    /// or has none, the refresh token was refused) and no still-valid cached value is left: the pull cannot go ahead.
    /// Never Anonymous and never a fallback to another entry; the reason says what the source answered.</summary>
    Unavailable,
}
