using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Registries.Core.AspNetCore;

// The policy and the mirrors of an environment, as the CLI's 'policy' and 'mirror' commands: every member reads them,
// only Owners change them. A scope holds '/' (registry.example.com/team), so it never travels in a path segment: a rule
// is set with its scope in the body and removed with it in the query (?scope=), a mirror removed with ?upstream= and
// ?mirror=. Input is parsed before the service is asked, so bad input is 400 with the library's message and nothing
// stored changes; an absent rule or mirror is 404, after the Owner check (a Member learns nothing from a 403).
internal static partial class RegistriesEndpoints
{
    private const string Policy = Environment + "/policy";
    private const string Mirrors = Environment + "/mirrors";

    private const string ScopeDescription =
        "A scope is HOST[:PORT][/PATH] or *.PATTERN[:PORT][/PATH]: an address, or a host pattern ('*' is one DNS label), "
        + "optionally narrowed to a repository path prefix matched on '/' boundaries (registry.example.com/team covers "
        + "registry.example.com/team/app, never registry.example.com/team-b/app, and registry.example.com never covers "
        + "registry.example.com.evil.io). Without 'https://'.";

    private static void MapPolicyAndMirrors(RouteGroupBuilder group)
    {
        group.MapGet(Policy, GetPolicyAsync)
            .WithName("GetPolicy").WithSummary("Shows an environment's policy: its allow and deny rules, in order, and what an image no rule covers gets ('uncovered': allowed or denied) (any member, ReadOnly included).")
            .WithDescription("No rule: every image is allowed. A deny rule that covers the image wins; otherwise, once there is an allow rule, the most specific allow rule that covers the image decides (a digest-only one allows only images named by digest) and an image none covers is denied ('uncovered': 'denied').")
            .WithProblems(401, 404, 409, 503);
        group.MapPost(Policy + "/rules", SetPolicyRuleAsync)
            .WithName("SetPolicyRule").WithSummary("Sets the rule of a scope: allow (optionally digest only) or deny; a scope's rule is replaced in place (Owners only). Answers the policy.")
            .WithDescription(ScopeDescription + " 'effect' is allow or deny; 'digestOnly' (allow rules only) allows the scope's images by digest only. A bad scope is 400 'invalid-address' or 'invalid-path' (field 'scope'), a digest-only deny rule 400 'invalid-input' (field 'digestOnly'); nothing is stored.")
            .AcceptsJson<SetPolicyRuleRequest>()
            .WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapDelete(Policy + "/rules", RemovePolicyRuleAsync)
            .WithName("RemovePolicyRule").WithSummary("Removes the rule of a scope, given in the query as ?scope=SCOPE (Owners only). Answers the policy.")
            .WithDescription(ScopeDescription + " The scope is the rule's, as it was set; a scope without a rule is 404 'rule-not-found', whose detail lists the rules.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);

        group.MapGet(Mirrors, ListMirrorsAsync)
            .WithName("ListMirrors").WithSummary("Lists an environment's mirrors: per upstream registry, whether the upstream itself comes last and its mirrors in the order a pull tries them (any member, ReadOnly included).")
            .WithProblems(401, 404, 409, 503);
        group.MapPost(Mirrors, AddMirrorAsync)
            .WithName("AddMirror").WithSummary("Adds a mirror of an upstream registry, last among the upstream's, or replaces the one with the same upstream and mirror address in place (Owners only). Answers the mirrors.")
            .WithDescription("'upstream' and 'mirror' are registry addresses (host[:port], docker.io for Docker Hub; never a host pattern, never 'https://'). 'rewrite' {'pattern', 'replacement'} renames repositories on the mirror as k3s does: a regular expression over the repository path (RE2: no backreference or lookaround) and its replacement ($1, ${1}, ${name}, $$). 'mirrorOnly' means the upstream itself is never pulled from. The mirror's credential is the environment's entry for its address, resolved like any registry's; the policy is decided on the image asked for, never on the mirror's name. A bad address is 400 'invalid-address' (field 'upstream' or 'mirror'), a bad rewrite 400 'invalid-rewrite' (field 'rewrite'); nothing is stored.")
            .AcceptsJson<AddMirrorRequest>()
            .WithProblems(400, 401, 403, 404, 409, 413, 415, 503);
        group.MapDelete(Mirrors, RemoveMirrorAsync)
            .WithName("RemoveMirror").WithSummary("Removes a mirror, given in the query as ?upstream=UPSTREAM&mirror=MIRROR (Owners only). Answers the mirrors.")
            .WithDescription("A mirror the upstream does not have is 404 'mirror-not-found', whose detail lists the upstream's mirrors.")
            .WithProblems(400, 401, 403, 404, 409, 415, 503);
    }

    private static async Task<Ok<PolicyDocument>> GetPolicyAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
        => TypedResults.Ok(PolicyDocument.From(environmentId, await service.GetPolicyAsync(environmentId, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<PolicyDocument>> SetPolicyRuleAsync(string environmentId, SetPolicyRuleRequest body, RegistryService service, CancellationToken cancellationToken)
    {
        var effect = ApiNames.Parse<PolicyEffect>(JsonBody.Required(body.Effect, "effect"), "effect", "allow or deny");
        var scope = RuleScopeOf(JsonBody.Required(body.Scope, "scope"));
        PolicyRule rule;
        try
        {
            rule = PolicyRule.Create(scope, effect, body.DigestOnly ?? false);
        }
        catch (ArgumentException ex) when (ex.ParamName == "digestOnly")
        {
            throw ApiProblems.InvalidInput(ex);
        }

        var environment = await service.SetPolicyRuleAsync(environmentId, rule, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(PolicyDocument.From(environment.Id, environment.Policy));
    }

    private static async Task<Ok<PolicyDocument>> RemovePolicyRuleAsync(string environmentId, string? scope, RegistryService service, CancellationToken cancellationToken)
    {
        var parsed = RuleScopeOf(RequiredQuery(scope, "scope"));
        RegistryEnvironment environment;
        try
        {
            environment = await service.RemovePolicyRuleAsync(environmentId, parsed, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryRuleException ex) when (ex.GetType() == typeof(RegistryRuleException))
        {
            // The service's own "no rule for that scope", thrown only after the Owner check (its subtypes, a refused
            // permission or orchestration, keep their answers): the Owner may know which rules there are.
            throw new ApiProblemException(StatusCodes.Status404NotFound, "rule-not-found", ex.Message, "scope");
        }

        return TypedResults.Ok(PolicyDocument.From(environment.Id, environment.Policy));
    }

    private static async Task<Ok<MirrorsDocument>> ListMirrorsAsync(string environmentId, RegistryService service, CancellationToken cancellationToken)
        => TypedResults.Ok(MirrorsDocument.From(environmentId, await service.GetMirrorsAsync(environmentId, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<MirrorsDocument>> AddMirrorAsync(string environmentId, AddMirrorRequest body, RegistryService service, CancellationToken cancellationToken)
    {
        var upstream = MirrorAddressOf(JsonBody.Required(body.Upstream, "upstream"), "upstream");
        var address = MirrorAddressOf(JsonBody.Required(body.Mirror, "mirror"), "mirror");
        MirrorRewrite? rewrite = null;
        if (body.Rewrite is { } given)
        {
            var pattern = JsonBody.Required(given.Pattern, "rewrite.pattern");
            var replacement = given.Replacement ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", "The field 'rewrite.replacement' is required (it may be empty).", "rewrite.replacement");
            try
            {
                rewrite = MirrorRewrite.Parse(pattern, replacement);
            }
            catch (RegistryRuleException ex)
            {
                throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-rewrite", ex.Message, "rewrite");
            }
        }

        RegistryMirror mirror;
        try
        {
            mirror = RegistryMirror.Create(upstream, address, rewrite, body.MirrorOnly ?? false);
        }
        catch (RegistryRuleException ex)
        {
            // A host pattern, or a mirror of itself: what the client wrote.
            throw upstream.IsPattern || address.IsPattern
                ? new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-address", ex.Message, upstream.IsPattern ? "upstream" : "mirror")
                : new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", ex.Message, "mirror");
        }

        var environment = await service.AddMirrorAsync(environmentId, mirror, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(MirrorsDocument.From(environment.Id, environment.Mirrors));
    }

    private static async Task<Ok<MirrorsDocument>> RemoveMirrorAsync(string environmentId, string? upstream, string? mirror, RegistryService service, CancellationToken cancellationToken)
    {
        var upstreamAddress = MirrorAddressOf(RequiredQuery(upstream, "upstream"), "upstream");
        var mirrorAddress = MirrorAddressOf(RequiredQuery(mirror, "mirror"), "mirror");
        RegistryEnvironment environment;
        try
        {
            environment = await service.RemoveMirrorAsync(environmentId, upstreamAddress, mirrorAddress, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryRuleException ex) when (ex.GetType() == typeof(RegistryRuleException))
        {
            // The service's own "no such mirror", thrown only after the Owner check, as for a rule.
            throw new ApiProblemException(StatusCodes.Status404NotFound, "mirror-not-found", ex.Message, "mirror");
        }

        return TypedResults.Ok(MirrorsDocument.From(environment.Id, environment.Mirrors));
    }

    private static string RequiredQuery(string? value, string parameter)
        => string.IsNullOrEmpty(value)
            ? throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-input", $"The query parameter '{parameter}' is required, e.g. ?{parameter}=registry.example.com (percent-encoded).", parameter)
            : value;

    // A rule's scope as one string; the address's and the path's corrective messages as the library words them.
    private static RegistryScope RuleScopeOf(string scope)
    {
        try
        {
            return RegistryScope.ParseScope(scope);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, ex.Error == RegistryAddressError.InvalidPath ? "invalid-path" : "invalid-address", ex.Message, "scope");
        }
    }

    // An upstream's or a mirror's address. A host pattern parses here, so that RegistryMirror.Create says why a mirror
    // cannot join one.
    private static RegistryAddress MirrorAddressOf(string text, string field)
    {
        try
        {
            return text.StartsWith('*') ? RegistryAddress.ParsePattern(text) : RegistryAddress.Parse(text);
        }
        catch (RegistryAddressFormatException ex)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "invalid-address", ex.Message, field);
        }
    }
}
