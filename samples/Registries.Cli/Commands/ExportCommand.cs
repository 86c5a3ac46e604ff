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
    // One row per format: its name on the command line, what it is, and which format-specific options it takes. A new
    // format is a row here (and its renderer in the library); the command's code does not change.
    private static readonly FormatChoice[] Formats =
    [
        new("docker", DockerConfigFormat.Docker, "config.json, the default"),
        new("kubernetes", DockerConfigFormat.Kubernetes, "a kubernetes.io/dockerconfigjson Secret", TakesSecretName: true),
        new("containers-auth", DockerConfigFormat.ContainersAuth, "auth.json for podman, skopeo, buildah"),
        new("k3s", DockerConfigFormat.K3s, "registries.yaml for k3s and rke2: mirrors and credentials", TakesCertificates: true),
        new("docker-daemon", DockerConfigFormat.DockerDaemon, "a daemon.json fragment with Docker Hub's registry-mirrors"),
    ];

    private sealed record FormatChoice(string Name, DockerConfigFormat Format, string Description, bool TakesSecretName = false, bool TakesCertificates = false, bool WritesFolder = false);

    // Not a credential format: containerd's host configuration holds the mirrors, as a folder tree.
    private const string ContainerdHosts = "containerd-hosts";

    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var format = new Option<string>("--format")
        {
            Description = "The file format: " + string.Join(", ", Formats.Select(f => $"{f.Name} ({f.Description})"))
                + ", containerd-hosts (the mirrors as a certs.d tree of hosts.toml files for containerd, written into --output DIR), "
                + "registries-conf or policy-json (the policy and mirrors as containers' registries.conf or policy.json). "
                + string.Join(" ", Formats.Select(f => DockerConfigExport.DescribeLimits(f.Format))) + " " + ContainerdHostsExport.DescribeLimits()
                + " " + ContainersPolicyExportAction.Description,
            DefaultValueFactory = _ => "docker",
            HelpName = "FORMAT",
        };
        format.AcceptOnlyFromAmong([.. Formats.Select(f => f.Name), ContainerdHosts, .. ContainersPolicyExportAction.Formats.Select(f => f.Name)]);
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
            Description = $"With --format k3s or containerd-hosts: the certs.d folder trust installs into; a registry with a ca.crt there gets tls.ca_file (k3s) or ca (containerd). Default: {DockerHostOptions.DefaultCertificatesDirectory}.",
            HelpName = "DIR",
        };
        var output = new Option<string?>("--output")
        {
            Description = "Write the document to FILE instead of stdout (a folder format: into that folder): readable by you only (0600, whatever was there), replaced "
                + "atomically, its folder created 0700 when missing; a symbolic link is kept and its target replaced. Prints "
                + "nothing, or with --json what was written and the notes (never a password). With --format containerd-hosts (where it is "
                + "required), the certs.d folder DIR that gets DIR/HOST/hosts.toml per mirrored registry (0644, no secret); other "
                + "hosts' folders are left alone.",
            HelpName = "PATH",
        };
        var strict = new Option<bool>("--strict")
        {
            Description = "Refuse the export (exit 3, nothing written) when the format cannot express something the environment decides: "
                + "a path-scoped or host-pattern credential it cannot key, an inactive scoped entry whose denial a wider key would undo, "
                + "a credential the policy denies wholly or in part, a mirror, rewrite or mirror-only setting, or a policy rule it has no place for. "
                + "Without it those are listed on stderr as notes, never widened or dropped silently.",
        };
        var command = new Command(
            "export",
            "Write what the environment decides (its effective, active credentials, its mirrors, its policy) in a runtime's own file: "
            + "a Docker config.json (for docker --config), a Kubernetes pull secret, a containers auth.json (podman, skopeo --authfile), "
            + "a k3s/rke2 registries.yaml, a Docker daemon.json fragment (registry-mirrors), containerd's certs.d tree of hosts.toml, "
            + "or containers' registries.conf and policy.json. The credential formats hold the passwords: prefer --output PATH, "
            + "written 0600; Owners and members only. The others hold no secret, and every member may write them. What a format "
            + "cannot express gets a note on stderr (in the --json summary with --output); --strict refuses it.")
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

            var choice = Formats.FirstOrDefault(f => f.Name == chosen);
            if (result.GetValue(kubernetes))
            {
                choice = Formats.Single(f => f.Format == DockerConfigFormat.Kubernetes);
            }

            if (chosen == ContainerdHosts && !result.GetValue(kubernetes))
            {
                if (result.GetResult(name) is { Implicit: false } || result.GetResult(ns) is not null)
                {
                    result.AddError("--name and --namespace name the Kubernetes Secret: give them with --format kubernetes, not --format containerd-hosts.");
                }

                if (result.GetResult(output) is null)
                {
                    result.AddError("--format containerd-hosts writes a folder tree (one HOST/hosts.toml per mirrored registry): give --output DIR, the certs.d folder containerd reads (ctr --hosts-dir, the CRI plugin's config_path), for example --output /etc/containerd/certs.d.");
                }

                return;
            }

            if (!result.GetValue(kubernetes) && ContainersPolicyExportAction.Formats.Any(f => f.Name == chosen))
            {
                if (result.GetResult(name) is { Implicit: false } || result.GetResult(ns) is not null || result.GetResult(certsDir) is not null)
                {
                    result.AddError($"--format {chosen} takes neither --name, --namespace nor --certs-dir: it holds the policy and mirrors only.");
                }

                return;
            }

            if (choice is null)
            {
                return;
            }

            if (!choice.TakesSecretName && (result.GetResult(name) is { Implicit: false } || result.GetResult(ns) is not null))
            {
                result.AddError($"--name and --namespace name the Kubernetes Secret: give them with {FormatsTaking(f => f.TakesSecretName)}, not --format {choice.Name}.");
            }

            if (!choice.TakesCertificates && result.GetResult(certsDir) is not null)
            {
                result.AddError($"--certs-dir gives the CA files a format points at: give it with {FormatsTaking(f => f.TakesCertificates)} or --format {ContainerdHosts}, not --format {choice.Name}.");
            }

            if (choice.WritesFolder && result.GetResult(output) is null)
            {
                result.AddError($"--format {choice.Name} writes a folder of files: give the folder with --output PATH.");
            }
        });
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            if (!parse.GetValue(kubernetes) && parse.GetValue(format) == ContainerdHosts)
            {
                return await ExportContainerdHostsAsync(runner, context, parse.GetRequiredValue(environment), parse.GetRequiredValue(output)!, parse.GetValue(certsDir), parse.GetValue(strict), cancellationToken);
            }

            if (!parse.GetValue(kubernetes) && ContainersPolicyExportAction.Formats.FirstOrDefault(f => f.Name == parse.GetValue(format)) is { Name: not null } policyFormat)
            {
                return await ContainersPolicyExportAction.RunAsync(runner, context, parse.GetRequiredValue(environment), policyFormat.Format, parse.GetValue(output), parse.GetValue(strict), cancellationToken);
            }

            var choice = parse.GetValue(kubernetes)
                ? Formats.Single(f => f.Format == DockerConfigFormat.Kubernetes)
                : Formats.Single(f => f.Name == parse.GetValue(format));

            // The target is checked before anything is read: a wrong --output costs no access to the credentials.
            var path = parse.GetValue(output) is { } file ? OutputFile.Prepare(file) : null;
            var options = new ExportOptions
            {
                SecretName = parse.GetRequiredValue(name),
                SecretNamespace = parse.GetValue(ns),
                CertificatesDirectory = choice.TakesCertificates
                    ? parse.GetValue(certsDir) is { } dir ? CliPaths.Full(dir) : DockerHostOptions.DefaultCertificatesDirectory
                    : null,
            };

            // The exporter comes from the container the way an application gets it, acting for the caller plugged in there.
            var exporter = context.Service<DockerConfigExporter>(builder => builder.UseDockerConfigInterop());
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var export = await exporter.ExportAsync(environmentId, cancellationToken);
            if (parse.GetValue(strict))
            {
                // Before anything is written: a refused export leaves no file behind, and an older one as it was.
                export.EnsureExpressible(choice.Format);
            }

            if (path is not null)
            {
                OutputFile.CreateFolder(path);
                var written = await export.WriteAsync(choice.Format, path, options, cancellationToken);
                if (context.Json)
                {
                    var summary = new DockerConfigOutputJson(path, choice.Name, export.GetScopes(choice.Format).Select(r => r.ToString()).ToArray(), written.Notes, DockerConfigExport.DescribeLimits(choice.Format));
                    context.Console.Out.WriteLine(CliJson.Serialize(summary, CliJsonContext.Output.DockerConfigOutputJson));
                }
                else
                {
                    WriteNotes(runner, written.Notes);
                }

                return ExitCodes.Success;
            }

            var document = await export.RenderAsync(choice.Format, options, cancellationToken);
            var text = document.Files[0].GetText();
            context.Console.Out.Write(text);
            if (!text.EndsWith('\n'))
            {
                context.Console.Out.WriteLine();
            }

            WriteNotes(runner, document.Notes);
            return ExitCodes.Success;
        });
        return command;
    }

    // export --format containerd-hosts --output DIR: the mirrors as containerd's certs.d tree. No credentials are read
    // or written, so every member may run it.
    private static async Task<int> ExportContainerdHostsAsync(CommandRunner runner, CliContext context, string environment, string output, string? certsDir, bool strict, CancellationToken cancellationToken)
    {
        // The target is checked before anything is read: a file where the folder should be is the user's to fix.
        if (string.IsNullOrWhiteSpace(output))
        {
            throw new ArgumentException("--output is empty: with --format containerd-hosts give the certs.d folder to write into, for example /etc/containerd/certs.d.");
        }

        var directory = CliPaths.Full(output);
        if (File.Exists(directory))
        {
            throw new ArgumentException($"--output '{output}' is a file: with --format containerd-hosts give the certs.d folder to write into, for example /etc/containerd/certs.d.");
        }

        var certificates = certsDir is { } dir ? CliPaths.Full(dir) : DockerHostOptions.DefaultCertificatesDirectory;
        var exporter = context.Service<ContainerdHostsExporter>(builder => builder.UseDockerConfigInterop());
        var environmentId = await context.EnvironmentIdAsync(environment, cancellationToken);
        var export = await exporter.ExportAsync(environmentId, cancellationToken);
        if (strict)
        {
            // Before anything is written: a refused export leaves the tree as it was.
            export.EnsureExpressible();
        }

        var written = await export.WriteAsync(directory, certificates, cancellationToken);
        if (context.Json)
        {
            var summary = new ContainerdHostsOutputJson(directory, ContainerdHosts, export.Upstreams.Select(u => u.ToString()).ToArray(), written, export.Notes, ContainerdHostsExport.DescribeLimits());
            context.Console.Out.WriteLine(CliJson.Serialize(summary, CliJsonContext.Output.ContainerdHostsOutputJson));
        }
        else
        {
            WriteNotes(runner, export.Notes);
        }

        return ExitCodes.Success;
    }

    private static string FormatsTaking(Func<FormatChoice, bool> takes)
        => string.Join(" or ", Formats.Where(takes).Select(f => "--format " + f.Name));

    // Notes go to stderr, one line each: stdout is the document itself, which a pipe hands to kubectl or a file.
    private static void WriteNotes(CommandRunner runner, IReadOnlyList<string> notes)
    {
        foreach (var note in notes)
        {
            runner.WriteError("note: " + note);
        }
    }
}
