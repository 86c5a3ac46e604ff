using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;

namespace Registries.Cli.Commands;

// resolve ENV IMAGE: which credential a pull of IMAGE would use, without pulling and without the password.
internal static class ResolveCommand
{
    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var image = new Argument<string>("IMAGE") { Description = "The image reference, as docker takes it (ubuntu:22.04, registry.example.com:5000/team/app:1.0)." };
        var explain = new Option<bool>("--explain")
        {
            Description = "Also list every candidate entry (of the image's registry and every host pattern) with why it "
                + "was or was not used: effective, overridden, less-specific, removed, path-did-not-match, "
                + "pattern-did-not-match. Any member may ask, ReadOnly included.",
        };
        var command = new Command(
            "resolve",
            "Tell which credential a pull of IMAGE would use: authenticated (with the registry's username, its source and "
            + "when the value expires), anonymous (no registry configured for it), denied (its registry is inactive, or its "
            + "stored credential expired) or unavailable (its source - a credential helper, kubelet plugin or identity "
            + "token - cannot give a credential now; never a fallback to another entry or to an anonymous pull). The most "
            + "specific scope that covers the image decides: an exact address before a host pattern, a longer path before "
            + "a shorter one. A source is asked now (or its cached value used while it lasts). Never prints the password "
            + "or token. Exit code 0 when the pull is allowed, 3 when it is denied, 4 when it is unavailable (the answer, "
            + "with its reason, is still printed on stdout).")
        {
            environment,
            image,
            explain,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var reference = ImageReference.Parse(context.ParseResult.GetRequiredValue(image));
            var environmentId = await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken);
            if (context.ParseResult.GetValue(explain))
            {
                var explanation = await context.Registries.ExplainAsync(environmentId, reference, cancellationToken);

                // The explanation carries the policy's decision (made before any entry, so a denial names its rule and no
                // source is asked); one made without the environment's policy gets it here, as every member may read it.
                var policy = explanation.Policy ?? (await context.Registries.GetPolicyAsync(environmentId, cancellationToken)).Evaluate(reference);
                var sourced = policy.IsAllowed ? await SourceResolutionAsync(context, environmentId, explanation, cancellationToken) : null;
                return WriteExplanation(context, runner, explanation, policy, sourced);
            }

            var resolution = await context.Registries.ResolveAsync(environmentId, reference, cancellationToken);
            var output = context.Console.Out;
            if (context.Json)
            {
                output.WriteLine(CliJson.Serialize(ResolutionJson.From(resolution), CliJsonContext.Output.ResolutionJson));
            }
            else
            {
                output.WriteLine(TerminalText.Escape(resolution.Policy is { IsAllowed: false } policy
                    ? $"{resolution.Image}: denied by the environment's policy ({DecidingRule(policy)})."
                    : resolution.Outcome switch
                    {
                        ResolutionOutcome.Authenticated => $"{resolution.Image}: authenticated as {resolution.Username} with registry {resolution.RegistryId} ({resolution.MatchedRegistry!.Scope}){FromSource(resolution)}{Expiry(resolution.ExpiresAt)}.",
                        ResolutionOutcome.Anonymous => $"{resolution.Image}: anonymous, no registry configured for {resolution.Address}.",
                        ResolutionOutcome.Unavailable => $"{resolution.Image}: unavailable, registry {resolution.RegistryId} ({resolution.MatchedRegistry!.Scope}) from {resolution.Source} cannot give a credential now.",
                        _ when resolution.MatchedRegistry is null => $"{resolution.Image}: denied, it cannot be pulled from anywhere.",
                        _ => $"{resolution.Image}: denied by registry {resolution.RegistryId} ({resolution.MatchedRegistry.Scope}).",
                    }));
                WriteMirrors(output, resolution);
            }

            return ExitCodeOf(runner, resolution.Outcome, resolution.Reason);
        });
        return command;
    }

    // Denied is refused by the rules (3); Unavailable is a source's outside failure (4). The reason goes to stderr.
    internal static int ExitCodeOf(CommandRunner runner, ResolutionOutcome outcome, string? reason)
    {
        switch (outcome)
        {
            case ResolutionOutcome.Denied:
                runner.WriteError("denied: " + reason);
                return ExitCodes.Refused;
            case ResolutionOutcome.Unavailable:
                runner.WriteError("unavailable: " + reason);
                return ExitCodes.Failure;
            default:
                return ExitCodes.Success;
        }
    }

    // "deny *.evil.example", "allow registry.example.com/team (digest only)", or why no rule decided.
    internal static string DecidingRule(PolicyDecision decision)
        => decision.Rule?.ToString() ?? (decision.IsAllowed ? "no rule covers it" : "no allow rule covers it");

    // The mirrors the image would be pulled through, one line each with the credential there, then the upstream.
    private static void WriteMirrors(TextWriter output, CredentialResolution resolution)
    {
        if (!resolution.Mirrors.Any(m => !m.Source.IsUpstream))
        {
            return;
        }

        foreach (var mirror in resolution.Mirrors)
        {
            if (mirror.Source.IsUpstream)
            {
                output.WriteLine(TerminalText.Escape($"  then {mirror.Source.Image.Address} itself."));
                continue;
            }

            var credential = mirror.Credential;
            output.WriteLine(TerminalText.Escape($"  through mirror {mirror.Source.Image}: " + credential.Outcome switch
            {
                ResolutionOutcome.Authenticated => $"authenticated as {credential.Username} with registry {credential.RegistryId}.",
                ResolutionOutcome.Anonymous => "anonymous.",
                ResolutionOutcome.Unavailable => $"unavailable ({credential.Reason}).",
                _ => $"denied ({credential.Reason}).",
            }));
        }

        if (!resolution.Mirrors.Any(m => m.Source.IsUpstream))
        {
            output.WriteLine(TerminalText.Escape($"  never {resolution.Address} itself (mirror-only)."));
        }
    }

    private static string FromSource(CredentialResolution resolution)
        => resolution.Source is { IsFetched: true } source ? $" from {source}" : string.Empty;

    private static string Expiry(DateTimeOffset? expiresAt)
        => expiresAt is { } at ? $", expires {CliNames.Instant(at)} (in {CliNames.Remaining(at, TimeProvider.System.GetUtcNow())})" : string.Empty;

    // --explain names the deciding entry's source; for a source or a stored expiry it also resolves, so that it can say
    // what the source answers now and how long the value lasts. A ReadOnly member may explain but not resolve: the
    // explanation is then given without that part.
    private static async Task<CredentialResolution?> SourceResolutionAsync(CliContext context, string environmentId, ResolutionExplanation explanation, CancellationToken cancellationToken)
    {
        if (explanation.DecidingRegistry is not { State: RegistryState.Active } deciding || (!deciding.Source.IsFetched && deciding.ExpiresAt is null))
        {
            return null;
        }

        try
        {
            return await context.Registries.ResolveAsync(environmentId, explanation.Image, cancellationToken);
        }
        catch (PermissionDeniedException)
        {
            return null;
        }
    }

    private static int WriteExplanation(CliContext context, CommandRunner runner, ResolutionExplanation explanation, PolicyDecision policy, CredentialResolution? resolution)
    {
        var output = context.Console.Out;
        var outcome = !policy.IsAllowed ? ResolutionOutcome.Denied : resolution?.Outcome ?? explanation.Outcome;
        var reason = !policy.IsAllowed ? policy.Reason : resolution?.Reason ?? explanation.Reason;
        if (context.Json)
        {
            output.WriteLine(CliJson.Serialize(ExplanationJson.From(explanation, policy, resolution), CliJsonContext.Output.ExplanationJson));
        }
        else
        {
            var deciding = explanation.DecidingRegistry;
            output.WriteLine(TerminalText.Escape(!policy.IsAllowed ? $"{explanation.Image}: denied by the environment's policy ({DecidingRule(policy)}), before any entry is consulted." : outcome switch
            {
                ResolutionOutcome.Authenticated => $"{explanation.Image}: authenticated as {resolution?.Username ?? deciding!.Username} with registry {deciding!.Id}, decided by scope {explanation.DecidingScope}.",
                ResolutionOutcome.Anonymous => $"{explanation.Image}: anonymous, no scope covers it.",
                ResolutionOutcome.Unavailable => $"{explanation.Image}: unavailable, registry {deciding!.Id} decided by scope {explanation.DecidingScope} cannot get a credential from its source now.",
                _ => $"{explanation.Image}: denied by registry {deciding!.Id}, decided by scope {explanation.DecidingScope}.",
            }));
            WritePolicy(output, policy);
            if (deciding is not null && policy.IsAllowed)
            {
                output.WriteLine(TerminalText.Escape(SourceLine(deciding, resolution)));
            }

            if (explanation.Candidates.Count == 0)
            {
                output.WriteLine(TerminalText.Escape($"No entry of {explanation.Image.Address} and no host pattern in this environment."));
            }
            else
            {
                TextTable.Write(
                    output,
                    ["ID", "SCOPE", "STATE", "SOURCE", "USERNAME", "VERDICT", "WHY"],
                    explanation.Candidates.Select(c => (IReadOnlyList<string>)
                    [
                        c.Registry.Id,
                        c.Registry.Scope.ToString(),
                        CliNames.Of(c.Registry.State),
                        c.Registry.Source.ToString(),
                        c.Registry.Username.Length == 0 ? "-" : c.Registry.Username,
                        CliNames.Of(c.Verdict),
                        c.Reason,
                    ]));
            }
        }

        return ExitCodeOf(runner, outcome, reason);
    }

    // "Policy: denied by 'deny docker.io/library'; 2 rules weighed:" and the rules that cover the image, most specific
    // first, the deciding one marked.
    private static void WritePolicy(TextWriter output, PolicyDecision policy)
    {
        var verdict = policy.IsAllowed ? "allowed" : "denied";
        if (policy.Weighed.Count == 0)
        {
            output.WriteLine(TerminalText.Escape(policy.IsAllowed ? "Policy: allowed, no rule covers the image." : $"Policy: denied, {policy.Reason}."));
            return;
        }

        output.WriteLine(TerminalText.Escape($"Policy: {verdict} by '{policy.Rule}'{(policy.Reason is null ? string.Empty : $" ({policy.Reason})")}; {(policy.Weighed.Count == 1 ? "1 rule covers" : $"{policy.Weighed.Count} rules cover")} the image, most specific first:"));
        TextTable.Write(
            output,
            ["EFFECT", "SCOPE", "DIGEST-ONLY", "VERDICT"],
            policy.Weighed.Select(r => (IReadOnlyList<string>)[CliNames.Of(r.Effect), r.Scope.ToString(), r.DigestOnly ? "yes" : "no", r.Equals(policy.Rule) ? "decides" : "weighed"]));
    }

    // "Source: credential-helper:ecr-login; the value handed out expires 2027-01-31T18:00:00Z (in 11h 59m)."
    private static string SourceLine(Registry deciding, CredentialResolution? resolution)
    {
        var now = TimeProvider.System.GetUtcNow();
        var source = deciding.Source;
        var lasts = (source.IsFetched, resolution) switch
        {
            (_, { Outcome: ResolutionOutcome.Unavailable }) => $"it cannot give a credential now: {resolution.Reason}",
            (true, { Outcome: ResolutionOutcome.Authenticated, ExpiresAt: { } at }) => $"the value it gave is cached until {CliNames.Instant(at)} (in {CliNames.Remaining(at, now)}), then fetched again",
            (true, { Outcome: ResolutionOutcome.Authenticated }) => "the value it gave has no known expiry: it is cached for the configured maximum, then fetched again",
            (true, _) => "asked at resolution (not asked here)",
            (false, _) when deciding.ExpiresAt is { } at => at <= now ? $"the stored credential expired at {CliNames.Instant(at)}" : $"the stored credential expires at {CliNames.Instant(at)} (in {CliNames.Remaining(at, now)})",
            _ => "stored with the entry, with no expiry",
        };
        return $"Source: {source}; {lasts}.";
    }
}
