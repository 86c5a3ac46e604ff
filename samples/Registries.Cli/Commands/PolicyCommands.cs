using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;

namespace Registries.Cli.Commands;

// policy show | allow | deny | remove: which images may launch in an environment, as allow and deny rules over scopes.
// Every member reads the policy; only owners change it (the library refuses the others, exit 3).
internal static class PolicyCommands
{
    public static Command Create(CommandRunner runner)
    {
        var policy = new Command(
            "policy",
            "Show and change which images may launch in an environment: allow and deny rules, each on a scope (an address, "
            + "a host pattern, optionally narrowed to a path prefix on '/' boundaries). No rule: every image may launch. A deny "
            + "rule that covers the image wins; otherwise, once there is an allow rule, an image no allow rule covers is denied. "
            + "Decided before any credential is looked at, on the name you asked for (never a mirror's). Owners change it; every member reads it.");
        policy.Subcommands.Add(ShowCommand(runner));
        policy.Subcommands.Add(SetCommand(runner, PolicyEffect.Allow));
        policy.Subcommands.Add(SetCommand(runner, PolicyEffect.Deny));
        policy.Subcommands.Add(RemoveCommand(runner));
        return policy;
    }

    private static Argument<string> EnvironmentArgument() => new("ENV") { Description = "The environment's id or name." };

    private static Argument<string> ScopeArgument(string what) => new("SCOPE")
    {
        Description = what + ": HOST[:PORT][/PATH] (registry.example.com:5000/team, docker.io/library) or a host pattern "
            + "*.PATTERN[:PORT][/PATH] ('*.corp.example', quoted for the shell; each '*' one DNS label), without https:// or user info. "
            + "A path covers itself and what is below it on '/' boundaries: team covers team/app, never team-b/app.",
    };

    private static Command ShowCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var command = new Command("show", "Show an environment's policy: its rules in the order they were first set, and what happens to an image no rule covers. Every member may ask, readonly included.")
        {
            environment,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken);
            var rules = await context.Registries.GetPolicyAsync(target.Id, cancellationToken);
            Write(context, target, rules);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SetCommand(CommandRunner runner, PolicyEffect effect)
    {
        var allow = effect == PolicyEffect.Allow;
        var environment = EnvironmentArgument();
        var scope = ScopeArgument(allow ? "The scope whose images may launch" : "The scope whose images may not launch");

        // On deny too, so that `policy deny ENV SCOPE --digest-only` says what to do instead of "unrecognized".
        var digestOnly = new Option<bool>("--digest-only")
        {
            Description = allow
                ? "Allow only images named by digest (IMAGE@sha256:...), never by tag: a tag can be moved, a digest cannot."
                : "Not for deny: a deny rule denies every image it covers, by tag or by digest (only an allow rule can be digest-only).",
        };
        var command = new Command(
            allow ? "allow" : "deny",
            allow
                ? "Allow the images of SCOPE. Once an environment has an allow rule, an image no allow rule covers is denied; the most specific allow rule that covers an image decides (with --digest-only, it must be named by digest). Replaces the rule SCOPE had. Owners only."
                : "Deny the images of SCOPE, whatever allow rule also covers them. Replaces the rule SCOPE had. Owners only.")
        {
            environment,
            scope,
            digestOnly,
        };
        if (!allow)
        {
            command.Validators.Add(result =>
            {
                if (result.GetValue(digestOnly))
                {
                    result.AddError("--digest-only narrows an allow rule to images named by digest; a deny rule denies every image it covers, by tag or by digest: use 'registries policy allow ENV SCOPE --digest-only', or leave out --digest-only.");
                }
            });
        }

        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var parsed = RegistryScope.ParseScope(parse.GetRequiredValue(scope));
            var rule = allow ? PolicyRule.Allow(parsed, parse.GetValue(digestOnly)) : PolicyRule.Deny(parsed);
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(parse.GetRequiredValue(environment), cancellationToken);
            var before = target.Policy.Find(parsed);
            var changed = await context.Registries.SetPolicyRuleAsync(target.Id, rule, cancellationToken);
            if (context.Json)
            {
                Write(context, changed, changed.Policy);
            }
            else
            {
                var where = $"environment {Describe(changed)}";
                context.Console.Out.WriteLine(TerminalText.Escape(
                    before is null ? $"Set '{rule}' in {where}."
                    : before.Equals(rule) ? $"Unchanged: {where} already has '{rule}'."
                    : $"Replaced '{before}' by '{rule}' in {where}."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RemoveCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var scope = ScopeArgument("The scope of the rule to remove, as 'policy show' lists it");
        var command = new Command("remove", "Remove the rule of SCOPE (allow or deny). Removing the last allow rule allows again every image no deny rule covers. Owners only.")
        {
            environment,
            scope,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var parsed = RegistryScope.ParseScope(parse.GetRequiredValue(scope));
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(parse.GetRequiredValue(environment), cancellationToken);
            var before = target.Policy.Find(parsed);
            var changed = await CliErrors.NamingUnknownAsync(() => context.Registries.RemovePolicyRuleAsync(target.Id, parsed, cancellationToken));
            if (context.Json)
            {
                Write(context, changed, changed.Policy);
            }
            else
            {
                context.Console.Out.WriteLine(TerminalText.Escape($"Removed '{before?.ToString() ?? parsed.ToString()}' from environment {Describe(changed)}."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // "1a1 (prod)": the id scripts use, and the name people know it by.
    internal static string Describe(RegistryEnvironment environment) => $"{environment.Id} ({environment.Name})";

    private static void Write(CliContext context, RegistryEnvironment environment, RegistryPolicy policy)
    {
        var output = context.Console.Out;
        if (context.Json)
        {
            output.WriteLine(CliJson.Serialize(PolicyJson.From(environment.Id, policy), CliJsonContext.Output.PolicyJson));
            return;
        }

        if (policy.IsEmpty)
        {
            output.WriteLine(TerminalText.Escape($"Environment {Describe(environment)} has no policy rules: every image may launch."));
            return;
        }

        var count = policy.Rules.Length == 1 ? "1 rule" : $"{policy.Rules.Length} rules";
        output.WriteLine(TerminalText.Escape(policy.HasAllowRules
            ? $"Environment {Describe(environment)}: {count}. An image a deny rule covers is denied, and so is an image no allow rule covers."
            : $"Environment {Describe(environment)}: {count}. An image a deny rule covers is denied; every other image may launch."));
        TextTable.Write(
            output,
            ["EFFECT", "SCOPE", "DIGEST-ONLY"],
            policy.Rules.Select(r => (IReadOnlyList<string>)[CliNames.Of(r.Effect), r.Scope.ToString(), r.DigestOnly ? "yes" : "no"]));
    }
}
