using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Registries.Core.AspNetCore;

// The JSON documents of the API (camelCase; enums as lowercase words, as the CLI's --json prints them). Plain classes,
// not records: a request holds a password, and a record's generated ToString would print it. A request binds itself
// from the body the strict way (JsonBody); a response is written by the typed results (Ok<T>, Created<T>) with the
// application's JSON options, the ones its OpenAPI document is made with (web defaults: camelCase), and an absent value
// is left out whatever those options say.
internal sealed class CreateEnvironmentRequest : IBindableFromHttpContext<CreateEnvironmentRequest>
{
    public static ValueTask<CreateEnvironmentRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<CreateEnvironmentRequest>(context);

    public string? Name { get; set; }

    public string? Orchestration { get; set; }
}

internal sealed class SetMemberRequest : IBindableFromHttpContext<SetMemberRequest>
{
    public static ValueTask<SetMemberRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<SetMemberRequest>(context);

    public string? Role { get; set; }
}

internal sealed class AddRegistryRequest : IBindableFromHttpContext<AddRegistryRequest>
{
    public static ValueTask<AddRegistryRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<AddRegistryRequest>(context);

    public string? Kind { get; set; }

    public string? Address { get; set; }

    // A repository path prefix (team, team/sub): its own field, so a pasted URL in 'address' is still refused.
    public string? Path { get; set; }

    public string? Email { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    // stored (the default), credential-helper, kubelet-plugin or identity-token; see CredentialRequest.
    public string? Source { get; set; }

    public string? SourceName { get; set; }

    public string? ExpiresAt { get; set; }

    public string? IdentityToken { get; set; }

    public override string ToString() => $"{Kind} {Address} {Path} {Username} <{Email}> {Source}:{SourceName} (password and token hidden)";
}

internal sealed class EditRegistryRequest : IBindableFromHttpContext<EditRegistryRequest>
{
    public static ValueTask<EditRegistryRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<EditRegistryRequest>(context);

    public string? Email { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    public string? Source { get; set; }

    public string? SourceName { get; set; }

    public string? ExpiresAt { get; set; }

    public string? IdentityToken { get; set; }

    public override string ToString() => $"{Username} <{Email}> {Source}:{SourceName} (password and token hidden)";
}

internal sealed class MemberDocument
{
    public required string User { get; init; }

    public required string Role { get; init; }
}

internal sealed class EnvironmentDocument
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Orchestration { get; init; }

    public required IReadOnlyList<MemberDocument> Members { get; init; }

    public required long Version { get; init; }

    public static EnvironmentDocument From(RegistryEnvironment environment) => new()
    {
        Id = environment.Id,
        Name = environment.Name,
        Orchestration = ApiNames.Of(environment.Orchestration),
        Members = environment.Members
            .OrderBy(m => m.Key, StringComparer.Ordinal)
            .Select(m => new MemberDocument { User = m.Key, Role = ApiNames.Of(m.Value) })
            .ToArray(),
        Version = environment.Version,
    };
}

internal sealed class RegistryDocument
{
    public required string Id { get; init; }

    public required string EnvironmentId { get; init; }

    public required string Address { get; init; }

    // Absent (not empty) when the entry covers the whole address.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    public required string Scope { get; init; }

    public required string Kind { get; init; }

    public required string State { get; init; }

    public required string Username { get; init; }

    public required string Email { get; init; }

    // stored, credential-helper, kubelet-plugin or identity-token.
    public required string Source { get; init; }

    // The helper's or plugin's name; absent for stored and identity-token.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceName { get; init; }

    // A stored credential's own expiry (ISO 8601), null when it has none; always present.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required DateTimeOffset? ExpiresAt { get; init; }

    public required bool Effective { get; init; }

    public required bool Overridden { get; init; }

    public required long Sequence { get; init; }

    public required long Version { get; init; }

    public static RegistryDocument From(Registry registry, bool effective) => new()
    {
        Id = registry.Id,
        EnvironmentId = registry.EnvironmentId,
        Address = registry.Address.ToString(),
        Path = registry.Path.Length == 0 ? null : registry.Path,
        Scope = registry.Scope.ToString(),
        Kind = ApiNames.Of(registry.Kind),
        State = ApiNames.Of(registry.State),
        Username = registry.Username,
        Email = registry.Email,
        Source = registry.Source.KindName,
        SourceName = registry.Source.Name,
        ExpiresAt = registry.ExpiresAt?.ToUniversalTime(),
        Effective = effective,
        Overridden = !effective && registry.State != RegistryState.Removed,
        Sequence = registry.Sequence,
        Version = registry.Version,
    };

    public static RegistryDocument From(RegistryListing entry) => From(entry.Registry, entry.IsEffective);
}

internal sealed class ResolutionDocument
{
    public required string Image { get; init; }

    public required string Address { get; init; }

    public required string Outcome { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Username { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RegistryId { get; init; }

    // The deciding entry's source (stored, credential-helper, kubelet-plugin, identity-token); null when anonymous.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceName { get; init; }

    // When the credential handed out stops working, when authenticated and known; null otherwise.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required DateTimeOffset? ExpiresAt { get; init; }

    // Why a pull is denied or unavailable.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    // What the environment's policy decided, with the deciding rule; a denial by the policy looked at no credential.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PolicyVerdictDocument? Policy { get; init; }

    // The mirrors the image would be pulled through, in order; absent when its registry has none or it is denied.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<MirrorSourceDocument>? Mirrors { get; init; }

    // With mirrors: whether the upstream itself is tried after them (false when a mirror is mirror-only).
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? FallsBackToUpstream { get; init; }

    // Never the password or a token: the resolution's secret stays on the server (the exports are the one way out).
    public static ResolutionDocument From(CredentialResolution resolution)
    {
        var mirrors = resolution.Mirrors.Where(m => !m.Source.IsUpstream).Select(MirrorSourceDocument.From).ToArray();
        return new()
        {
            Image = resolution.Image?.ToString() ?? string.Empty,
            Address = resolution.Address.ToString(),
            Outcome = ApiNames.Of(resolution.Outcome),
            Username = resolution.Outcome == ResolutionOutcome.Authenticated ? resolution.Username : null,
            RegistryId = resolution.RegistryId,
            Source = resolution.Source?.KindName,
            SourceName = resolution.Source?.Name,
            ExpiresAt = resolution.Outcome == ResolutionOutcome.Authenticated ? resolution.ExpiresAt?.ToUniversalTime() : null,
            Reason = resolution.Reason,
            Policy = PolicyVerdictDocument.From(resolution.Policy),
            Mirrors = mirrors.Length == 0 ? null : mirrors,
            FallsBackToUpstream = mirrors.Length == 0 ? null : resolution.Mirrors.Any(m => m.Source.IsUpstream),
        };
    }
}

// resolve?explain=true: the answer, the deciding scope and every candidate with its verdict. No password and no
// credential: any member may read it, ReadOnly included.
internal sealed class ExplanationDocument
{
    public required string Image { get; init; }

    public required string Address { get; init; }

    public required string Outcome { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RegistryId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }

    // The deciding entry's source; null when no entry decides.
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceName { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    // The environment's policy on the image: decided before any entry, so a policy denial has no deciding entry.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PolicyExplanationDocument? Policy { get; init; }

    public required IReadOnlyList<CandidateDocument> Candidates { get; init; }

    public static ExplanationDocument From(ResolutionExplanation explanation) => new()
    {
        Image = explanation.Image.ToString(),
        Address = explanation.Image.Address.ToString(),
        Outcome = ApiNames.Of(explanation.Outcome),
        RegistryId = explanation.DecidingRegistry?.Id,
        Scope = explanation.DecidingScope?.ToString(),
        Source = explanation.DecidingRegistry?.Source.KindName,
        SourceName = explanation.DecidingRegistry?.Source.Name,
        Reason = explanation.Reason,
        Policy = PolicyExplanationDocument.From(explanation.Policy),
        Candidates = explanation.Candidates.Select(CandidateDocument.From).ToArray(),
    };
}

internal sealed class CandidateDocument
{
    public required string Id { get; init; }

    public required string Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    public required string Scope { get; init; }

    public required string State { get; init; }

    public required string Username { get; init; }

    public required string Source { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SourceName { get; init; }

    public required string Verdict { get; init; }

    public required string Reason { get; init; }

    public static CandidateDocument From(ResolutionCandidate candidate) => new()
    {
        Id = candidate.Registry.Id,
        Address = candidate.Registry.Address.ToString(),
        Path = candidate.Registry.Path.Length == 0 ? null : candidate.Registry.Path,
        Scope = candidate.Registry.Scope.ToString(),
        State = ApiNames.Of(candidate.Registry.State),
        Username = candidate.Registry.Username,
        Source = candidate.Registry.Source.KindName,
        SourceName = candidate.Registry.Source.Name,
        Verdict = ApiNames.Of(candidate.Verdict),
        Reason = candidate.Reason,
    };
}

internal static class ApiNames
{
    // The CLI's names (resolve --explain --json), so a client reads one vocabulary.
    public static string Of(CandidateVerdict verdict) => verdict switch
    {
        CandidateVerdict.Effective => "effective",
        CandidateVerdict.Overridden => "overridden",
        CandidateVerdict.LessSpecific => "less-specific",
        CandidateVerdict.Removed => "removed",
        CandidateVerdict.PathDidNotMatch => "path-did-not-match",
        CandidateVerdict.PatternDidNotMatch => "pattern-did-not-match",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
    };

    public static string Of(RegistryKind kind) => kind switch
    {
        RegistryKind.DockerHub => "dockerHub",
        RegistryKind.Quay => "quay",
        _ => "custom",
    };

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum
        => value.ToString().ToLowerInvariant();

    public static TEnum Parse<TEnum>(string? text, string field, string allowed)
        where TEnum : struct, Enum
    {
        // Names only: "0" or "1" would parse as an enum value and pick a role nobody wrote.
        if (text is null || text.Length == 0 || !char.IsAsciiLetter(text[0]) || !Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) || !Enum.IsDefined(value))
        {
            throw new ApiProblemException(400, "invalid-input", string.Create(CultureInfo.InvariantCulture, $"The field '{field}' must be one of {allowed}."), field);
        }

        return value;
    }
}
