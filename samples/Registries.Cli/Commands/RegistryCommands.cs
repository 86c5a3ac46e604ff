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
        registry.Subcommands.Add(RefreshCommand(runner));
        registry.Subcommands.Add(StateCommand(runner, "deactivate", "Deactivate a registry: pulls from its address are then prohibited (no fallback to another credential).", (s, e, r, c) => s.DeactivateRegistryAsync(e, r, cancellationToken: c)));
        registry.Subcommands.Add(StateCommand(runner, "activate", "Activate an inactive registry again, without entering its password again.", (s, e, r, c) => s.ActivateRegistryAsync(e, r, cancellationToken: c)));
        registry.Subcommands.Add(ImportCommand.Create(runner));
        registry.Subcommands.Add(StateCommand(runner, "delete", "Delete an inactive registry: its password is erased for good. Deactivate it first.", (s, e, r, c) => s.DeleteRegistryAsync(e, r, cancellationToken: c)));
        return registry;
    }

    private static Argument<string> EnvironmentArgument() => new("ENV") { Description = "The environment's id or name." };

    private static Argument<string> RegistryArgument() => new("ID") { Description = "The registry's id (see 'registry list')." };

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
        var credential = registry.Source.Kind switch
        {
            CredentialSourceKind.Stored => $"user {TerminalText.Escape(registry.Username)} <{TerminalText.Escape(registry.Email)}>{(registry.ExpiresAt is { } at ? $", expires {CliNames.Instant(at)}" : string.Empty)}",
            CredentialSourceKind.IdentityToken => $"user {TerminalText.Escape(registry.Username)} <{TerminalText.Escape(registry.Email)}>, identity token",
            _ => $"<{TerminalText.Escape(registry.Email)}> from {TerminalText.Escape(registry.Source.ToString())}",
        };
        context.Console.Out.WriteLine($"{verb} registry {TerminalText.Escape(registry.Id)}: {TerminalText.Escape(registry.Scope.ToString())} ({CliNames.Of(registry.Kind)}), {credential}, {CliNames.Of(registry.State)}{use}.");
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
        var verify = new Option<bool>("--verify") { Description = "Log in to the registry first, as 'docker login' does (GET /v2/, then Basic or token auth); store the credential only if the registry accepts it." };
        var certsDir = new Option<string?>("--certs-dir")
        {
            Description = "With --verify: Docker's certificate folder, whose HOST:PORT/*.crt are trusted for the registry (see 'trust'). Default: /etc/docker/certs.d.",
            HelpName = "DIR",
        };
        var command = new Command(
            "add",
            "Add a registry credential; it becomes the one used for its scope from now on (an older one for the same scope is overridden). Give exactly one of --dockerhub, --quay or --address, and optionally --path. For an image, the most specific scope that covers it decides: an exact address before a host pattern, a longer path before a shorter one. "
            + "The credential is one of: " + CredentialOptions.Choices + ". A helper, plugin or identity token is asked at resolution, and what it gives is kept in memory only until it expires. "
            + "With --verify (a stored credential only), the registry must accept the credential first. Prints the new registry with its id.")
        {
            environment, dockerHub, quay, address, path, verify, certsDir,
        };
        var credentialOptions = CredentialOptions.AddTo(command, "add");
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

            if (result.GetValue(verify) && result.GetResult(credentialOptions.PasswordStdin) is null)
            {
                result.AddError("--verify logs in with a username and password: give it with --username USER --password-stdin (a helper, plugin or token is asked at resolution).");
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
            var credential = credentialOptions.Read(parse, context.Console, TimeProvider.System);

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

            var now = TimeProvider.System.GetUtcNow();
            TextTable.Write(
                context.Console.Out,
                ["ID", "ADDRESS", "KIND", "STATE", "SOURCE", "USERNAME", "EMAIL", "EXPIRES", "USE"],
                entries.Select(e => (IReadOnlyList<string>)
                [
                    e.Registry.Id,
                    e.Registry.Scope.ToString(),
                    CliNames.Of(e.Registry.Kind),
                    CliNames.Of(e.Registry.State),
                    e.Registry.Source.ToString(),
                    e.Registry.Username.Length == 0 ? "-" : e.Registry.Username,
                    e.Registry.Email,
                    ExpiryColumn(e.Registry, now),
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
        var command = new Command(
            "edit",
            "Change a registry's credential: its e-mail address and one of " + CredentialOptions.Choices + " (the password or token is always required again; the address never changes). An edit may change the source; the value a source gave before is dropped at once.")
        {
            environment, registry,
        };
        var credentialOptions = CredentialOptions.AddTo(command, "edit");
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var credential = credentialOptions.Read(parse, context.Console, TimeProvider.System);
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var edited = await context.Registries.EditRegistryAsync(environmentId, parse.GetRequiredValue(registry), credential, cancellationToken: cancellationToken);
            await WriteAsync(context, environmentId, edited.Id, "Edited", cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RefreshCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var registry = RegistryArgument();
        var command = new Command(
            "refresh",
            "Drop the value a registry's source (credential helper, kubelet plugin, identity token) gave, so that the next resolution asks it again "
            + "(after a secret changed at its source, say). This process then asks the source once and prints when the new value expires, or why the "
            + "source cannot give one (exit code 4). A stored credential has nothing cached: it is shown as it is.")
        {
            environment, registry,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);
            var registryId = parse.GetRequiredValue(registry);
            await context.Registries.RefreshRegistryAsync(environmentId, registryId, cancellationToken);
            var entry = await context.Registries.GetRegistryAsync(environmentId, registryId, cancellationToken);
            var refreshed = entry.Registry;

            // One fetch, when the entry decides its scope: an overridden or inactive entry is never asked for a credential.
            CredentialResolution? resolution = null;
            if (refreshed.Source.IsFetched && entry.IsEffective && refreshed.State == RegistryState.Active)
            {
                resolution = await context.Registries.ResolveAsync(environmentId, refreshed.Scope, cancellationToken);
            }

            if (context.Json)
            {
                context.Console.Out.WriteLine(CliJson.Serialize(
                    new RefreshJson(refreshed.Id, refreshed.Source.KindName, refreshed.Source.Name, resolution is not null, resolution is null ? null : CliNames.Of(resolution.Outcome), (resolution?.ExpiresAt ?? (refreshed.Source.IsFetched ? null : refreshed.ExpiresAt))?.ToUniversalTime(), resolution?.Reason),
                    CliJsonContext.Output.RefreshJson));
            }
            else
            {
                var now = TimeProvider.System.GetUtcNow();
                var id = TerminalText.Escape(refreshed.Id);
                var source = TerminalText.Escape(refreshed.Source.ToString());
                context.Console.Out.WriteLine(resolution switch
                {
                    null when !refreshed.Source.IsFetched => $"Registry {id} has a stored credential: nothing cached to drop{(refreshed.ExpiresAt is { } at ? $" (it expires {CliNames.Instant(at)})" : string.Empty)}.",
                    null => $"Refreshed registry {id} ({source}): the cached value is dropped; the entry is not the active, effective one of its scope, so its source was not asked.",
                    { Outcome: ResolutionOutcome.Authenticated, ExpiresAt: { } at } => $"Refreshed registry {id} ({source}): a new value, expires {CliNames.Instant(at)} (in {CliNames.Remaining(at, now)}).",
                    { Outcome: ResolutionOutcome.Authenticated } => $"Refreshed registry {id} ({source}): a new value, with no known expiry.",
                    _ => $"Refreshed registry {id} ({source}): the cached value is dropped; the source cannot give a new one now.",
                });
            }

            return resolution is { Outcome: ResolutionOutcome.Unavailable or ResolutionOutcome.Denied }
                ? ResolveCommand.ExitCodeOf(runner, resolution.Outcome, resolution.Reason)
                : ExitCodes.Success;
        });
        return command;
    }

    // A stored credential's own expiry, marked when it is past (the entry then answers denied); '-' for none. A
    // source's values expire on their own schedule, which 'registry refresh' and 'resolve --explain' show.
    private static string ExpiryColumn(Registry registry, DateTimeOffset now)
        => registry.ExpiresAt is not { } at ? "-" : at <= now ? CliNames.Instant(at) + " (expired)" : CliNames.Instant(at);

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
