using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Registries.Core.AspNetCore;

// The documents of the policy and mirror endpoints, in the API's vocabulary (camelCase, lowercase words): a rule is
// its scope as one string (HOST[:PORT][/PATH] or *.PATTERN), its effect (allow or deny) and digestOnly; a mirror is its
// upstream, its own address, an optional rewrite and mirrorOnly. Neither holds a secret; a mirror's credential is an
// entry of its own, listed with the registries.
internal sealed class SetPolicyRuleRequest : IBindableFromHttpContext<SetPolicyRuleRequest>
{
    public static ValueTask<SetPolicyRuleRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<SetPolicyRuleRequest>(context);

    // allow or deny.
    public string? Effect { get; set; }

    // HOST[:PORT][/PATH] or *.PATTERN[:PORT][/PATH], as the CLI's 'policy allow|deny ENV SCOPE' takes it.
    public string? Scope { get; set; }

    // Allow rules only: the images of the scope are allowed by digest only. Absent: false.
    public bool? DigestOnly { get; set; }
}

internal sealed class AddMirrorRequest : IBindableFromHttpContext<AddMirrorRequest>
{
    public static ValueTask<AddMirrorRequest?> BindAsync(HttpContext context, ParameterInfo parameter) => JsonBody.BindAsync<AddMirrorRequest>(context);

    // The registry whose images the mirror serves (docker.io for Docker Hub).
    public string? Upstream { get; set; }

    // The mirror's address.
    public string? Mirror { get; set; }

    // How repositories are named on the mirror; absent when they keep the upstream's names.
    public MirrorRewriteRequest? Rewrite { get; set; }

    // Whether the upstream itself is never pulled from. Absent: false.
    public bool? MirrorOnly { get; set; }
}

internal sealed class MirrorRewriteRequest
{
    // A regular expression over the repository path (RE2 semantics, as k3s reads it).
    public string? Pattern { get; set; }

    // Its replacement: $1, ${1} or ${name} for a group, $$ for a dollar sign.
    public string? Replacement { get; set; }
}

internal sealed class PolicyRuleDocument
{
    public required string Scope { get; init; }

    // allow or deny.
    public required string Effect { get; init; }

    public required bool DigestOnly { get; init; }

    public static PolicyRuleDocument From(PolicyRule rule) => new()
    {
        Scope = rule.Scope.ToString(),
        Effect = ApiNames.Of(rule.Effect),
        DigestOnly = rule.DigestOnly,
    };
}

internal sealed class PolicyDocument
{
    public required string EnvironmentId { get; init; }

    // What an image no rule covers gets: allowed while there is no allow rule, denied once there is one (the CLI's word).
    public required string Uncovered { get; init; }

    // In the order in which their scopes were first given a rule.
    public required IReadOnlyList<PolicyRuleDocument> Rules { get; init; }

    public static PolicyDocument From(string environmentId, RegistryPolicy policy) => new()
    {
        EnvironmentId = environmentId,
        Uncovered = policy.HasAllowRules ? "denied" : "allowed",
        Rules = policy.Rules.Select(PolicyRuleDocument.From).ToArray(),
    };
}

internal sealed class MirrorRewriteDocument
{
    public required string Pattern { get; init; }

    public required string Replacement { get; init; }
}

// An environment's mirrors as the CLI's 'mirror list --json' prints them: per upstream (in the order its first mirror
// was added), whether the upstream itself comes last, and its mirrors in the order a pull tries them.
internal sealed class MirrorsDocument
{
    public required string EnvironmentId { get; init; }

    public required IReadOnlyList<UpstreamMirrorsDocument> Upstreams { get; init; }

    public static MirrorsDocument From(string environmentId, RegistryMirrors mirrors) => new()
    {
        EnvironmentId = environmentId,
        Upstreams = mirrors.Upstreams().Select(upstream => new UpstreamMirrorsDocument
        {
            Upstream = upstream.ToString(),
            FallsBackToUpstream = mirrors.FallsBackToUpstream(upstream),
            Mirrors = mirrors.For(upstream).Select(MirrorDocument.From).ToArray(),
        }).ToArray(),
    };
}

internal sealed class UpstreamMirrorsDocument
{
    public required string Upstream { get; init; }

    // False when one of its mirrors is mirror-only: the upstream itself is then never pulled from.
    public required bool FallsBackToUpstream { get; init; }

    public required IReadOnlyList<MirrorDocument> Mirrors { get; init; }
}

internal sealed class MirrorDocument
{
    // The mirror's address.
    public required string Address { get; init; }

    // Absent when repositories keep the upstream's names on the mirror.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MirrorRewriteDocument? Rewrite { get; init; }

    public required bool MirrorOnly { get; init; }

    public static MirrorDocument From(RegistryMirror mirror) => new()
    {
        Address = mirror.Address.ToString(),
        Rewrite = mirror.Rewrite is { } rewrite ? new MirrorRewriteDocument { Pattern = rewrite.Pattern, Replacement = rewrite.Replacement } : null,
        MirrorOnly = mirror.MirrorOnly,
    };
}

// What the environment's policy decided for a resolved image, as the CLI's resolve --json says it: allowed or not, and
// the rule that decided (its fields absent when no rule covers the image: then it is allowed when the policy has no
// allow rule and denied when it has).
internal sealed class PolicyVerdictDocument
{
    public required bool Allowed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Effect { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DigestOnly { get; init; }

    public static PolicyVerdictDocument? From(PolicyDecision? decision) => decision is null
        ? null
        : new PolicyVerdictDocument
        {
            Allowed = decision.IsAllowed,
            Effect = decision.Rule is { } rule ? ApiNames.Of(rule.Effect) : null,
            Scope = decision.Rule?.Scope.ToString(),
            DigestOnly = decision.Rule?.DigestOnly,
        };
}

// What explain says of the policy: the verdict, the deciding rule, why it denies, and every rule weighed (most specific
// first), as the CLI's resolve --explain --json names them.
internal sealed class PolicyExplanationDocument
{
    public required bool Allowed { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Effect { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Scope { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DigestOnly { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    public required IReadOnlyList<PolicyRuleDocument> Weighed { get; init; }

    public static PolicyExplanationDocument? From(PolicyDecision? decision) => decision is null
        ? null
        : new PolicyExplanationDocument
        {
            Allowed = decision.IsAllowed,
            Effect = decision.Rule is { } rule ? ApiNames.Of(rule.Effect) : null,
            Scope = decision.Rule?.Scope.ToString(),
            DigestOnly = decision.Rule?.DigestOnly,
            Reason = decision.Reason,
            Weighed = decision.Weighed.Select(PolicyRuleDocument.From).ToArray(),
        };
}

// One mirror a resolved image would be pulled through, in order, with the outcome of the credential resolved there (the
// CLI's resolve --json names). Never a password or a token.
internal sealed class MirrorSourceDocument
{
    // The mirror's address.
    public required string Address { get; init; }

    // The image's name there (rewritten on a mirror with a rewrite).
    public required string Image { get; init; }

    public required string Outcome { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Username { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RegistryId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    public static MirrorSourceDocument From(MirrorResolution resolution) => new()
    {
        Address = resolution.Source.Image.Address.ToString(),
        Image = resolution.Source.Image.ToString(),
        Outcome = ApiNames.Of(resolution.Credential.Outcome),
        Username = resolution.Credential.Outcome == ResolutionOutcome.Authenticated ? resolution.Credential.Username : null,
        RegistryId = resolution.Credential.RegistryId,
        Reason = resolution.Credential.Reason,
    };
}
