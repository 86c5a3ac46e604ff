using System.Text.Json.Serialization;

namespace Registries.Core.FileStore;

/// <summary>The JSON document of a store file (format version 1; 2 once it holds a scoped entry; 3 once it holds an entry
/// with a credential source other than a stored password, or with an expiry date; 4 once an environment has a policy
/// rule or a mirror).</summary>
/// <remarks>
/// <code>
/// {
///   "formatVersion": 1,
///   "sequence": 7,
///   "environments": [ { "id": "1a1", "name": "prod", "orchestration": "Cattle", "members": { "alice": "Owner" }, "version": 2 } ],
///   "registries": [ { "id": "1r2", "environmentId": "1a1", "address": "registry.example.com:5000", "state": "Active",
///                     "email": "ops@example.com", "username": "ops", "sequence": 2, "version": 1, "protectedPassword": "v2...." } ]
/// }
/// </code>
/// <c>sequence</c> is the last number the store handed out (identifiers and registry order share it);
/// <c>protectedPassword</c> is absent for a Removed entry. Format 2 adds <c>"path": "team/sub"</c> to an entry scoped to a
/// repository path prefix, and allows a host pattern (<c>*.corp.example</c>) as an entry's <c>address</c>. Format 3 adds
/// <c>"sourceKind"</c> (<c>credential-helper</c>, <c>kubelet-plugin</c> or <c>identity-token</c>; absent for a stored
/// password), <c>"sourceName"</c> (the helper's or plugin's name) and <c>"expiresAt"</c> (a stored credential's expiry,
/// ISO 8601). <c>protectedPassword</c> holds the stored secret: the password, or an identity-token entry's
/// refresh token, protected alike; it is absent for a helper or plugin entry, which stores no secret. Format 4 adds, to
/// an environment, <c>"policy"</c> (its rules in order: <c>{"scope": "registry.example.com/team", "effect": "allow",
/// "digestOnly": true}</c>, the effect <c>allow</c> or <c>deny</c>) and <c>"mirrors"</c> (in order: <c>{"upstream":
/// "docker.io", "address": "mirror.example.com:5000", "rewrite": {"pattern": "^library/(.*)", "replacement":
/// "hub/$1"}, "mirrorOnly": false}</c>, no <c>rewrite</c> when there is none); both absent when empty.
/// </remarks>
internal sealed class StoreDocument
{
    public required int FormatVersion { get; set; }

    public required long Sequence { get; set; }

    public required List<EnvironmentDocument> Environments { get; set; }

    public required List<RegistryDocument> Registries { get; set; }

    public static StoreDocument CreateEmpty() => new() { FormatVersion = FileRegistryStore.CurrentFormatVersion, Sequence = 0, Environments = [], Registries = [] };
}

internal sealed class EnvironmentDocument
{
    public required string Id { get; set; }

    public required string Name { get; set; }

    public required OrchestrationKind Orchestration { get; set; }

    public required Dictionary<string, EnvironmentRole> Members { get; set; }

    public required long Version { get; set; }

    // Format 4: the policy's rules in order; absent for none (every environment of formats 1 to 3).
    public List<PolicyRuleDocument>? Policy { get; set; }

    // Format 4: the mirrors in order; absent for none.
    public List<MirrorDocument>? Mirrors { get; set; }
}

internal sealed class PolicyRuleDocument
{
    // HOST[:PORT][/PATH] or *.PATTERN[/PATH], as RegistryScope.ParseScope reads it.
    public string? Scope { get; set; }

    // "allow" or "deny", read as text so that a wrong one is named rather than taken for a damaged document.
    public string? Effect { get; set; }

    public bool DigestOnly { get; set; }
}

internal sealed class MirrorDocument
{
    public string? Upstream { get; set; }

    public string? Address { get; set; }

    // Absent for a mirror that keeps the upstream's repository names.
    public RewriteDocument? Rewrite { get; set; }

    public bool MirrorOnly { get; set; }
}

internal sealed class RewriteDocument
{
    public string? Pattern { get; set; }

    public string? Replacement { get; set; }
}

internal sealed class RegistryDocument
{
    public required string Id { get; set; }

    public required string EnvironmentId { get; set; }

    public required string Address { get; set; }

    // Absent for an entry that covers its whole address (every entry of format version 1).
    public string? Path { get; set; }

    public required RegistryState State { get; set; }

    public required string Email { get; set; }

    public required string Username { get; set; }

    public required long Sequence { get; set; }

    public required long Version { get; set; }

    public string? ProtectedPassword { get; set; }

    // Format 3. Absent for a stored password (every entry of formats 1 and 2); the kind as the CLI spells it, read as
    // text so that a kind of a newer release is refused by name rather than taken for a damaged file.
    public string? SourceKind { get; set; }

    // Format 3: the helper's or plugin's name; absent for every other kind.
    public string? SourceName { get; set; }

    // Format 3: a stored credential's expiry; absent for none.
    public DateTimeOffset? ExpiresAt { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    AllowTrailingCommas = false)]
[JsonSerializable(typeof(StoreDocument))]
internal sealed partial class StoreDocumentContext : JsonSerializerContext;
