using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Spectre.Console;

namespace Registries.Cli.Commands;

// pull ENV IMAGE: through the Docker Engine, with the credential the environment resolves.
internal static class PullCommand
{
    public static Command Create(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name." };
        var image = new Argument<string>("IMAGE") { Description = "The image reference (registry.example.com:5000/team/app:1.0)." };
        var dockerHost = new Option<string?>("--docker-host")
        {
            Description = "The Docker Engine endpoint (unix:///var/run/docker.sock, tcp://HOST:2375). Default: $DOCKER_HOST, else the platform's socket.",
            HelpName = "URI",
        };
        var always = new Option<bool>("--always") { Description = "Pull even when the image is already present on the Docker host." };
        var command = new Command(
            "pull",
            "Make sure IMAGE is on the Docker host: an image already present is used as it is, whatever the state of its "
            + "registry; otherwise it is pulled with the credential the environment resolves, through the registry's mirrors "
            + "in order when it has some (each with its own credential; the image keeps the name asked for). A pull the "
            + "environment's policy denies, or whose registry is inactive, is refused (exit code 3). Shows progress on a "
            + "terminal, plain lines when the output is redirected.")
        {
            environment,
            image,
            dockerHost,
            always,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var reference = ImageReference.Parse(parse.GetRequiredValue(image));
            var endpoint = parse.GetValue(dockerHost) is { } host ? Endpoint(host) : null;

            // The container is built once, on first use: the Docker adapter must be in it before the name lookup. The
            // engine is resolved now so that a --docker-host its options refuse is bad input, whoever asks; building it
            // does not contact Docker.
            var pulls = context.Service<ImagePullService>(builder => builder.UseDocker(options => options.Endpoint = endpoint));
            var environmentId = await context.EnvironmentIdAsync(parse.GetRequiredValue(environment), cancellationToken);

            // The caller must be allowed to use the environment's credentials (ReadOnly members are not), asked as such
            // before Docker is touched; the pull itself resolves on the launch-time path, since an image already present
            // needs no credential at all.
            await context.Registries.EnsurePermissionAsync(environmentId, RegistryPermission.UseCredentials, cancellationToken);
            var alwaysPull = parse.GetValue(always);
            ImagePullResult result;
            if (context.Json)
            {
                result = await pulls.EnsureImageAsync(environmentId, reference, alwaysPull, progress: null, cancellationToken);
                context.Console.Out.WriteLine(CliJson.Serialize(PullJson.From(result), CliJsonContext.Output.PullJson));
                return ExitCodes.Success;
            }

            if (context.Console.IsOutputRedirected)
            {
                result = await pulls.EnsureImageAsync(environmentId, reference, alwaysPull, new PlainPullProgress(context.Console.Out), cancellationToken);
            }
            else
            {
                result = await AnsiConsole.Progress()
                    .AutoClear(true)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
                    .StartAsync(progress => pulls.EnsureImageAsync(environmentId, reference, alwaysPull, new TerminalPullProgress(progress), cancellationToken).AsTask());
            }

            var used = result.PulledWith ?? result.Resolution;
            var from = result.PulledFrom?.Mirror is { } mirror ? $" from mirror {mirror.Address}" : string.Empty;
            foreach (var attempt in result.Attempts)
            {
                // A mirror that gave nothing before the one that did: said, never silently.
                context.Console.Out.WriteLine(TerminalText.Escape($"Not from {attempt}"));
            }

            context.Console.Out.WriteLine(TerminalText.Escape(!result.Pulled
                ? $"{result.Image} is already present on the Docker host (use --always to pull it again)."
                : used?.Outcome == ResolutionOutcome.Authenticated
                    ? $"Pulled {result.Image}{from} as {used.Username} with registry {used.RegistryId}."
                    : $"Pulled {result.Image}{from} anonymously."));
            return ExitCodes.Success;
        });
        return command;
    }

    // What the user typed, as a URI: one that is not absolute is kept relative, for the engine's options to refuse with
    // the forms they accept (unix:///PATH, tcp://HOST:PORT).
    private static Uri Endpoint(string text)
        => Uri.TryCreate(text, UriKind.Absolute, out var absolute) ? absolute
            : Uri.TryCreate(text, UriKind.Relative, out var relative) ? relative
            : new Uri(text, UriKind.Absolute);

    // Redirected output: one line each time a layer's status changes, not one per byte count.
    private sealed class PlainPullProgress(TextWriter output) : IProgress<ImagePullProgress>
    {
        private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Report(ImagePullProgress value)
        {
            lock (_lock)
            {
                var key = value.LayerId ?? string.Empty;
                if (value.Status.Length == 0 || (_last.TryGetValue(key, out var last) && last == value.Status))
                {
                    return;
                }

                _last[key] = value.Status;
                output.WriteLine(TerminalText.Escape(value.LayerId is null ? value.Status : $"{value.LayerId}: {value.Status}"));
            }
        }
    }

    // A terminal: one progress bar per layer, with the layer's current status.
    private sealed class TerminalPullProgress(ProgressContext context) : IProgress<ImagePullProgress>
    {
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public void Report(ImagePullProgress value)
        {
            if (value.LayerId is null)
            {
                return;
            }

            lock (_lock)
            {
                if (!_tasks.TryGetValue(value.LayerId, out var task))
                {
                    task = context.AddTask(Markup.Escape(TerminalText.Escape(value.LayerId)), maxValue: 1);
                    _tasks[value.LayerId] = task;
                }

                task.Description = Markup.Escape(TerminalText.Escape($"{value.LayerId}: {value.Status}"));
                if (value.Total is > 0 && value.Current is { } current)
                {
                    task.MaxValue = value.Total.Value;
                    task.Value = Math.Min(current, value.Total.Value);
                }
                else if (value.Status.Contains("complete", StringComparison.OrdinalIgnoreCase) || value.Status.StartsWith("Already exists", StringComparison.Ordinal))
                {
                    task.Value = task.MaxValue;
                }
            }
        }
    }
}
