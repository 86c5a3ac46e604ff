using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core.DependencyInjection;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// docker-config ENV [--kubernetes] [--output FILE]: the one command that prints passwords, since that is its whole
// purpose. With --output the document goes to a file only its owner can read, never through the shell's redirection
// (which creates it with the umask's mode, 0644 at umask 022).
internal static class DockerConfigCommand
{
    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Print a Kubernetes Secret manifest of type kubernetes.io/dockerconfigjson instead (JSON, which kubectl apply -f - reads)." };
        var name = new Option<string>("--name")
        {
            Description = "The Secret's name, with --kubernetes.",
            DefaultValueFactory = _ => "regcred",
            HelpName = "NAME",
        };
        var ns = new Option<string?>("--namespace") { Description = "The Secret's namespace, with --kubernetes; none by default.", HelpName = "NAMESPACE" };
        var output = new Option<string?>("--output")
        {
            Description = "Write the document to FILE instead of stdout: readable by you only (0600, whatever was there), replaced "
                + "atomically, its folder created 0700 when missing; a symbolic link is kept and its target replaced. Prints "
                + "nothing, or with --json what was written (never a password).",
            HelpName = "FILE",
        };
        var command = new Command(
            "docker-config",
            "Print the environment's effective, active credentials as a Docker config.json (for docker --config, skopeo "
            + "--authfile), or as a Kubernetes pull secret. The output holds the passwords: prefer --output FILE, written "
            + "0600. Owners and members only. The document is always JSON; --json only matters with --output.")
        {
            environment,
            kubernetes,
            name,
            ns,
            output,
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

            // The target is checked before anything is read: a wrong --output costs no access to the credentials.
            var path = parse.GetValue(output) is { } file ? OutputFile.Prepare(file) : null;

            // The exporter comes from the container the way an application gets it, acting for the caller plugged in there.
            var exporter = context.Service<DockerConfigExporter>(builder => builder.UseDockerConfigInterop());
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var export = await exporter.ExportAsync(environmentId, cancellationToken);
            var isKubernetes = parse.GetValue(kubernetes);
            if (path is not null)
            {
                OutputFile.CreateFolder(path);
                if (isKubernetes)
                {
                    await export.WriteKubernetesSecretAsync(path, parse.GetRequiredValue(name), parse.GetValue(ns), cancellationToken);
                }
                else
                {
                    await export.WriteDockerConfigAsync(path, cancellationToken);
                }

                if (context.Json)
                {
                    var written = new DockerConfigOutputJson(path, isKubernetes ? "kubernetes" : "docker", export.Addresses.Select(r => r.ToString()).ToArray());
                    context.Console.Out.WriteLine(CliJson.Serialize(written, CliJsonContext.Output.DockerConfigOutputJson));
                }

                return ExitCodes.Success;
            }

            var document = isKubernetes
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
