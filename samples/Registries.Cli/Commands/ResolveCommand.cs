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
            "Tell which credential a pull of IMAGE would use: authenticated (with the registry's username), anonymous "
            + "(no registry configured for it) or denied (its registry is inactive). The most specific scope that covers "
            + "the image decides: an exact address before a host pattern, a longer path before a shorter one. Never "
            + "prints the password. Exit code 0 when the pull is allowed, 3 when it is denied (the answer is still printed "
            + "on stdout).")
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
                return WriteExplanation(context, runner, await context.Registries.ExplainAsync(environmentId, reference, cancellationToken));
            }

            var resolution = await context.Registries.ResolveAsync(environmentId, reference, cancellationToken);
            var output = context.Console.Out;
            if (context.Json)
            {
                output.WriteLine(CliJson.Serialize(ResolutionJson.From(resolution), CliJsonContext.Output.ResolutionJson));
            }
            else
            {
                output.WriteLine(TerminalText.Escape(resolution.Outcome switch
                {
                    ResolutionOutcome.Authenticated => $"{resolution.Image}: authenticated as {resolution.Username} with registry {resolution.RegistryId} ({resolution.MatchedRegistry!.Scope}).",
                    ResolutionOutcome.Anonymous => $"{resolution.Image}: anonymous, no registry configured for {resolution.Address}.",
                    _ => $"{resolution.Image}: denied by registry {resolution.RegistryId} ({resolution.MatchedRegistry!.Scope}).",
                }));
            }

            if (resolution.Outcome == ResolutionOutcome.Denied)
            {
                runner.WriteError("denied: " + resolution.Reason);
                return ExitCodes.Refused;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static int WriteExplanation(CliContext context, CommandRunner runner, ResolutionExplanation explanation)
    {
        var output = context.Console.Out;
        if (context.Json)
        {
            output.WriteLine(CliJson.Serialize(ExplanationJson.From(explanation), CliJsonContext.Output.ExplanationJson));
        }
        else
        {
            output.WriteLine(TerminalText.Escape(explanation.Outcome switch
            {
                ResolutionOutcome.Authenticated => $"{explanation.Image}: authenticated as {explanation.DecidingRegistry!.Username} with registry {explanation.DecidingRegistry.Id}, decided by scope {explanation.DecidingScope}.",
                ResolutionOutcome.Anonymous => $"{explanation.Image}: anonymous, no scope covers it.",
                _ => $"{explanation.Image}: denied by registry {explanation.DecidingRegistry!.Id}, decided by scope {explanation.DecidingScope}.",
            }));
            if (explanation.Candidates.Count == 0)
            {
                output.WriteLine(TerminalText.Escape($"No entry of {explanation.Image.Address} and no host pattern in this environment."));
            }
            else
            {
                TextTable.Write(
                    output,
                    ["ID", "SCOPE", "STATE", "USERNAME", "VERDICT", "WHY"],
                    explanation.Candidates.Select(c => (IReadOnlyList<string>)
                    [
                        c.Registry.Id,
                        c.Registry.Scope.ToString(),
                        CliNames.Of(c.Registry.State),
                        c.Registry.Username,
                        CliNames.Of(c.Verdict),
                        c.Reason,
                    ]));
            }
        }

        if (explanation.Outcome == ResolutionOutcome.Denied)
        {
            runner.WriteError("denied: " + explanation.Reason);
            return ExitCodes.Refused;
        }

        return ExitCodes.Success;
    }
}
