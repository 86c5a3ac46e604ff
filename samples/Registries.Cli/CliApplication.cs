using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using Registries.Cli.Commands;

namespace Registries.Cli;

// The command tree of DESIGN.md section 4, on System.CommandLine.
internal static class CliApplication
{
    public static RootCommand CreateRootCommand(CommandRunner runner)
    {
        var root = new RootCommand(
            "Private-registry credentials per environment: add and manage them, decide which images may launch and which "
            + "mirrors they are pulled through, see which credential a pull would use, pull through the Docker Engine, export them for docker and Kubernetes, and prepare Docker hosts for "
            + "insecure and self-signed registries.\n\n"
            + "Exit codes: 0 success; 2 bad usage or bad input; 3 refused by the rules (denied, not permitted, wrong "
            + "state, unsupported orchestration); 4 an outside failure (Docker, network, file system). Errors are "
            + "one line on stderr.");
        runner.Globals.AddTo(root);
        root.Subcommands.Add(EnvironmentCommands.Create(runner));
        root.Subcommands.Add(RegistryCommands.Create(runner));
        root.Subcommands.Add(PolicyCommands.Create(runner));
        root.Subcommands.Add(MirrorCommands.Create(runner));
        root.Subcommands.Add(ResolveCommand.Create(runner));
        root.Subcommands.Add(PullCommand.Create(runner));
        root.Subcommands.Add(ExportCommand.Create(runner));
        root.Subcommands.Add(KubeletCredentialProviderCommand.Create(runner));
        root.Subcommands.Add(TrustCommand.Create(runner));
        root.Subcommands.Add(InsecureCommand.Create(runner));
        root.Subcommands.Add(StoreCommands.Create(runner));
        root.Subcommands.Add(CredentialHelperCommands.Create(runner));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var runner = new CommandRunner(new GlobalOptions(), console);
        try
        {
            var parseResult = CreateRootCommand(runner).Parse(args);
            if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpAction)
            {
                var help = "registries " + string.Join(' ', CommandPath(parseResult).Append("--help"));
                runner.WriteError(string.Join(" ", parseResult.Errors.Select(e => Sentence(e.Message)).Distinct()) + $" See '{help}'.");
                return ExitCodes.BadInput;
            }

            var configuration = new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            };
            return await parseResult.InvokeAsync(configuration, cancellationToken);
        }
        catch (Exception exception)
        {
            return runner.Report(exception);
        }
    }

    // One line: System.CommandLine lists allowed values on lines of their own ("Must be one of:\n\t'a'\n\t'b'").
    private static string Sentence(string message)
    {
        var text = string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd();
        return text.EndsWith('.') ? text : text + ".";
    }

    // The names of the commands typed, without the root: ["registry", "add"].
    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new List<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is CommandResult command && command.Parent is not null; result = command.Parent)
        {
            names.Add(command.Command.Name);
        }

        names.Reverse();
        return names;
    }
}
