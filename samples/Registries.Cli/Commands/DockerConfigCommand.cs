using System.CommandLine;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// docker-config ENV [--kubernetes]: the one command that prints passwords, since that is its whole purpose.
internal static class DockerConfigCommand
{
    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Print a Kubernetes Secret manifest of type kubernetes.io/dockerconfigjson instead (JSON, which kubectl apply -f - reads)." };
        var name = new Option<string>("--name")
        {
            Description = "The Secret's name, with --kubernetes.",
            DefaultValueFactory = _ => "regcred",
            HelpName = "NAME",
        };
        var ns = new Option<string?>("--namespace") { Description = "The Secret's namespace, with --kubernetes; none by default.", HelpName = "NAMESPACE" };
        var command = new Command(
            "docker-config",
            "Print the environment's effective, active credentials as a Docker config.json (for docker --config, skopeo "
            + "--authfile), or as a Kubernetes pull secret. The output holds the passwords: write it to a file only you "
            + "can read. Owners and members only. Always JSON; --json changes nothing.")
        {
            environment,
            kubernetes,
            name,
            ns,
        };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(kubernetes) && (result.GetResult(name) is { Implicit: false } || result.GetResult(ns) is not null))
            {
                result.AddError("--name and --namespace name the Kubernetes Secret: give them with --kubernetes.");
            }
        });
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var export = await new DockerConfigExporter(context.Registries).ExportAsync(context.Actor, parse.GetRequiredValue(environment), cancellationToken);
            var document = parse.GetValue(kubernetes)
                ? export.ToKubernetesSecretJson(parse.GetRequiredValue(name), parse.GetValue(ns))
                : export.ToDockerConfigJson();
            context.Console.Out.Write(document);
            if (!document.EndsWith('\n'))
            {
                context.Console.Out.WriteLine();
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
