using Registries.Cli.Output;
using Registries.Core.DependencyInjection;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// export ENV --format registries-conf|policy-json [--output FILE] [--strict]: an environment's policy and mirrors as
// containers' own files. They hold no secret, so every member may export them and a file is written 0644 (as
// /etc/containers ships them); where a file is narrower than the environment, a note says so on stderr (in the --json
// summary), and --strict refuses it.
internal static class ContainersPolicyExportAction
{
    public static readonly (string Name, ContainersPolicyFormat Format)[] Formats =
    [
        ("registries-conf", ContainersPolicyFormat.RegistriesConf),
        ("policy-json", ContainersPolicyFormat.PolicyJson),
    ];

    public static string Description =>
        "registries-conf (containers registries.conf: mirrors and deny rules) and policy-json (containers policy.json: allow and deny rules) "
        + "are for podman, skopeo, buildah and CRI-O, made from the environment's policy and mirrors; every member may export them. "
        + string.Join(" ", Formats.Select(f => ContainersPolicyExport.DescribeLimits(f.Format)));

    public static async Task<int> RunAsync(CommandRunner runner, CliContext context, string environment, ContainersPolicyFormat format, string? output, bool strict, CancellationToken cancellationToken)
    {
        // The target is checked before anything is read, as for the credential formats.
        var path = output is not null ? OutputFile.Prepare(output) : null;
        var exporter = context.Service<ContainersPolicyExporter>(builder => builder.UseDockerConfigInterop());
        var environmentId = await context.EnvironmentIdAsync(environment, cancellationToken);
        var export = await exporter.ExportAsync(environmentId, cancellationToken);
        if (strict)
        {
            // Before anything is written: a refused export leaves no file behind, and an older one as it was.
            export.EnsureExpressible(format);
        }

        var notes = export.GetNotes(format);
        if (path is not null)
        {
            await export.WriteAsync(format, path, cancellationToken);
        }
        else
        {
            var document = export.Render(format);
            context.Console.Out.Write(document);
            if (!document.EndsWith('\n'))
            {
                context.Console.Out.WriteLine();
            }
        }

        if (context.Json && path is not null)
        {
            var summary = new ContainersPolicyOutputJson(
                path,
                Formats.Single(f => f.Format == format).Name,
                export.Policy.Rules.Select(r => r.ToString()).ToArray(),
                export.Mirrors.All.Select(m => m.ToString()).ToArray(),
                notes,
                ContainersPolicyExport.DescribeLimits(format));
            context.Console.Out.WriteLine(CliJson.Serialize(summary, CliJsonContext.Output.ContainersPolicyOutputJson));
            return ExitCodes.Success;
        }

        foreach (var note in notes)
        {
            runner.WriteError("note: " + note);
        }

        return ExitCodes.Success;
    }
}
