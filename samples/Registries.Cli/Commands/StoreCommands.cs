using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Registries.Cli.Output;
using Registries.Core.PostgreSql;
using Registries.Core.Storage;

namespace Registries.Cli.Commands;

// store copy --from SOURCE --to TARGET: the way from one store to another (the file store to PostgreSQL and back),
// through RegistryStoreCopy, which writes the target through its own protector and verifies the copy. store
// announce-change: the remedy after writes to a database made with the store's triggers disabled.
internal static class StoreCommands
{
    public static Command Create(CommandRunner runner)
    {
        var store = new Command("store", "Work on whole stores: copy one into another, rotate the key that protects the passwords, announce a change made behind the store's back.");
        store.Subcommands.Add(CopyCommand(runner));
        KeyCommands.AddTo(store, runner);
        store.Subcommands.Add(AnnounceChangeCommand(runner));
        return store;
    }

    // store announce-change: PostgreSqlRegistryStore.AnnounceChangeAsync, the remedy after writes made with the store's
    // triggers disabled (pg_restore --data-only --disable-triggers).
    private static Command AnnounceChangeCommand(CommandRunner runner)
    {
        var command = new Command(
            "announce-change",
            "On a PostgreSQL store: tell every instance's resolution cache that anything may have changed. Run it after "
            + "writes made with the store's triggers disabled (pg_restore --data-only --disable-triggers), which no cache "
            + "sees: each instance clears its cache within its staleness bound. It also makes the triggers fire in every "
            + "replication role again (pg_restore re-enables them for the default role only), which needs the owner of the "
            + "tables: another role still announces, then exits 4 saying so. A store file has no cache to tell (exit 2). "
            + "An operator's action: it acts for no user (--as is not used), and needs no key file.");
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            if (!CliStore.IsDatabase(context.StorePath))
            {
                throw new ArgumentException("--store: announce-change is for a PostgreSQL store (postgresql://USER@HOST:PORT/DB): a store file is read afresh by every command and has no cache to tell.");
            }

            var store = (PostgreSqlRegistryStore)context.Services().GetRequiredService<IRegistryStore>();
            await store.AnnounceChangeAsync(cancellationToken);
            context.Console.Out.WriteLine(context.Json
                ? TerminalText.EscapeJson(AnnouncedJson(store))
                : $"Announced a change to every resolution cache of schema '{store.Schema}' in database '{store.Database}' on {store.Server}: each clears its cache within its staleness bound.");
            return ExitCodes.Success;
        });
        return command;
    }

    // { "announced": true, "server": "db.example.com:5432", "database": "registries", "schema": "registries" }
    private static string AnnouncedJson(PostgreSqlRegistryStore store)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteBoolean("announced", true);
            writer.WriteString("server", store.Server);
            writer.WriteString("database", store.Database);
            writer.WriteString("schema", store.Schema);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Command CopyCommand(CommandRunner runner)
    {
        var from = new Option<string>("--from")
        {
            Description = "The store to copy: a file, or a PostgreSQL database (postgresql://USER@HOST:PORT/DB, or a key=value connection string), as --store takes it. It is only read.",
            HelpName = "STORE",
            Required = true,
        };
        var to = new Option<string>("--to")
        {
            Description = "The store to write, as --store takes it: it must be empty (a new file, or a database with no environment).",
            HelpName = "STORE",
            Required = true,
        };
        var fromKey = new Option<string?>("--from-key-file")
        {
            Description = "The key that protects the source's passwords. Default: STORE.key beside a store file, ~/.registries/store.key for a database.",
            HelpName = "FILE",
        };
        var toKey = new Option<string?>("--to-key-file")
        {
            Description = "The key that will protect the target's passwords (created when missing). Default: STORE.key beside a store file, ~/.registries/store.key for a database.",
            HelpName = "FILE",
        };
        var command = new Command(
            "copy",
            "Copy a whole store into an empty one: every environment with its members, every registry entry with its "
            + "state and its place in the order (the newest still wins), passwords decrypted with the source's key and "
            + "encrypted with the target's. The copy is then verified: the same listings and the same resolutions on both "
            + "sides, or exit 4 naming the first difference. Ids are assigned by the target (--json prints the map). "
            + "This is an operator action on the whole store, like a backup: it acts for no user (--as is not used) and "
            + "needs read access to the source and its key. Stop writers of the source while it runs. Exit code 3 when "
            + "the target is not empty (nothing is written).")
        {
            from,
            to,
            fromKey,
            toKey,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var source = Location(context.ParseResult.GetRequiredValue(from), "--from");
            var target = Location(context.ParseResult.GetRequiredValue(to), "--to");
            if (!CliStore.IsDatabase(source) && !File.Exists(source))
            {
                // The file store reads a missing file as an empty store: copying "nothing" would hide a mistyped path.
                throw new ArgumentException($"--from: there is no store file at '{source}': give the file of an existing store.");
            }

            await using var sourceServices = CliStore.Open(source, KeyFile(context.ParseResult.GetValue(fromKey)));
            await using var targetServices = CliStore.Open(target, KeyFile(context.ParseResult.GetValue(toKey)));
            var result = await RegistryStoreCopy.CopyAsync(
                sourceServices.GetRequiredService<IRegistryStore>(),
                targetServices.GetRequiredService<IRegistryStore>(),
                cancellationToken);
            context.Console.Out.WriteLine(context.Json
                ? TerminalText.EscapeJson(Json(result))
                : $"Copied {result.EnvironmentCount} environment(s) and {result.RegistryCount} registry entr{(result.RegistryCount == 1 ? "y" : "ies")}; "
                    + "verified: the target gives the same listings and resolutions. Ids are assigned by the target: --json prints the map.");
            return ExitCodes.Success;
        });
        return command;
    }

    // As --store: a database is named as it is; a file path is made absolute, which fixes the key's default place beside it.
    private static string Location(string value, string option)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{option}: give a store, a file path or a PostgreSQL URI (postgresql://USER@HOST:PORT/DB).");
        }

        return CliStore.IsDatabase(value) ? value : Path.GetFullPath(value);
    }

    private static string? KeyFile(string? value) => string.IsNullOrWhiteSpace(value) ? null : Path.GetFullPath(value);

    // { "environments": 2, "registries": 5, "verified": true, "environmentIds": { SOURCE: TARGET }, "registryIds": { ... } }
    private static string Json(RegistryStoreCopyResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("environments", result.EnvironmentCount);
            writer.WriteNumber("registries", result.RegistryCount);
            writer.WriteBoolean("verified", true);
            WriteMap(writer, "environmentIds", result.EnvironmentIds);
            WriteMap(writer, "registryIds", result.RegistryIds);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string> ids)
    {
        writer.WriteStartObject(name);
        foreach (var (sourceId, targetId) in ids)
        {
            writer.WriteString(sourceId, targetId);
        }

        writer.WriteEndObject();
    }
}
