namespace Registries.Core;

/// <summary>The answer to "which credential does the engine get for this image?".</summary>
public enum ResolutionOutcome
{
    /// <summary>Pull with the credential of the effective registry entry.</summary>
    Authenticated,

    /// <summary>No registry is configured for the image's address: pull without credentials.</summary>
    Anonymous,

    /// <summary>The effective entry for the address is inactive: the pull is prohibited.</summary>
    Denied,
}
