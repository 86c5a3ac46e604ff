using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.Interop;

namespace Registries.Cli.Commands;

// registry add | list | show | edit | deactivate | activate | delete
internal static class RegistryCommands
{
    public static Command Create(CommandRunner runner)
    {
        var registry = new Command("registry", "Add and manage the registry credentials of an environment. Passwords are read from stdin only and never printed.");
        registry.Subcommands.Add(AddCommand(runner));
        registry.Subcommands.Add(ListCommand(runner));
        registry.Subcommands.Add(ShowCommand(runner));
        registry.Subcommands.Add(EditCommand(runner));
        registry.Subcommands.Add(StateCommand(runner, "deactivate", "Deactivate a registry: pulls from its address are then prohibited (no fallback to another credential).", (s, e, r, c) => s.DeactivateRegistryAsync(e, r, cancellationToken: c)));
        registry.Subcommands.Add(StateCommand(runner, "activate", "Activate an inactive registry again, without entering its password again.", (s, e, r, c) => s.ActivateRegistryAsync(e, r, cancellationToken: c)));
        registry.Subcommands.Add(ImportCommand.Create(runner));
        registry.Subcommands.Add(StateCommand(runner, "delete", "Delete an inactive registry: its password is erased for good. Deactivate it first.", (s, e, r, c) => s.DeleteRegistryAsync(e, r, cancellationToken: c)));
        return registry;
    }

    private static Argument<string> EnvironmentArgument() => new("ENV") { Description = "The environment's id or name." };

    private static Argument<string> RegistryArgument() => new("ID") { Description = "The registry's id (see 'registry list')." };

    private static Option<string> RequiredOption(string name, string description, string helpName)
        => new(name) { Description = description, HelpName = helpName, Required = true };

    private static Option<bool> PasswordStdinOption(Command command)
    {
        var option = new Option<bool>("--password-stdin")
        {
            Description = "Read the password from stdin (required: the password is never given as an argument). One trailing newline is removed.",
            Required = true,
        };

        // A flag's Required is not enforced by System.CommandLine (a missing flag is just false), so check it here.
        command.Options.Add(option);
        command.Validators.Add(result =>
        {
            if (result.GetResult(option) is null)
            {
                result.AddError("Option '--password-stdin' is required: pipe the password to stdin, for example 'echo \"$PASSWORD\" | registries registry " + command.Name + " ... --password-stdin'.");
            }
        });
        return option;
    }

    private static async Task WriteAsync(CliContext context, string environmentId, string registryId, string verb, CancellationToken cancellationToken)
    {
        var entry = await context.Registries.GetRegistryAsync(environmentId, registryId, cancellationToken);
        if (context.Json)
        {
            context.Console.Out.WriteLine(CliJson.Serialize(RegistryJson.From(entry), CliJsonContext.Output.RegistryJson));
            return;
        }

        var registry = entry.Registry;
        var use = entry.IsEffective ? ", effective" : entry.IsOverridden ? ", overridden" : string.Empty;
        context.Console.Out.WriteLine($"{verb} registry {TerminalText.Escape(registry.Id)}: {TerminalText.Escape(registry.Scope.ToString())} ({CliNames.Of(registry.Kind)}), user {TerminalText.Escape(registry.Username)} <{TerminalText.Escape(registry.Email)}>, {CliNames.Of(registry.State)}{use}.");
    }

    private static Command AddCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var dockerHub = new Option<bool>("--dockerhub") { Description = "Docker Hub (docker.io)." };
        var quay = new Option<bool>("--quay") { Description = "Quay.io." };
        var address = new Option<string?>("--address")
        {
            Description = "A custom registry: a host name or IP address with an optional port, without http:// or a path "
                + "(registry.example.com:5000); or a host pattern where each leading '*' stands for exactly one DNS label "
                + "('*.corp.example', quoted for the shell), which covers every registry it matches, with the same port.",
            HelpName = "HOST[:PORT]",
        };
        var path = new Option<string?>("--path")
        {
            Description = "Narrow the credential to a repository path prefix of the registry (team, team/sub): it then covers "
                + "REGISTRY/team/... only, on '/' boundaries (not team-b/...), and decides over a credential for the whole "
                + "registry. On Docker Hub, official images are under 'library'.",
            HelpName = "PATH",
        };
        var email = RequiredOption("--email", "The e-mail address of the account.", "EMAIL");
        var username = RequiredOption("--username", "The username of the account.", "USER");
        var verify = new Option<bool>("--verify") { Description = "Log in to the registry first, as 'docker login' does (GET /v2/, then Basic or token auth); store the credential only if the registry accepts it." };
        var certsDir = new Option<string?>("--certs-dir")
        {
            Description = "With --verify: Docker's certificate folder, whose HOST:PORT/*.crt are trusted for the registry (see 'trust'). Default: /etc/docker/certs.d.",
            HelpName = "DIR",
        };
        var command = new Command(
            "add",
            "Add a registry credential; it becomes the one used for its scope from now on (an older one for the same scope is overridden). Give exactly one of --dockerhub, --quay or --address, and optionally --path. For an image, the most specific scope that covers it decides: an exact address before a host pattern, a longer path before a shorter one. With --verify, the registry must accept the credential first. Prints the new registry with its id.")
        {
            environment, dockerHub, quay, address, path, email, username, verify, certsDir,
        };
        PasswordStdinOption(command);
        command.Validators.Add(result =>
        {
            var given = (result.GetValue(dockerHub) ? 1 : 0) + (result.GetValue(quay) ? 1 : 0) + (result.GetResult(address) is not null ? 1 : 0);
            if (given != 1)
            {
                result.AddError("Give exactly one of --dockerhub, --quay or --address HOST[:PORT].");
            }

            if (result.GetResult(certsDir) is not null && !result.GetValue(verify))
            {
                result.AddError("--certs-dir is used to verify the credential: give it with --verify.");
            }

            if (result.GetValue(verify) && result.GetValue(address) is { } text && text.StartsWith('*'))
            {
                result.AddError("--verify logs in to one registry, and a host pattern names none: add the pattern without --verify, or verify each registry's own address.");
            }
        });
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var scope = parse.GetValue(dockerHub) ? RegistryScope.Create(RegistryAddress.DockerHub, parse.GetValue(path))
                : parse.GetValue(quay) ? RegistryScope.Create(RegistryAddress.Quay, parse.GetValue(path))
                : RegistryScope.Parse(parse.GetRequiredValue(address)!, parse.GetValue(path));
            var credential = new RegistryCredential(parse.GetRequiredValue(email), parse.GetRequiredValue(username), PasswordInput.Read(context.Console));

            // With --verify the verifier comes from the container (an invalid --certs-dir fails here, as bad input),
            // which must therefore be built with it before the environment is looked up.
            var verifier = parse.GetValue(verify)
                ? context.Service<RegistryCredentialVerifier>(builder => builder.UseRegistryVerification(options =>
                {
                    if (parse.GetValue(certsDir) is { } dir)
                    {
                        options.CertificatesDirectory = CliPaths.Full(dir);
                    }
                }))
                : null;
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            Registry added;
            if (verifier is not null)
            {
                added = await context.Registries.AddVerifiedRegistryAsync(verifier, environmentId, scope, credential, cancellationToken);
            }
            else
            {
                added = await context.Registries.AddRegistryAsync(environmentId, scope, credential, cancellationToken);
            }

            await WriteAsync(context, environmentId, added.Id, "Added", cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var command = new Command(
            "list",
            "List an environment's registries, oldest first, with their scope (address or host pattern, and /path when narrowed to a repository path). 'effective' marks the one credential used for its scope; older ones of the same scope are 'overridden'.")
        {
            environment,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var entries = await context.Registries.ListRegistriesAsync(await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken), cancellationToken);
            if (context.Json)
            {
                IReadOnlyList<RegistryJson> json = entries.Select(RegistryJson.From).ToArray();
                context.Console.Out.WriteLine(CliJson.Serialize(json, CliJsonContext.Output.IReadOnlyListRegistryJson));
                return ExitCodes.Success;
            }

            TextTable.Write(
                context.Console.Out,
                ["ID", "ADDRESS", "KIND", "STATE", "USERNAME", "EMAIL", "USE"],
                entries.Select(e => (IReadOnlyList<string>)
                [
                    e.Registry.Id,
                    e.Registry.Scope.ToString(),
                    CliNames.Of(e.Registry.Kind),
                    CliNames.Of(e.Registry.State),
                    e.Registry.Username,
                    e.Registry.Email,
                    e.IsEffective ? "effective" : e.IsOverridden ? "overridden" : "-",
                ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ShowCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var registry = RegistryArgument();
        var command = new Command("show", "Show one registry (never its password).") { environment, registry };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            await WriteAsync(context, await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken), context.ParseResult.GetRequiredValue(registry), "Registry", cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command EditCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var registry = RegistryArgument();
        var email = RequiredOption("--email", "The new e-mail address.", "EMAIL");
        var username = RequiredOption("--username", "The new username.", "USER");
        var command = new Command(
            "edit",
            "Change a registry's e-mail address, username and password (the password is always required again; the address never changes).")
        {
            environment, registry, email, username,
        };
        PasswordStdinOption(command);
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var credential = new RegistryCredential(parse.GetRequiredValue(email), parse.GetRequiredValue(username), PasswordInput.Read(context.Console));
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var edited = await context.Registries.EditRegistryAsync(environmentId, parse.GetRequiredValue(registry), credential, cancellationToken: cancellationToken);
            await WriteAsync(context, environmentId, edited.Id, "Edited", cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command StateCommand(CommandRunner runner, string name, string description, Func<RegistryService, string, string, CancellationToken, ValueTask<Registry>> change)
    {
        var environment = EnvironmentArgument();
        var registry = RegistryArgument();
        var command = new Command(name, description) { environment, registry };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var environmentId = await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken);
            var changed = await change(context.Registries, environmentId, context.ParseResult.GetRequiredValue(registry), cancellationToken);
            await WriteAsync(context, environmentId, changed.Id, char.ToUpperInvariant(name[0]) + name[1..] + "d", cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }
}
