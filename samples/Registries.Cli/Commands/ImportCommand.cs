using System.CommandLine;
using System.Text.Json;
using Registries.Cli.Output;
using Registries.Core.DependencyInjection;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// registry import ENV --docker-config FILE --default-email E: the credentials of a Docker config.json (auths,
// credHelpers, credsStore through the real docker-credential-* helpers), each added so that it wins (newest-wins).
internal static class ImportCommand
{
    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id." };
        var file = new Option<string>("--docker-config")
        {
            Description = "The Docker config.json to read (for example ~/.docker/config.json, as docker login writes it).",
            HelpName = "FILE",
            Required = true,
        };
        var email = new Option<string>("--default-email")
        {
            Description = "The e-mail address for entries that carry none (Docker configs rarely do).",
            HelpName = "EMAIL",
            Required = true,
        };
        var helperDirectories = new Option<string[]>("--helper-dir")
        {
            Description = "A folder to search for docker-credential-* helpers before PATH (repeatable).",
            HelpName = "DIR",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command(
            "import",
            "Import the credentials of a Docker config.json: auths entries, and credHelpers/credsStore through the real "
            + "docker-credential-* helper protocol. Each imported credential becomes the effective one for its address; one "
            + "identical to the effective active credential is reported unchanged; an entry that cannot be read is reported "
            + "as failed, never dropped. Owners and members only. Exit code 4 when any entry failed.")
        {
            environment,
            file,
            email,
            helperDirectories,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var directories = (parse.GetValue(helperDirectories) ?? []).Select(CliPaths.Full).ToArray();

            // Resolved first: an invalid --helper-dir is bad input whatever the caller may do. The importer then acts for
            // the caller plugged into the container, and checks the permissions before it opens the file.
            var importer = context.Service<DockerConfigImporter>(builder => builder.UseDockerConfigInterop(options =>
            {
                foreach (var directory in directories)
                {
                    options.HelperDirectories.Add(directory);
                }
            }));
            var result = await importer.ImportFileAsync(
                await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken),
                parse.GetRequiredValue(file),
                parse.GetRequiredValue(email),
                cancellationToken);
            if (context.Json)
            {
                context.Console.Out.WriteLine(JsonSerializer.Serialize(ImportJson.From(result), CliJsonContext.Output.ImportJson));
            }
            else
            {
                TextTable.Write(
                    context.Console.Out,
                    ["KEY", "SOURCE", "STATUS", "REGISTRY", "USERNAME", "REASON"],
                    result.Entries.Select(e => (IReadOnlyList<string>)[e.Key, e.Source, CliNames.Of(e.Status), e.RegistryId ?? "-", e.Username ?? "-", e.Reason ?? string.Empty]));
                context.Console.Out.WriteLine($"{result.ImportedCount} imported, {result.UnchangedCount} unchanged, {result.FailedCount} failed.");
            }

            if (result.FailedCount > 0)
            {
                context.Console.Error.WriteLine($"registries: {result.FailedCount} of {result.Entries.Count} entries could not be imported; see the report.");
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
