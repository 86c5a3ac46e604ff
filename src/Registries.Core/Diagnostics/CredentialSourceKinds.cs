namespace Registries.Core.Diagnostics;

// The registries.source.kind tag: what kind of credential decided a resolution, or which kind of source was asked.
// Bounded: one constant per CredentialSourceKind; never the helper's or plugin's name.
internal static class CredentialSourceKinds
{
    public const string Stored = "stored";
    public const string CredentialHelper = "credential_helper";
    public const string KubeletPlugin = "kubelet_plugin";
    public const string IdentityToken = "identity_token";

    /// <summary>The kind of the entry that decided, or null when none did (Anonymous).</summary>
    public static string? Of(CredentialResolution resolution) => resolution.MatchedRegistry is { } registry ? Name(registry.Source.Kind) : null;

    /// <summary>The tag value of a kind: its name in snake case.</summary>
    public static string Name(CredentialSourceKind kind) => kind switch
    {
        CredentialSourceKind.Stored => Stored,
        CredentialSourceKind.CredentialHelper => CredentialHelper,
        CredentialSourceKind.KubeletPlugin => KubeletPlugin,
        CredentialSourceKind.IdentityToken => IdentityToken,
        _ => "other",
    };
}
