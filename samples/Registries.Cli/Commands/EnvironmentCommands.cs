using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;

namespace Registries.Cli.Commands;

// env create | list | show | member add
internal static class EnvironmentCommands
{
    public static Command Create(CommandRunner runner)
    {
        var env = new Command("env", "Create and list environments, and manage their members.");
        env.Subcommands.Add(CreateCommand(runner));
        env.Subcommands.Add(ListCommand(runner));
        env.Subcommands.Add(ShowCommand(runner));
        var member = new Command("member", "Manage the members of an environment.");
        member.Subcommands.Add(MemberAddCommand(runner));
        member.Subcommands.Add(MemberRemoveCommand(runner));
        env.Subcommands.Add(member);
        return env;
    }

    internal static void Write(CliContext context, RegistryEnvironment environment)
    {
        var output = context.Console.Out;
        if (context.Json)
        {
            output.WriteLine(CliJson.Serialize(EnvironmentJson.From(environment, context.Actor), CliJsonContext.Output.EnvironmentJson));
            return;
        }

        output.WriteLine($"Environment {TerminalText.Escape(environment.Id)}: {TerminalText.Escape(environment.Name)} ({CliNames.Of(environment.Orchestration)})");
        TextTable.Write(output, ["USER", "ROLE"], environment.Members.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (IReadOnlyList<string>)[m.Key, CliNames.Of(m.Value)]));
    }

    private static Command CreateCommand(CommandRunner runner)
    {
        var name = new Argument<string>("NAME") { Description = "The environment's name: one you cannot already see, compared ignoring case and surrounding blanks. It can stand for the id in every command." };
        var orchestration = new Option<string>("--orchestration")
        {
            Description = "The orchestration kind. Registries are supported in cattle environments.",
            DefaultValueFactory = _ => "cattle",
            HelpName = "KIND",
        };
        orchestration.AcceptOnlyFromAmong(CliNames.Orchestrations);
        var command = new Command("create", "Create an environment; you become its owner. Prints the new environment with its id.")
        {
            name,
            orchestration,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var environment = await context.Registries.CreateEnvironmentAsync(context.ParseResult.GetRequiredValue(name),
                CliNames.Orchestration(context.ParseResult.GetRequiredValue(orchestration)),
                cancellationToken);
            Write(context, environment);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var command = new Command("list", "List the environments you are a member of.");
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var actor = context.Actor;
            var environments = await context.Registries.ListEnvironmentsAsync(cancellationToken);
            if (context.Json)
            {
                IReadOnlyList<EnvironmentJson> json = environments.Select(e => EnvironmentJson.From(e, actor)).ToArray();
                context.Console.Out.WriteLine(CliJson.Serialize(json, CliJsonContext.Output.IReadOnlyListEnvironmentJson));
            }
            else
            {
                TextTable.Write(
                    context.Console.Out,
                    ["ID", "NAME", "ORCHESTRATION", "ROLE"],
                    environments.Select(e => (IReadOnlyList<string>)[e.Id, e.Name, CliNames.Of(e.Orchestration), e.RoleOf(actor) is { } role ? CliNames.Of(role) : string.Empty]));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ShowCommand(CommandRunner runner)
    {
        var id = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var command = new Command("show", "Show an environment and its members.") { id };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            Write(context, await context.Registries.GetEnvironmentByIdOrNameAsync(context.ParseResult.GetRequiredValue(id), cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command MemberAddCommand(CommandRunner runner)
    {
        var id = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var user = new Argument<string>("USER") { Description = "The user to add, or whose role to change." };
        var role = new Option<string>("--role")
        {
            Description = "The role: owners manage members and registries, members manage registries and pull, readonly members only list.",
            DefaultValueFactory = _ => "member",
            HelpName = "ROLE",
        };
        role.AcceptOnlyFromAmong(CliNames.Roles);
        var command = new Command("add", "Add a member to an environment, or change a member's role. Only owners may do this.") { id, user, role };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var environment = await context.Registries.SetMemberAsync(await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(id), cancellationToken),
                context.ParseResult.GetRequiredValue(user),
                CliNames.Role(context.ParseResult.GetRequiredValue(role)),
                cancellationToken);
            Write(context, environment);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command MemberRemoveCommand(CommandRunner runner)
    {
        var id = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var user = new Argument<string>("USER") { Description = "The member to remove." };
        var command = new Command(
            "remove",
            "Remove a member from an environment: they lose access at once (a credential helper or kubelet provider installed as them stops answering). Only owners may do this; the last owner cannot be removed. Exit code 3 when USER is not a member.")
        {
            id, user,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var environmentId = await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(id), cancellationToken);
            var name = context.ParseResult.GetRequiredValue(user);
            var before = await context.Registries.EnsurePermissionAsync(environmentId, RegistryPermission.ManageMembers, cancellationToken);
            if (before.RoleOf(name) is null)
            {
                runner.WriteError(TerminalText.Escape($"'{name}' is not a member of environment '{environmentId}': nothing was changed (see 'registries env show {environmentId}')."));
                return ExitCodes.Refused;
            }

            Write(context, await context.Registries.RemoveMemberAsync(environmentId, name, cancellationToken));
            return ExitCodes.Success;
        });
        return command;
    }
}
