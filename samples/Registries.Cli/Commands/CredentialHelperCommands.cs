using System.CommandLine;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.Interop;
using Registries.Core.Shared;

namespace Registries.Cli.Commands;

// credential-helper install ENV [--dir DIR] [--native PATH]: writes docker-credential-registries, a small sh script that
// execs the native helper at PATH (samples/Registries.CredentialHelper, published with NativeAOT), or else this CLI's
// `credential-helper serve`, bound to the store, key file, environment and caller of the install. The docker CLI,
// skopeo and podman then ask the store at every pull (credHelpers / credsStore "registries"), so no password sits in a
// file and a deactivation takes effect at the next pull.
internal static class CredentialHelperCommands
{
    // The second line of every script this command writes: a file at the target without it is not ours to replace.
    internal const string Marker = "# registries-credential-helper: written by 'registries credential-helper install'; it holds no secret.";

    private const string DefaultDirectory = "/usr/local/bin";
    private const int MaxScriptBytes = 64 * 1024;

    public static Command Create(CommandRunner runner)
    {
        var command = new Command(
            "credential-helper",
            "Serve the environment's credentials to the docker CLI, skopeo and podman through Docker's credential helper "
            + "protocol, so that no password is written to a file and a deactivation takes effect at the next pull.");
        command.Subcommands.Add(InstallCommand(runner));
        command.Subcommands.Add(ServeCommand(runner));
        return command;
    }

    private static Command InstallCommand(CommandRunner runner)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment's id or name (a name is resolved to its id now)." };
        var directory = new Option<string>("--dir")
        {
            Description = $"The folder to write {DockerCredentialHelper.ProgramName} into; it must exist and be on the PATH of the clients. Default: {DefaultDirectory}.",
            HelpName = "DIR",
            DefaultValueFactory = _ => DefaultDirectory,
        };
        var native = new Option<string?>("--native")
        {
            Description = $"The native {DockerCredentialHelper.ProgramName} executable (published from samples/Registries.CredentialHelper) that the script runs: it answers in milliseconds and needs no .NET runtime. It must be an executable file outside DIR. Without it the script runs this registries program (credential-helper serve).",
            HelpName = "PATH",
        };
        var command = new Command(
            "install",
            $"Write the executable {DockerCredentialHelper.ProgramName} (mode 0755) into DIR, bound to this --store, "
            + "--key-file (referenced by its path, never copied), environment and --as user; it holds no secret. Then "
            + "name it in ~/.docker/config.json (\"credHelpers\": {\"HOST:PORT\": \"registries\"} or \"credsStore\": "
            + "\"registries\") or in containers' auth.json (\"credHelpers\"). Only an Owner or Member may install it (exit "
            + "3 otherwise, nothing written). A file of that name that this command did not write, a link, a FIFO or a "
            + "folder at that place is never replaced (exit 2).")
        {
            environment,
            directory,
            native,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var target = Target(context.ParseResult.GetRequiredValue(directory));
            var nativeHelper = context.ParseResult.GetValue(native) is { } path ? NativeHelper(path, target) : null;
            var registries = context.Registries;
            var environmentId = await context.EnvironmentIdAsync(context.ParseResult.GetRequiredValue(environment), cancellationToken);

            // The helper hands out credentials as this caller: installing it is managing the environment's registries.
            await registries.EnsurePermissionAsync(environmentId, RegistryPermission.ManageRegistries, cancellationToken);
            EnsureReplaceable(target);

            var store = context.StorePath;
            var keyFile = context.KeyFilePath ?? DefaultKeyFile(store);
            var script = Script(store, keyFile, context.Actor, environmentId, nativeHelper);
            await AtomicFile.ReplaceAsync(target, Encoding.UTF8.GetBytes(script), new AtomicFileChoices { Mode = ExecutableMode }, cancellationToken);

            // docker asks a helper per registry host: say which entries it cannot serve, rather than let them look served.
            foreach (var entry in await registries.ListRegistriesAsync(environmentId, cancellationToken))
            {
                if (entry.IsEffective && entry.Registry.State == RegistryState.Active && !entry.Registry.Scope.IsHostLevel)
                {
                    runner.WriteError($"note: {entry.Registry.Scope}: not served by the helper: docker asks credential helpers per registry host, so it gets {entry.Registry.Address}'s host-level credential (or none) for these images; use docker-config --format containers-auth or the kubelet provider for per-repository credentials.");
                }
            }

            if (context.Json)
            {
                context.Console.Out.WriteLine(CliJson.Serialize(new CredentialHelperJson(target, environmentId, DockerCredentialHelper.ProgramName), CredentialHelperJsonContext.Output.CredentialHelperJson));
            }
            else
            {
                context.Console.Out.WriteLine(TerminalText.Escape($"Wrote {target} for environment {environmentId}. Name it \"registries\" in credHelpers or credsStore."));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    // What the script runs; the protocol's verb is its one argument. Hidden: people run it through the script.
    private static Command ServeCommand(CommandRunner runner)
    {
        var environment = new Option<string>("--environment")
        {
            Description = "The environment's id.",
            HelpName = "ID",
            Required = true,
        };
        var verb = new Argument<string[]>("VERB")
        {
            Description = "get, list, store, erase or version.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("serve", $"Serve one verb of the credential helper protocol (what {DockerCredentialHelper.ProgramName} runs).")
        {
            environment,
            verb,
        };
        command.Hidden = true;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var console = runner.Console;
            var verbs = parseResult.GetValue(verb) ?? [];
            var context = new CliContext(parseResult, runner.Globals, console);
            try
            {
                if (verbs.Length != 1)
                {
                    return await FailAsync(console, $"usage: {DockerCredentialHelper.ProgramName} <get|list|store|erase|version>");
                }

                var store = context.StorePath;
                if (!CliStore.IsDatabase(store) && !File.Exists(store))
                {
                    return await FailAsync(console, $"the store '{store}' does not exist: install the helper again with the right --store (registries --store FILE credential-helper install ENV).");
                }

                var helper = new DockerCredentialHelper(context.Registries, parseResult.GetRequiredValue(environment));

                // A closed stdin (`<&-`) would make the runtime's own descriptor 0 the input: read nothing instead.
                using var input = StandardInput.IsClosed()
                    ? new StreamReader(Stream.Null)
                    : new StreamReader(console.In, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                return await helper.RunAsync(verbs[0], input, console.Out, console.Error, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The store or the key cannot be used (a wrong --key-file, an unreadable file, a database that is down):
                // one line where the client reads it, exit 1 as the protocol's helpers do.
                return await FailAsync(console, CliErrors.MessageOf(exception));
            }
            finally
            {
                await context.DisposeAsync();
            }
        });
        return command;
    }

    private static async Task<int> FailAsync(CliConsole console, string message)
    {
        var line = CliErrors.OneLine(message);
        await console.Out.WriteLineAsync(line);
        await console.Out.FlushAsync();
        await console.Error.WriteLineAsync(DockerCredentialHelper.ProgramName + ": " + line);
        return DockerCredentialHelper.Failure;
    }

    private const UnixFileMode ExecutableMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static string Target(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory))
        {
            throw new ArgumentException($"--dir is empty: give the folder to write {DockerCredentialHelper.ProgramName} into, for example {DefaultDirectory}.");
        }

        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            throw new ArgumentException($"--dir '{directory}' is not an existing folder: create it (and put it on the clients' PATH), or give another one.");
        }

        return Path.Combine(full, DockerCredentialHelper.ProgramName);
    }

    // Only nothing, or a regular file this command wrote, may be replaced. A link would let the write land elsewhere
    // (the rename replaces the link itself, but an operator who linked it meant something else); a FIFO would hang a reader.
    private static void EnsureReplaceable(string target)
    {
        var kind = KindOf(target);
        if (kind is FileKind.Missing)
        {
            return;
        }

        if (kind is not FileKind.Regular)
        {
            throw new ArgumentException($"'{target}' is {UnixFile.Describe(kind)}, not a helper this command wrote: remove it, or give another --dir.");
        }

        string[] lines;
        using (var handle = UnixFile.OpenForReading(target, out var errno))
        {
            if (handle.IsInvalid)
            {
                throw new IOException($"'{target}' cannot be read to tell whether this command wrote it: {UnixFile.ErrorMessage(errno)}.");
            }

            var bytes = UnixFile.ReadBounded(handle, MaxScriptBytes, MaxScriptBytes);
            lines = bytes is null ? [] : Encoding.UTF8.GetString(bytes).Split('\n', 3);
        }

        if (lines.Length < 2 || lines[1] != Marker)
        {
            throw new ArgumentException($"'{target}' exists and was not written by 'registries credential-helper install': it is not replaced; remove it yourself, or give another --dir.");
        }
    }

    private static FileKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path) ? FileKind.Regular : Directory.Exists(path) ? FileKind.Directory : FileKind.Missing;
        }

        return UnixFile.Stat(path, followLinks: false, out var status) == 0 ? status.Kind : FileKind.Missing;
    }

    // The key's default place, fixed now: the helper must not depend on the HOME or REGISTRIES_KEY_FILE of its client.
    private static string DefaultKeyFile(string store)
        => CliStore.IsDatabase(store)
            ? Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile, System.Environment.SpecialFolderOption.DoNotVerify), ".registries", "store.key")
            : store + ".key";

    // The script runs the native helper when install was given one (the same options, no command name), else this
    // program's `credential-helper serve`.
    internal static string Script(string store, string keyFile, string caller, string environmentId, string? nativeHelper = null)
    {
        var command = nativeHelper is null ? new List<string>(HostCommand()) { "credential-helper", "serve" } : [nativeHelper];
        command.AddRange(["--store", store, "--key-file", keyFile, "--as", caller, "--environment", environmentId, "--"]);
        return "#!/bin/sh\n"
            + Marker + "\n"
            + "exec " + string.Join(' ', command.Select(Quote)) + " \"$@\"\n";
    }

    // The native helper, checked now rather than at the first pull: an executable regular file (a link to one is fine),
    // not the script's own place, which the script would replace.
    private static string NativeHelper(string path, string target)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException($"--native is empty: give the path of the native {DockerCredentialHelper.ProgramName} (dotnet publish samples/Registries.CredentialHelper -c Release -o /usr/local/lib/registries).");
        }

        var full = Path.GetFullPath(path);
        if (string.Equals(full, target, StringComparison.Ordinal))
        {
            throw new ArgumentException($"--native '{full}' is where the script goes: publish the native helper into another folder (for example /usr/local/lib/registries) and give that path.");
        }

        var kind = !OperatingSystem.IsLinux()
            ? File.Exists(full) ? FileKind.Regular : FileKind.Missing
            : UnixFile.Stat(full, followLinks: true, out var status) == 0 ? status.Kind : FileKind.Missing;
        if (kind is FileKind.Missing)
        {
            throw new ArgumentException($"--native '{path}' does not exist: publish the native helper (dotnet publish samples/Registries.CredentialHelper -c Release -o DIR) and give DIR/{DockerCredentialHelper.ProgramName}.");
        }

        if (kind is not FileKind.Regular)
        {
            throw new ArgumentException($"--native '{path}' is {UnixFile.Describe(kind)}, not the native helper's executable file: give the path of {DockerCredentialHelper.ProgramName} itself.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new ArgumentException($"--native '{path}' is not executable: chmod +x it, or give the published {DockerCredentialHelper.ProgramName}.");
        }

        return full;
    }

    // The same program that ran install: `dotnet registries.dll` from a build or a tool's folder, else the apphost.
    private static IEnumerable<string> HostCommand()
    {
        var process = System.Environment.ProcessPath ?? throw new IOException("the path of this program is not known, so the helper cannot run it: install from the registries command itself.");
        var assembly = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(assembly)
            ? [process, assembly]
            : [process];
    }

    // Single quotes keep every character as it is (a space, '$', a newline); a quote inside is closed, escaped, reopened.
    internal static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

// What `credential-helper install --json` prints: the file written, the environment it serves, the helper's program name.
internal sealed record CredentialHelperJson(string Path, string EnvironmentId, string Program);

// Its own context, in this file, beside the command it serves (the same options as CliJsonContext).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CredentialHelperJson))]
internal sealed partial class CredentialHelperJsonContext : JsonSerializerContext
{
    private static CredentialHelperJsonContext? _output;

    public static CredentialHelperJsonContext Output => _output ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
