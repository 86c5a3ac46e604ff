namespace Registries.Core.Diagnostics;

// The registries.source.kind tag: what kind of credential decided a resolution. Bounded: one constant per kind.
internal static class CredentialSourceKinds
{
    public const string Stored = "stored";

    /// <summary>The kind of the entry that decided, or null when none did (Anonymous).</summary>
    public static string? Of(CredentialResolution resolution) => resolution.MatchedRegistry is null ? null : Stored;
}
