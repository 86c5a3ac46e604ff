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
    // In the order in which their scopes were first given a rule.
    public required IReadOnlyList<PolicyRuleDocument> Rules { get; init; }

    // What an image no rule covers gets: allow while there is no allow rule, deny once there is one.
    public required string Default { get; init; }

    public static PolicyDocument From(RegistryPolicy policy) => new()
    {
        Rules = policy.Rules.Select(PolicyRuleDocument.From).ToArray(),
        Default = policy.HasAllowRules ? "deny" : "allow",
    };
}

internal sealed class MirrorRewriteDocument
{
    public required string Pattern { get; init; }

    public required string Replacement { get; init; }
}

internal sealed class MirrorDocument
{
    public required string Upstream { get; init; }

    public required string Mirror { get; init; }

    // Absent when repositories keep the upstream's names on the mirror.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MirrorRewriteDocument? Rewrite { get; init; }

    public required bool MirrorOnly { get; init; }

    public static MirrorDocument From(RegistryMirror mirror) => new()
    {
        Upstream = mirror.Upstream.ToString(),
        Mirror = mirror.Address.ToString(),
        Rewrite = mirror.Rewrite is { } rewrite ? new MirrorRewriteDocument { Pattern = rewrite.Pattern, Replacement = rewrite.Replacement } : null,
        MirrorOnly = mirror.MirrorOnly,
    };

    // Every mirror, in the order they were added: per upstream, the order in which they are tried.
    public static MirrorDocument[] From(RegistryMirrors mirrors) => mirrors.All.Select(From).ToArray();
}

// What the environment's policy said about a resolved image: present in a resolution when a rule covered the image or
// the policy denied it; absent when the policy has no rule for it to weigh.
internal sealed class PolicyVerdictDocument
{
    public required bool Allowed { get; init; }

    // The rule that decided; null when none covers the image (then it is denied because the policy has allow rules).
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required PolicyRuleDocument? Rule { get; init; }

    public static PolicyVerdictDocument? From(PolicyDecision? decision)
        => decision is null || (decision.IsAllowed && decision.Rule is null)
            ? null
            : new PolicyVerdictDocument { Allowed = decision.IsAllowed, Rule = decision.Rule is { } rule ? PolicyRuleDocument.From(rule) : null };
}

// One place a resolved image would be pulled from, in order: a mirror (and the image's name there) or the upstream
// itself, with the outcome of the credential resolved there. Never a password or a token.
internal sealed class MirrorSourceDocument
{
    // The mirror's address, or the upstream's own for the upstream.
    public required string Address { get; init; }

    // The image's name there (rewritten on a mirror with a rewrite).
    public required string Image { get; init; }

    public required bool Upstream { get; init; }

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
        Upstream = resolution.Source.IsUpstream,
        Outcome = ApiNames.Of(resolution.Credential.Outcome),
        Username = resolution.Credential.Outcome == ResolutionOutcome.Authenticated ? resolution.Credential.Username : null,
        RegistryId = resolution.Credential.RegistryId,
        Reason = resolution.Credential.Reason,
    };
}
