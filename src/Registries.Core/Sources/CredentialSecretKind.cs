namespace Registries.Core;

/// <summary>What the secret of a resolved credential is, which decides how the engine is given it.</summary>
public enum CredentialSecretKind
{
    /// <summary>A password (or a token used as one) sent with the username in HTTP basic authentication.</summary>
    Password,

    /// <summary>An OAuth2 refresh token the engine exchanges at the registry's token realm itself (Docker's <c>identitytoken</c>).</summary>
    IdentityToken,

    /// <summary>A bearer access token sent to the registry as it is (Docker's <c>registrytoken</c>).</summary>
    RegistryToken,
}
