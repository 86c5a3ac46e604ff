using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;

namespace Registries.Cli.Commands;

// mirror add | list | remove: the pull-through caches an environment pulls a registry's images through, in order.
// Every member reads them; only owners change them (the library refuses the others, exit 3).
internal static class MirrorCommands
{
    public static Command Create(CommandRunner runner)
    {
        var mirror = new Command(
            "mirror",
            "Show and change the mirrors an environment pulls a registry's images through: pull-through caches (Harbor's proxy "
            + "cache, a distribution registry in proxy mode), tried in order, then the registry itself unless a mirror is "
            + "mirror-only. A mirror's credential is its own address's entry, resolved like any registry's; the policy is "
            + "decided on the name you asked for. Owners change them; every member reads them.");
        mirror.Subcommands.Add(AddCommand(runner));
        mirror.Subcommands.Add(ListCommand(runner));
        mirror.Subcommands.Add(RemoveCommand(runner));
        return mirror;
    }

    private static Argument<string> EnvironmentArgument() => new("ENV") { Description = "The environment's id or name." };

    private static Argument<string> UpstreamArgument() => new("UPSTREAM")
    {
        Description = "The registry whose images the mirror serves: HOST[:PORT] (docker.io for Docker Hub, quay.io, registry.example.com:5000), without https:// or a path.",
    };

    private static Argument<string> MirrorArgument() => new("MIRROR")
    {
        Description = "The mirror's address: HOST[:PORT] (mirror.example.com:5000), without https:// or a path (use --rewrite to put its repositories under a path).",
    };

    private static Command AddCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var upstream = UpstreamArgument();
        var address = MirrorArgument();
        var rewrite = new Option<string[]>("--rewrite")
        {
            Description = "Rename repositories on the mirror, as k3s and RKE2 rewrite: a regular expression over the repository path "
                + "(library/alpine; never the host, tag or digest) and its replacement, with $1 or ${name} for groups "
                + "('^library/(.*)' 'dockerhub/library/$1'). RE2 syntax: no backreferences or lookaround. A path it does not match keeps its name.",
            HelpName = "REGEX REPLACEMENT",
            // Fewer values are taken by the parser, so that the validator can say what --rewrite needs.
            Arity = new ArgumentArity(0, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        rewrite.Validators.Add(result =>
        {
            if (result.Tokens.Count != 2)
            {
                result.AddError("--rewrite takes two values, the expression and its replacement: --rewrite '^library/(.*)' 'dockerhub/library/$1'.");
            }
        });
        var mirrorOnly = new Option<bool>("--mirror-only")
        {
            Description = "Never pull the upstream's images from the upstream itself: when no mirror has the image, the pull fails. Applies to every mirror of UPSTREAM.",
        };
        var command = new Command(
            "add",
            "Add a mirror of UPSTREAM, tried after the mirrors it already has (adding one that exists replaces it in place, with the new --rewrite and --mirror-only). Owners only.")
        {
            environment,
            upstream,
            address,
            rewrite,
            mirrorOnly,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var from = RegistryAddress.Parse(parse.GetRequiredValue(upstream));
            var to = RegistryAddress.Parse(parse.GetRequiredValue(address));
            var rename = parse.GetValue(rewrite) is [var pattern, var replacement] ? AsBadInput(() => MirrorRewrite.Parse(pattern, replacement), "--rewrite: ") : null;
            var mirror = AsBadInput(() => RegistryMirror.Create(from, to, rename, parse.GetValue(mirrorOnly)), string.Empty);
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(parse.GetRequiredValue(environment), cancellationToken);
            var before = target.Mirrors.For(from).FirstOrDefault(m => m.Address.Equals(to));
            var changed = await context.Registries.AddMirrorAsync(target.Id, mirror, cancellationToken);
            if (context.Json)
            {
                Write(context, changed, changed.Mirrors);
            }
            else
            {
                var where = $"environment {PolicyCommands.Describe(changed)}";
                var order = changed.Mirrors.For(from).ToList();
                var position = $"{order.FindIndex(m => m.Address.Equals(to)) + 1} of {order.Count}";
                context.Console.Out.WriteLine(TerminalText.Escape(
                    before is null ? $"Added mirror {to} of {from} in {where}, tried {position}{Suffix(mirror)}."
                    : before.Equals(mirror) ? $"Unchanged: {where} already has mirror {to} of {from}{Suffix(mirror)}."
                    : $"Replaced mirror {to} of {from} in {where}, still tried {position}{Suffix(mirror)}."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ListCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var command = new Command("list", "List an environment's mirrors: for each upstream registry, its mirrors in the order they are tried, and whether the upstream itself comes last. Every member may ask, readonly included.")
        {
            environment,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken);
            var mirrors = await context.Registries.GetMirrorsAsync(target.Id, cancellationToken);
            Write(context, target, mirrors);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RemoveCommand(CommandRunner runner)
    {
        var environment = EnvironmentArgument();
        var upstream = UpstreamArgument();
        var address = MirrorArgument();
        var command = new Command("remove", "Remove a mirror of UPSTREAM; the ones after it move up. Owners only.")
        {
            environment,
            upstream,
            address,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var from = RegistryAddress.Parse(parse.GetRequiredValue(upstream));
            var to = RegistryAddress.Parse(parse.GetRequiredValue(address));
            var target = await context.Registries.GetEnvironmentByIdOrNameAsync(parse.GetRequiredValue(environment), cancellationToken);
            var changed = await CliErrors.NamingUnknownAsync(() => context.Registries.RemoveMirrorAsync(target.Id, from, to, cancellationToken));
            if (context.Json)
            {
                Write(context, changed, changed.Mirrors);
            }
            else
            {
                var left = changed.Mirrors.For(from).Count;
                context.Console.Out.WriteLine(TerminalText.Escape(
                    $"Removed mirror {to} of {from} from environment {PolicyCommands.Describe(changed)}; "
                    + (left == 0 ? $"{from} is pulled from directly." : $"{from} has {left} mirror{(left == 1 ? string.Empty : "s")} left.")));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, RegistryEnvironment environment, RegistryMirrors mirrors)
    {
        var output = context.Console.Out;
        if (context.Json)
        {
            output.WriteLine(CliJson.Serialize(MirrorsJson.From(environment.Id, mirrors), CliJsonContext.Output.MirrorsJson));
            return;
        }

        if (mirrors.IsEmpty)
        {
            output.WriteLine(TerminalText.Escape($"Environment {PolicyCommands.Describe(environment)} has no mirrors: every image is pulled from its own registry."));
            return;
        }

        var upstreams = mirrors.Upstreams();
        output.WriteLine(TerminalText.Escape($"Environment {PolicyCommands.Describe(environment)}: {Count(mirrors.All.Length, "mirror")} of {Count(upstreams.Count, "registry", "registries")}."));
        TextTable.Write(
            output,
            ["UPSTREAM", "ORDER", "MIRROR", "MIRROR-ONLY", "REWRITE"],
            upstreams.SelectMany(u => mirrors.For(u).Select((m, i) => (IReadOnlyList<string>)
            [
                u.ToString(),
                (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.Address.ToString(),
                m.MirrorOnly ? "yes" : "no",
                m.Rewrite is { } r ? $"{r.Pattern} -> {r.Replacement}" : "-",
            ])));
        foreach (var upstream in upstreams)
        {
            output.WriteLine(TerminalText.Escape(mirrors.FallsBackToUpstream(upstream)
                ? $"{upstream}: its mirrors in order, then {upstream} itself."
                : $"{upstream}: its mirrors only (mirror-only: never {upstream} itself)."));
        }
    }

    // A rewrite or mirror the library refuses is the user's input (exit 2), said with the option to fix.
    private static T AsBadInput<T>(Func<T> create, string option)
    {
        try
        {
            return create();
        }
        catch (RegistryRuleException e)
        {
            throw new ArgumentException(option + e.Message, e);
        }
    }

    private static string Suffix(RegistryMirror mirror)
        => (mirror.Rewrite is { } r ? $", rewriting {r.Pattern} -> {r.Replacement}" : string.Empty) + (mirror.MirrorOnly ? ", mirror-only" : string.Empty);

    private static string Count(int count, string one, string? many = null)
        => count == 1 ? $"1 {one}" : $"{count} {many ?? one + "s"}";
}
