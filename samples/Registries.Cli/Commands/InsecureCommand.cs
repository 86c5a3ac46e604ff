using System.CommandLine;
using System.Text.Json;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.HostConfiguration;

namespace Registries.Cli.Commands;

// insecure add|remove HOST:PORT: the daemon's insecure-registries, in daemon.json and the DOCKER_OPTS line.
internal static class InsecureCommand
{
    // No "both": dockerd refuses to start when insecure registries are set in daemon.json and as a flag.
    private static readonly string[] Targets = ["auto", "daemon-json", "docker-opts"];

    public static Command Create(CommandRunner runner)
    {
        var insecure = new Command(
            "insecure",
            "Add a registry to, or remove it from, the Docker daemon's insecure registries, keeping everything else in "
            + "the files. Running it again changes nothing. The daemon sees the change after a restart.");
        insecure.Subcommands.Add(Subcommand(runner, "add", "Add HOST:PORT to the insecure registries.", add: true));
        insecure.Subcommands.Add(Subcommand(runner, "remove", "Remove HOST:PORT from the insecure registries, in both files.", add: false));
        return insecure;
    }

    private static Command Subcommand(CommandRunner runner, string name, string description, bool add)
    {
        var address = new Argument<string>("HOST:PORT") { Description = "The registry." };
        var daemonJson = new Option<string?>("--daemon-json") { Description = $"The daemon configuration file. Default: {DockerHostOptions.DefaultDaemonJsonPath}.", HelpName = "FILE" };
        var dockerOpts = new Option<string?>("--docker-opts-file") { Description = $"The defaults file with the DOCKER_OPTS line. Default: {DockerHostOptions.DefaultDockerDefaultsPath}.", HelpName = "FILE" };
        var target = new Option<string>("--target")
        {
            Description = "Which file gets an added registry: auto (the one that already lists insecure registries; else the DOCKER_OPTS file when the host is configured that way; else daemon.json), daemon-json or docker-opts. A target that would give dockerd insecure registries in both files is refused.",
            DefaultValueFactory = _ => "auto",
            HelpName = "TARGET",
        };
        target.AcceptOnlyFromAmong(Targets);
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would change; write nothing." };
        var command = new Command(name, description) { address, daemonJson, dockerOpts, dryRun };
        if (add)
        {
            command.Options.Add(target);
        }

        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var registry = RegistryAddress.Parse(parse.GetRequiredValue(address));
            var configurator = context.Service<InsecureRegistryConfigurator>(builder => builder.UseDockerHostConfiguration(options =>
            {
                options.DaemonJsonPath = parse.GetValue(daemonJson) is { } json ? CliPaths.Full(json) : DockerHostOptions.DefaultDaemonJsonPath;
                options.DockerDefaultsPath = parse.GetValue(dockerOpts) is { } opts ? CliPaths.Full(opts) : DockerHostOptions.DefaultDockerDefaultsPath;
                options.InsecureRegistryTarget = (add ? parse.GetRequiredValue(target) : "auto") switch
                {
                    "daemon-json" => InsecureRegistryTarget.DaemonJson,
                    "docker-opts" => InsecureRegistryTarget.DockerDefaults,
                    _ => InsecureRegistryTarget.Auto,
                };
            }));
            InsecureRegistryResult result;
            try
            {
                result = add
                    ? await configurator.AddAsync(registry, parse.GetValue(dryRun), cancellationToken)
                    : await configurator.RemoveAsync(registry, parse.GetValue(dryRun), cancellationToken);
            }
            catch (DockerHostConfigurationException e) when (ExitCodeOf(e.Error) is { } exitCode)
            {
                runner.WriteError(e.Message);
                return exitCode;
            }

            if (context.Json)
            {
                context.Console.Out.WriteLine(JsonSerializer.Serialize(InsecureJson.From(result, name), CliJsonContext.Output.InsecureJson));
            }
            else
            {
                HostChanges.Write(context.Console.Out, result.Changes, result.DryRun);
                context.Console.Out.WriteLine(result.RestartRequired
                    ? (result.DryRun ? "The Docker daemon would need a restart." : "Restart the Docker daemon to apply the change.")
                    : "Nothing to change.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // DESIGN.md section 4: the address typed is bad input (2); a host whose files the rules forbid touching is refused (3);
    // a file that cannot be read or written, or is not what dockerd can read, is an outside failure (4, the default).
    private static int? ExitCodeOf(DockerHostConfigurationError error) => error switch
    {
        DockerHostConfigurationError.UnsupportedRegistryAddress => ExitCodes.BadInput,
        DockerHostConfigurationError.ConflictingConfiguration or DockerHostConfigurationError.UnsupportedDockerDefaults => ExitCodes.Refused,
        _ => null,
    };
}
