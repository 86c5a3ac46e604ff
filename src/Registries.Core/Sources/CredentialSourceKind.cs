namespace Registries.Core;

/// <summary>Where an entry's credential comes from: stored with the entry, or fetched from a source when an image is resolved.</summary>
public enum CredentialSourceKind
{
    /// <summary>A username and password stored (protected) with the entry, as in the seed; optionally with an expiry date.</summary>
    Stored,

    /// <summary>A Docker credential helper, <c>docker-credential-NAME get</c>, among those the operator allowed.</summary>
    CredentialHelper,

    /// <summary>A kubelet credential provider plugin named in the operator's <c>CredentialProviderConfig</c> file.</summary>
    KubeletPlugin,

    /// <summary>An OAuth2 refresh token (Docker's <c>identitytoken</c>) stored with the entry and exchanged at the
    /// registry's token realm for short-lived access tokens.</summary>
    IdentityToken,
}
