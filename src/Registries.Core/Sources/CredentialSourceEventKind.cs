namespace Registries.Core.Sources;

/// <summary>What happened to a fetched credential (see <see cref="CredentialSourceEvent"/>).</summary>
public enum CredentialSourceEventKind
{
    /// <summary>A source gave a credential where none was cached.</summary>
    Fetched,

    /// <summary>A source gave a new credential ahead of the cached one's expiry.</summary>
    Renewed,

    /// <summary>A renewal failed while the cached credential is still valid: it is kept until it expires.</summary>
    RenewalFailed,

    /// <summary>A fetch failed (or the source had no credential) and no valid one is cached: the resolution is Unavailable.</summary>
    Failed,

    /// <summary>The cached credentials of an entry were dropped on request (a refresh).</summary>
    Invalidated,
}
