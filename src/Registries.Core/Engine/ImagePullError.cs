namespace Registries.Core.Engine;

/// <summary>Why a pull did not produce the image.</summary>
public enum ImagePullError
{
    /// <summary>The rules prohibit the pull: the environment's policy denies the image (the message names the rule), the
    /// effective registry entry for the address is inactive, or its stored credential expired. Nothing reached the engine.</summary>
    Denied,

    /// <summary>The registry refused the credential (or an anonymous pull).</summary>
    Unauthorized,

    /// <summary>The registry has no such repository, tag or digest.</summary>
    NotFound,

    /// <summary>The registry could not be reached (DNS, connection refused, timeout).</summary>
    RegistryUnreachable,

    /// <summary>The registry's TLS certificate is not trusted by the engine's host.</summary>
    CertificateNotTrusted,

    /// <summary>The container engine could not be reached.</summary>
    EngineUnavailable,

    /// <summary>Any other failure reported by the engine.</summary>
    Failed,

    /// <summary>The effective registry entry's credential comes from a source that could not give one (the resolution
    /// was Unavailable): nothing was pulled, anonymously or otherwise.</summary>
    CredentialUnavailable,

    /// <summary>The image's registry has mirrors and none gave the image, and the upstream itself was not pulled from
    /// (a mirror of it is mirror-only): <see cref="ImagePullException.Attempts"/> says why each mirror did not.</summary>
    MirrorsFailed,
}
