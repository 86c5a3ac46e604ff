using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Registries.Core;
using Registries.Core.Engine;
using Registries.Core.HostConfiguration;

namespace Registries.Cli.Output;

// The documents printed by --json. Their field names and values are a contract (samples/Registries.Cli/README.md):
// camelCase names, lowercase enum values, absent fields left out rather than null.
internal sealed record EnvironmentJson(string Id, string Name, string Orchestration, string? Role, IReadOnlyList<MemberJson> Members)
{
    public static EnvironmentJson From(RegistryEnvironment environment, string actor)
        => new(
            environment.Id,
            environment.Name,
            CliNames.Of(environment.Orchestration),
            environment.RoleOf(actor) is { } role ? CliNames.Of(role) : null,
            environment.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new MemberJson(m.Key, CliNames.Of(m.Value))).ToArray());
}

internal sealed record MemberJson(string User, string Role);

internal sealed record RegistryJson(
    string Id,
    string EnvironmentId,
    string Address,
    string? Path,
    string Scope,
    string Kind,
    string State,
    string Username,
    string Email,
    string Source,
    string? SourceName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ExpiresAt,
    long Sequence,
    bool Effective,
    bool Overridden)
{
    public static RegistryJson From(RegistryListing entry)
    {
        var registry = entry.Registry;
        return new(
            registry.Id,
            registry.EnvironmentId,
            registry.Address.ToString(),
            registry.Scope.IsHostLevel ? null : registry.Path,
            registry.Scope.ToString(),
            CliNames.Of(registry.Kind),
            CliNames.Of(registry.State),
            registry.Username,
            registry.Email,
            registry.Source.KindName,
            registry.Source.Name,
            registry.ExpiresAt?.ToUniversalTime(),
            registry.Sequence,
            entry.IsEffective,
            entry.IsOverridden);
    }
}

// A Docker config import: one line per entry, never a secret (reasons are written without them by the importer).
internal sealed record ImportJson(int Imported, int Unchanged, int Failed, IReadOnlyList<ImportEntryJson> Entries)
{
    public static ImportJson From(Registries.Core.Interop.DockerConfigImportResult result)
        => new(
            result.ImportedCount,
            result.UnchangedCount,
            result.FailedCount,
            result.Entries.Select(e => new ImportEntryJson(e.Key, e.Address?.ToString(), e.Source, CliNames.Of(e.Status), e.Username, e.RegistryId, e.Reason)).ToArray());
}

internal sealed record ImportEntryJson(string Key, string? Address, string Source, string Status, string? Username, string? RegistryId, string? Reason);

// A resolution, without its password: the CLI answers which credential would be used, never what it is. "source" and
// "expiresAt" are always there: null when no entry decides (anonymous) and when no expiry is known.
internal sealed record ResolutionJson(
    string Image,
    string Registry,
    string Outcome,
    string? Username,
    string? RegistryId,
    string? Scope,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Source,
    string? SourceName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ExpiresAt,
    string? Reason,
    PolicyDecisionJson? Policy,
    IReadOnlyList<MirrorSourceJson>? Mirrors,
    bool? FallsBackToUpstream)
{
    public static ResolutionJson From(CredentialResolution resolution)
    {
        var mirrors = resolution.Mirrors.Where(m => !m.Source.IsUpstream).Select(MirrorSourceJson.From).ToArray();
        return new(
            resolution.Image?.ToString() ?? resolution.Address.ToString(),
            resolution.Address.ToString(),
            CliNames.Of(resolution.Outcome),
            resolution.Outcome == ResolutionOutcome.Authenticated ? resolution.Username : null,
            resolution.RegistryId,
            resolution.MatchedRegistry?.Scope.ToString(),
            resolution.Source?.KindName,
            resolution.Source?.Name,
            resolution.ExpiresAt?.ToUniversalTime(),
            resolution.Reason,
            PolicyDecisionJson.From(resolution.Policy),
            mirrors.Length == 0 ? null : mirrors,
            mirrors.Length == 0 ? null : resolution.Mirrors.Any(m => m.Source.IsUpstream));
    }
}

// What the policy decided for a resolved image: allowed or not and the rule that decided (its fields absent when no
// rule covers the image and the policy has allow rules). Left out when the image is allowed with no rule deciding (no
// rule, or no rule covering it and no allow rule), as before policies: nothing was decided.
internal sealed record PolicyDecisionJson(bool Allowed, string? Effect, string? Scope, bool? DigestOnly)
{
    public static PolicyDecisionJson? From(PolicyDecision? decision)
        => decision is null || (decision.IsAllowed && decision.Rule is null) ? null : new(decision.IsAllowed, decision.Rule is { } r ? CliNames.Of(r.Effect) : null, decision.Rule?.Scope.ToString(), decision.Rule?.DigestOnly);
}

// One mirror an image would be pulled through: its address, the image's name there and the credential outcome there
// (the username and entry it would use, or why not; never a secret).
internal sealed record MirrorSourceJson(string Address, string Image, string Outcome, string? Username, string? RegistryId, string? Reason)
{
    public static MirrorSourceJson From(MirrorResolution mirror)
        => new(
            mirror.Source.Image.Address.ToString(),
            mirror.Source.Image.ToString(),
            CliNames.Of(mirror.Credential.Outcome),
            mirror.Credential.Outcome == ResolutionOutcome.Authenticated ? mirror.Credential.Username : null,
            mirror.Credential.RegistryId,
            mirror.Credential.Reason);
}

// policy show, allow, deny, remove: the rules in the order they were first set, and what an image none covers gets.
internal sealed record PolicyJson(string EnvironmentId, string Uncovered, IReadOnlyList<PolicyRuleJson> Rules)
{
    public static PolicyJson From(string environmentId, RegistryPolicy policy)
        => new(environmentId, policy.HasAllowRules ? "denied" : "allowed", policy.Rules.Select(PolicyRuleJson.From).ToArray());
}

internal sealed record PolicyRuleJson(string Effect, string Scope, bool DigestOnly)
{
    public static PolicyRuleJson From(PolicyRule rule) => new(CliNames.Of(rule.Effect), rule.Scope.ToString(), rule.DigestOnly);
}

// mirror add, list, remove: per upstream (in the order its first mirror was added), its mirrors in the order tried.
internal sealed record MirrorsJson(string EnvironmentId, IReadOnlyList<UpstreamMirrorsJson> Upstreams)
{
    public static MirrorsJson From(string environmentId, RegistryMirrors mirrors)
        => new(
            environmentId,
            mirrors.Upstreams().Select(u => new UpstreamMirrorsJson(
                u.ToString(),
                mirrors.FallsBackToUpstream(u),
                mirrors.For(u).Select(m => new MirrorJson(m.Address.ToString(), m.Rewrite is { } r ? new RewriteJson(r.Pattern, r.Replacement) : null, m.MirrorOnly)).ToArray())).ToArray());
}

internal sealed record UpstreamMirrorsJson(string Upstream, bool FallsBackToUpstream, IReadOnlyList<MirrorJson> Mirrors);

internal sealed record MirrorJson(string Address, RewriteJson? Rewrite, bool MirrorOnly);

internal sealed record RewriteJson(string Pattern, string Replacement);

// registry refresh: the cached value dropped, and (for the effective entry of a source) what one fetch gave now.
internal sealed record RefreshJson(
    string Id,
    string Source,
    string? SourceName,
    bool Fetched,
    string? Outcome,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ExpiresAt,
    string? Reason);

// resolve --explain: the answer and every candidate with its verdict (no password: any member may ask).
// With the source of the deciding entry and, when a resolution was made for it, its outcome and when the value it
// handed out expires ("expiresAt", null when none is known).
internal sealed record ExplanationJson(
    string Image,
    string Registry,
    string Outcome,
    string? RegistryId,
    string? Scope,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Source,
    string? SourceName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? ExpiresAt,
    string? Reason,
    PolicyExplanationJson Policy,
    IReadOnlyList<CandidateJson> Candidates)
{
    // A policy denial is decided before any entry: the entry the candidates would have chosen is then not named.
    public static ExplanationJson From(ResolutionExplanation explanation, PolicyDecision policy, CredentialResolution? resolution)
    {
        var deciding = policy.IsAllowed ? explanation.DecidingRegistry : null;
        return new(
            explanation.Image.ToString(),
            explanation.Image.Address.ToString(),
            CliNames.Of(!policy.IsAllowed ? ResolutionOutcome.Denied : resolution?.Outcome ?? explanation.Outcome),
            deciding?.Id,
            deciding?.Scope.ToString(),
            deciding?.Source.KindName,
            deciding?.Source.Name,
            resolution?.ExpiresAt?.ToUniversalTime(),
            !policy.IsAllowed ? policy.Reason : resolution?.Reason ?? explanation.Reason,
            PolicyExplanationJson.From(policy),
            explanation.Candidates.Select(c => new CandidateJson(c.Registry.Id, c.Registry.Scope.ToString(), CliNames.Of(c.Registry.State), c.Registry.Source.KindName, c.Registry.Source.Name, c.Registry.Username, CliNames.Of(c.Verdict), c.Reason)).ToArray());
    }
}

// resolve --explain: the policy's decision, its rule, and every rule that covers the image (most specific first).
internal sealed record PolicyExplanationJson(bool Allowed, string? Effect, string? Scope, bool? DigestOnly, string? Reason, IReadOnlyList<PolicyRuleJson> Weighed)
{
    public static PolicyExplanationJson From(PolicyDecision decision)
        => new(
            decision.IsAllowed,
            decision.Rule is { } r ? CliNames.Of(r.Effect) : null,
            decision.Rule?.Scope.ToString(),
            decision.Rule?.DigestOnly,
            decision.Reason,
            decision.Weighed.Select(PolicyRuleJson.From).ToArray());
}

internal sealed record CandidateJson(string Id, string Scope, string State, string Source, string? SourceName, string Username, string Verdict, string Reason);

// The outcome of `pull`: whether the image was pulled, where from (pulledFrom: the image's name at the source that gave
// it, a mirror's or the upstream's own; mirror: that mirror's address) and with which credential (the one the pull was
// made with: a mirror's own for a mirror; never the password); attempts: each source tried before, and why it gave nothing.
internal sealed record PullJson(string Image, bool Pulled, string? Outcome, string? Registry, string? Username, string? RegistryId, string? PulledFrom, string? Mirror, IReadOnlyList<PullAttemptJson> Attempts)
{
    public static PullJson From(ImagePullResult result)
    {
        var used = result.PulledWith ?? result.Resolution;
        return new(
            result.Image.ToString(),
            result.Pulled,
            result.Resolution is { } r ? CliNames.Of(r.Outcome) : null,
            result.Resolution?.Address.ToString(),
            used?.Username,
            used?.RegistryId,
            result.PulledFrom?.Image.ToString(),
            result.PulledFrom?.Mirror?.Address.ToString(),
            result.Attempts.Select(PullAttemptJson.From).ToArray());
    }
}

internal sealed record PullAttemptJson(string Source, string? Mirror, string Error, bool Skipped, string Reason)
{
    public static PullAttemptJson From(ImagePullAttempt attempt)
        => new(attempt.Source.Image.ToString(), attempt.Source.Mirror?.Address.ToString(), CliNames.Of(attempt.Error), attempt.Skipped, attempt.Reason);
}

// What `docker-config --output` wrote: the file, the registries in it, the notes on entries the format cannot use as
// they are, and what the format cannot express; never a password.
internal sealed record DockerConfigOutputJson(string Path, string Format, IReadOnlyList<string> Registries, IReadOnlyList<string> Notes, string Limits);

// The outcome of `export --format containerd-hosts --output DIR`: the upstreams configured and the files written.
internal sealed record ContainerdHostsOutputJson(string Path, string Format, IReadOnlyList<string> Registries, IReadOnlyList<string> Files, IReadOnlyList<string> Notes, string Limits);

// What `export --format registries-conf|policy-json` wrote: the file, the rules and mirrors it was made from, where it
// is narrower than the environment, and what the format cannot hold.
internal sealed record ContainersPolicyOutputJson(string? Path, string Format, IReadOnlyList<string> Rules, IReadOnlyList<string> Mirrors, IReadOnlyList<string> Notes, string Limits);

internal sealed record FileChangeJson(string Path, string Kind, string Description)
{
    public static IReadOnlyList<FileChangeJson> From(IReadOnlyList<HostFileChange> changes)
        => changes.Select(c => new FileChangeJson(c.Path, HostChanges.Name(c.Kind), c.Description)).ToArray();
}

internal sealed record CertificateJson(string Subject, string Issuer, string Fingerprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, bool SelfSigned, bool CertificateAuthority);

// The outcome of `trust`: the chain the registry presented and what was written.
internal sealed record TrustJson(
    string Address,
    string Fingerprint,
    string CaCertificatePath,
    string? BundlePath,
    bool DryRun,
    bool RestartRequired,
    IReadOnlyList<CertificateJson> Certificates,
    IReadOnlyList<FileChangeJson> Changes)
{
    public static TrustJson From(CertificateInstallResult result)
        => new(
            result.Chain.Address.ToString(),
            result.Fingerprint.ToString(),
            result.CaCertificatePath,
            result.BundlePath,
            result.DryRun,
            result.RestartRequired,
            result.Chain.Certificates.Select(c => new CertificateJson(c.Subject, c.Issuer, c.Fingerprint.ToString(), c.NotBefore, c.NotAfter, c.IsSelfSigned, c.IsCertificateAuthority)).ToArray(),
            FileChangeJson.From(result.Changes));
}

// The outcome of `insecure add|remove`.
internal sealed record InsecureJson(string Address, string Action, bool DryRun, bool RestartRequired, IReadOnlyList<FileChangeJson> Changes)
{
    public static InsecureJson From(InsecureRegistryResult result, string action)
        => new(result.Address.ToString(), action, result.DryRun, result.RestartRequired, FileChangeJson.From(result.Changes));
}

// One JSON document for stdout: valid JSON whose values are exactly the data, with the bidirectional controls that the
// serializer leaves as they are escaped too (TerminalText.EscapeJson), so that printing it on a terminal is safe.
internal static class CliJson
{
    public static string Serialize<T>(T value, JsonTypeInfo<T> typeInfo)
        => TerminalText.EscapeJson(JsonSerializer.Serialize(value, typeInfo));
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnvironmentJson))]
[JsonSerializable(typeof(IReadOnlyList<EnvironmentJson>))]
[JsonSerializable(typeof(RegistryJson))]
[JsonSerializable(typeof(IReadOnlyList<RegistryJson>))]
[JsonSerializable(typeof(ResolutionJson))]
[JsonSerializable(typeof(ExplanationJson))]
[JsonSerializable(typeof(PolicyJson))]
[JsonSerializable(typeof(MirrorsJson))]
[JsonSerializable(typeof(PullJson))]
[JsonSerializable(typeof(PullAttemptJson))]
[JsonSerializable(typeof(RefreshJson))]
[JsonSerializable(typeof(TrustJson))]
[JsonSerializable(typeof(InsecureJson))]
[JsonSerializable(typeof(ImportJson))]
[JsonSerializable(typeof(DockerConfigOutputJson))]
[JsonSerializable(typeof(ContainerdHostsOutputJson))]
[JsonSerializable(typeof(ContainersPolicyOutputJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    // Relaxed escaping: the output is read by people and JSON parsers, never embedded in HTML, so 'é' and '+' stay as
    // they are. Built on first use: the generated Default must be initialized first.
    private static CliJsonContext? _output;

    public static CliJsonContext Output => _output ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
