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
        var command = new Command(
            "resolve",
            "Tell which credential a pull of IMAGE would use: authenticated (with the registry's username), anonymous "
            + "(no registry configured for its address) or denied (its registry is inactive). Never prints the password. "
            + "Exit code 0 when the pull is allowed, 3 when it is denied (the answer is still printed on stdout).")
        {
            environment,
            image,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var reference = ImageReference.Parse(context.ParseResult.GetRequiredValue(image));
            var resolution = await context.Registries.ResolveAsync(await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken), reference, cancellationToken);
            var output = context.Console.Out;
            if (context.Json)
            {
                output.WriteLine(CliJson.Serialize(ResolutionJson.From(resolution), CliJsonContext.Output.ResolutionJson));
            }
            else
            {
                output.WriteLine(TerminalText.Escape(resolution.Outcome switch
                {
                    ResolutionOutcome.Authenticated => $"{resolution.Image}: authenticated as {resolution.Username} with registry {resolution.RegistryId} ({resolution.Address}).",
                    ResolutionOutcome.Anonymous => $"{resolution.Image}: anonymous, no registry configured for {resolution.Address}.",
                    _ => $"{resolution.Image}: denied by registry {resolution.RegistryId} ({resolution.Address}).",
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
}
