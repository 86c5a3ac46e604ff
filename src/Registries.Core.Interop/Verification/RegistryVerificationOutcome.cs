namespace Registries.Core.Interop;

/// <summary>The answer of a credential verification.</summary>
public enum RegistryVerificationOutcome
{
    /// <summary>The registry accepted the credential (or, like <c>docker login</c>, it asks for none).</summary>
    Valid,

    /// <summary>The registry or its token server refused the credential; the message carries the registry's own words.</summary>
    Invalid,

    /// <summary>The credential could not be checked: no connection, TLS not trusted, no answer in time, an answer that is
    /// not a registry's, or a handshake that would have sent the credential somewhere unsafe.</summary>
    Unreachable,
}
