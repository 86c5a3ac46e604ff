using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core.DependencyInjection;
using Registries.Core.HostConfiguration;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// export ENV [--format F] [--output PATH] (also under its first name, docker-config): writes what an environment
// decides into a runtime's own files. The credential formats are the one place that prints passwords, since that is
// their whole purpose. With --output the document goes to a file only its owner can read,
// never through the shell's redirection (which creates it with the umask's mode, 0644 at umask 022).
internal static class ExportCommand
{
    private static readonly (string Name, DockerConfigFormat Format)[] Formats =
    [
        ("docker", DockerConfigFormat.Docker),
        ("kubernetes", DockerConfigFormat.Kubernetes),
        ("containers-auth", DockerConfigFormat.ContainersAuth),
        ("k3s", DockerConfigFormat.K3s),
    ];

    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var format = new Option<string>("--format")
        {
            Description = "The file format: docker (config.json, the default), kubernetes (a kubernetes.io/dockerconfigjson Secret), "
                + "containers-auth (auth.json for podman, skopeo, buildah) or k3s (registries.yaml for k3s and rke2). "
                + string.Join(" ", Formats.Select(f => DockerConfigExport.DescribeLimits(f.Format)))
                + " " + ContainersPolicyExportAction.Description,
            DefaultValueFactory = _ => "docker",
            HelpName = "FORMAT",
        };
        format.AcceptOnlyFromAmong([.. Formats.Select(f => f.Name), .. ContainersPolicyExportAction.Formats.Select(f => f.Name)]);
        var kubernetes = new Option<bool>("--kubernetes") { Description = "The short form of --format kubernetes." };
        var name = new Option<string>("--name")
        {
            Description = "The Secret's name, with --format kubernetes.",
            DefaultValueFactory = _ => "regcred",
            HelpName = "NAME",
        };
        var ns = new Option<string?>("--namespace") { Description = "The Secret's namespace, with --format kubernetes; none by default.", HelpName = "NAMESPACE" };
        var certsDir = new Option<string?>("--certs-dir", "--certificates-directory")
        {
            Description = $"With --format k3s: the certs.d folder trust installs into; a registry with a ca.crt there gets tls.ca_file. Default: {DockerHostOptions.DefaultCertificatesDirectory}.",
            HelpName = "DIR",
        };
        var output = new Option<string?>("--output")
        {
            Description = "Write the document to FILE instead of stdout: readable by you only (0600, whatever was there), replaced "
                + "atomically, its folder created 0700 when missing; a symbolic link is kept and its target replaced. Prints "
                + "nothing, or with --json what was written (never a password).",
            HelpName = "FILE",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Refuse the export (exit 3, nothing written) when the format cannot express an entry the environment would use: "
                + "a path-scoped or host-pattern credential it cannot key, or an inactive scoped entry whose denial a wider key would undo. "
                + "Without it such entries are listed on stderr, never widened to the whole host.",
        };
        var command = new Command(
            "export",
            "Print the environment's effective, active credentials as a Docker config.json (for docker --config), a Kubernetes "
            + "pull secret, a containers auth.json (podman, skopeo --authfile) or a k3s/rke2 registries.yaml. The output holds "
            + "the passwords: prefer --output FILE, written 0600. Owners and members only. Entries a format cannot use as they "
            + "are get a note on stderr (in the --json summary with --output). With --format registries-conf or policy-json: the environment's "
            + "policy and mirrors as containers' registries.conf or policy.json instead (no secret; every member).")
        {
            environment,
            format,
            kubernetes,
            name,
            ns,
            certsDir,
            output,
            strict,
        };

        // Its first name, kept working: scripts that call docker-config get the same command.
        command.Aliases.Add("docker-config");
        command.Validators.Add(result =>
        {
            // The typed text, not the value: an unknown format is reported by AcceptOnlyFromAmong, and reading its
            // value here would throw.
            var formatResult = result.GetResult(format);
            var chosen = formatResult?.Tokens.LastOrDefault()?.Value ?? "docker";
            var explicitFormat = formatResult is { Implicit: false };
            if (result.GetValue(kubernetes) && explicitFormat && chosen != "kubernetes")
            {
                result.AddError($"--kubernetes is the short form of --format kubernetes: give one format, not --kubernetes with --format {chosen}.");
            }

            var isKubernetes = result.GetValue(kubernetes) || chosen == "kubernetes";
            if (!isKubernetes && (result.GetResult(name) is { Implicit: false } || result.GetResult(ns) is not null))
            {
                result.AddError("--name and --namespace name the Kubernetes Secret: give them with --format kubernetes (or --kubernetes).");
            }

            if (chosen != "k3s" && result.GetResult(certsDir) is not null)
            {
                result.AddError("--certs-dir gives the CA files of a k3s registries.yaml: give it with --format k3s.");
            }
        });
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            if (ContainersPolicyExportAction.Formats.FirstOrDefault(f => f.Name == parse.GetValue(format)) is { Name: not null } policyFormat)
            {
                return await ContainersPolicyExportAction.RunAsync(runner, context, parse.GetRequiredValue(environment), policyFormat.Format, parse.GetValue(output), parse.GetValue(strict), cancellationToken);
            }

            var chosen = parse.GetValue(kubernetes) ? DockerConfigFormat.Kubernetes : Formats.Single(f => f.Name == parse.GetValue(format)).Format;

            // The target is checked before anything is read: a wrong --output costs no access to the credentials.
            var path = parse.GetValue(output) is { } file ? OutputFile.Prepare(file) : null;
            var certificates = chosen == DockerConfigFormat.K3s
                ? parse.GetValue(certsDir) is { } dir ? CliPaths.Full(dir) : DockerHostOptions.DefaultCertificatesDirectory
                : null;

            // The exporter comes from the container the way an application gets it, acting for the caller plugged in there.
            var exporter = context.Service<DockerConfigExporter>(builder => builder.UseDockerConfigInterop());
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var export = await exporter.ExportAsync(environmentId, cancellationToken);
            if (parse.GetValue(strict))
            {
                // Before anything is written: a refused export leaves no file behind, and an older one as it was.
                export.EnsureExpressible(chosen);
            }

            var notes = export.GetNotes(chosen);
            var formatName = Formats.Single(f => f.Format == chosen).Name;
            if (path is not null)
            {
                OutputFile.CreateFolder(path);
                var write = chosen switch
                {
                    DockerConfigFormat.Kubernetes => export.WriteKubernetesSecretAsync(path, parse.GetRequiredValue(name), parse.GetValue(ns), cancellationToken),
                    DockerConfigFormat.ContainersAuth => export.WriteContainersAuthAsync(path, cancellationToken),
                    DockerConfigFormat.K3s => export.WriteK3sRegistriesAsync(path, certificates, cancellationToken),
                    _ => export.WriteDockerConfigAsync(path, cancellationToken),
                };
                await write;

                if (context.Json)
                {
                    var written = new DockerConfigOutputJson(path, formatName, export.GetScopes(chosen).Select(r => r.ToString()).ToArray(), notes, DockerConfigExport.DescribeLimits(chosen));
                    context.Console.Out.WriteLine(CliJson.Serialize(written, CliJsonContext.Output.DockerConfigOutputJson));
                }
                else
                {
                    WriteNotes(runner, notes);
                }

                return ExitCodes.Success;
            }

            var document = chosen switch
            {
                DockerConfigFormat.Kubernetes => export.ToKubernetesSecretJson(parse.GetRequiredValue(name), parse.GetValue(ns)),
                DockerConfigFormat.ContainersAuth => export.ToContainersAuthJson(),
                DockerConfigFormat.K3s => await export.ToK3sRegistriesYamlAsync(certificates, cancellationToken),
                _ => export.ToDockerConfigJson(),
            };
            context.Console.Out.Write(document);
            if (!document.EndsWith('\n'))
            {
                context.Console.Out.WriteLine();
            }

            WriteNotes(runner, notes);
            return ExitCodes.Success;
        });
        return command;
    }

    // Notes go to stderr, one line each: stdout is the document itself, which a pipe hands to kubectl or a file.
    private static void WriteNotes(CommandRunner runner, IReadOnlyList<string> notes)
    {
        foreach (var note in notes)
        {
            runner.WriteError("note: " + note);
        }
    }
}
