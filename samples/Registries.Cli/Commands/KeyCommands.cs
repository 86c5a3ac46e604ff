using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.FileStore;
using Registries.Core.PostgreSql;
using Registries.Core.Storage;

namespace Registries.Cli.Commands;

// store keys | rotate-key [--reprotect] | reprotect | remove-key KEYID: key rotation of the key file (--key-file) that
// protects the passwords of the store (--store), on a store file or a database alike. An operator's action on the whole
// store: it acts for no user, and whoever may read and write the store and the key file may run it.
internal static class KeyCommands
{
    private const string Who = " Who may run it: whoever can read and write the store (--store) and the key file (--key-file); "
        + "it acts for no user (--as is not used). The key file is the CLI's protector: a library that uses ASP.NET Core Data "
        + "Protection rotates its keys there instead.";

    public static void AddTo(Command store, CommandRunner runner)
    {
        store.Subcommands.Add(KeysCommand(runner));
        store.Subcommands.Add(RotateCommand(runner));
        store.Subcommands.Add(ReprotectCommand(runner));
        store.Subcommands.Add(RemoveCommand(runner));
    }

    private static Command KeysCommand(CommandRunner runner)
    {
        var command = new Command(
            "keys",
            "List the keys of the key file, oldest first: which one encrypts new passwords, and how many entries each still "
            + "protects. Every stored password is decrypted on the way, so a wrong key file is reported here." + Who);
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var keys = await KeyStore.OpenAsync(context, cancellationToken);
            var ids = await keys.Protector.GetKeyIdsAsync(cancellationToken);
            var values = await keys.ProtectedValuesAsync(cancellationToken);
            WriteKeys(context, keys.Protector.KeyPath, ids, values);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RotateCommand(CommandRunner runner)
    {
        var reprotect = new Option<bool>("--reprotect")
        {
            Description = "Also move every entry to the new key at once (as 'store reprotect'), so that the old keys can be removed.",
        };
        var command = new Command(
            "rotate-key",
            "Add a new random key to the key file (created when missing): it encrypts every password written from now on, "
            + "in every process; the older keys still decrypt. Then run 'store reprotect' (or give --reprotect), and "
            + "'store remove-key' for an old key. The store's passwords are checked against the key file first." + Who)
        {
            reprotect,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var keys = await KeyStore.OpenAsync(context, cancellationToken);

            // A key file that does not open this store's passwords must not get a key: the store would be split over two.
            await keys.ProtectedValuesAsync(cancellationToken);
            var added = await keys.Protector.RotateKeyAsync(cancellationToken);
            int? moved = context.ParseResult.GetValue(reprotect) ? await keys.ReprotectAsync(cancellationToken) : null;
            WriteResult(
                context,
                keys.Protector.KeyPath,
                added,
                moved,
                moved is { } count
                    ? $"Added key {added} to '{keys.Protector.KeyPath}' and moved every entry to it ({Entries(count)} re-protected); the older keys can now be removed with 'registries store remove-key KEYID'."
                    : $"Added key {added} to '{keys.Protector.KeyPath}'; it encrypts from now on, and the older keys still decrypt. Run 'registries store reprotect' to move every entry to it.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ReprotectCommand(CommandRunner runner)
    {
        var command = new Command(
            "reprotect",
            "Move every entry to the newest key of the key file: each password is decrypted and encrypted again, bound to "
            + "its entry; no password, state, version or order changes, and writers may keep running. On a store file it is "
            + "one atomic write; on a database, batches of 200 entries, each one transaction (after a failure every entry "
            + "still decrypts, and running it again finishes the work)." + Who);
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var keys = await KeyStore.OpenAsync(context, cancellationToken);
            var moved = await keys.ReprotectAsync(cancellationToken);
            var ids = await keys.Protector.GetKeyIdsAsync(cancellationToken);
            var newest = ids.Count > 0 ? ids[^1] : null;
            WriteResult(
                context,
                keys.Protector.KeyPath,
                newest,
                moved,
                newest is null
                    ? "The store holds no password and the key file has no key yet: nothing to re-protect."
                    : $"Re-protected {Entries(moved)}: every entry now uses key {newest} of '{keys.Protector.KeyPath}'.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command RemoveCommand(CommandRunner runner)
    {
        var keyId = new Argument<string>("KEYID") { Description = "The key to remove (8 hex digits, as 'store keys' lists it)." };
        var command = new Command(
            "remove-key",
            "Remove an old key from the key file, once no entry uses it. Refused (exit code 3, nothing changed) while an "
            + "entry still uses it (run 'store reprotect' first) and for the newest key, which encrypts (run 'store "
            + "rotate-key' first). A password protected with a removed key is lost: keep a backup of the key file." + Who)
        {
            keyId,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var id = context.ParseResult.GetRequiredValue(keyId).Trim();
            var keys = await KeyStore.OpenAsync(context, cancellationToken);
            if (!File.Exists(keys.Protector.KeyPath))
            {
                throw new ArgumentException($"--key-file: there is no key file at '{keys.Protector.KeyPath}': give the key file of this store.");
            }

            var ids = await keys.Protector.GetKeyIdsAsync(cancellationToken);
            if (!ids.Contains(id, StringComparer.Ordinal))
            {
                throw new ArgumentException($"KEYID: the key file '{keys.Protector.KeyPath}' holds no key '{id}'; it holds {string.Join(", ", ids)} ('registries store keys' lists them).");
            }

            if (string.Equals(ids[^1], id, StringComparison.Ordinal))
            {
                return Refuse(runner, $"key {id} is the newest key of '{keys.Protector.KeyPath}', the one that encrypts: run 'registries store rotate-key --reprotect' first, then remove it; nothing was changed.");
            }

            var users = (await keys.ProtectedValuesAsync(cancellationToken)).Count(v => string.Equals(KeyFileSecretProtector.GetKeyId(v), id, StringComparison.Ordinal));
            if (users > 0)
            {
                return Refuse(runner, $"key {id} of '{keys.Protector.KeyPath}' still protects {Entries(users)}: run 'registries store reprotect' (with the same --store and --key-file) first; nothing was changed.");
            }

            try
            {
                await keys.RemoveKeyAsync(id, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                // A writer got in between the check above and the library's own, which refused: still nothing changed.
                return Refuse(runner, e.Message);
            }

            WriteResult(context, keys.Protector.KeyPath, id, reprotected: null, $"Removed key {id} from '{keys.Protector.KeyPath}'; no entry used it.", removed: true);
            return ExitCodes.Success;
        });
        return command;
    }

    private static int Refuse(CommandRunner runner, string message)
    {
        runner.WriteError(message);
        return ExitCodes.Refused;
    }

    private static string Entries(int count)
        => count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " entry" : " entries");

    // { "keyFile": PATH, "keys": [ { "id": "1a2b3c4d", "current": false, "entries": 2 }, ... ] }
    private static void WriteKeys(CliContext context, string keyFile, IReadOnlyList<string> ids, IReadOnlyList<string> values)
    {
        var counts = values.GroupBy(KeyFileSecretProtector.GetKeyId).ToDictionary(g => g.Key ?? string.Empty, g => g.Count(), StringComparer.Ordinal);
        if (context.Json)
        {
            context.Console.Out.WriteLine(TerminalText.EscapeJson(Document(writer =>
            {
                writer.WriteString("keyFile", keyFile);
                writer.WriteStartArray("keys");
                for (var i = 0; i < ids.Count; i++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id", ids[i]);
                    writer.WriteBoolean("current", i == ids.Count - 1);
                    writer.WriteNumber("entries", counts.GetValueOrDefault(ids[i]));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            })));
            return;
        }

        if (ids.Count == 0)
        {
            context.Console.Out.WriteLine(TerminalText.Escape($"The key file '{keyFile}' does not exist yet: the first password stored, or 'registries store rotate-key', creates it."));
            return;
        }

        TextTable.Write(
            context.Console.Out,
            ["KEY", "ENTRIES", "ROLE"],
            ids.Select((id, i) => (IReadOnlyList<string>)[id, counts.GetValueOrDefault(id).ToString(CultureInfo.InvariantCulture), i == ids.Count - 1 ? "encrypts" : "decrypts only"]));
    }

    // { "keyFile": PATH, "key": "1a2b3c4d", "reprotected": 5 } (reprotected only when entries were moved; removed for remove-key)
    private static void WriteResult(CliContext context, string keyFile, string? key, int? reprotected, string text, bool removed = false)
    {
        if (!context.Json)
        {
            context.Console.Out.WriteLine(TerminalText.Escape(text));
            return;
        }

        context.Console.Out.WriteLine(TerminalText.EscapeJson(Document(writer =>
        {
            writer.WriteString("keyFile", keyFile);
            if (key is not null)
            {
                writer.WriteString("key", key);
            }

            if (reprotected is { } count)
            {
                writer.WriteNumber("reprotected", count);
            }

            if (removed)
            {
                writer.WriteBoolean("removed", true);
            }
        })));
    }

    private static string Document(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // The store of --store with the key file of --key-file, as the other commands open them, seen through the operations
    // of key rotation that each kind of store offers.
    private sealed class KeyStore
    {
        private KeyStore(IRegistryStore store, KeyFileSecretProtector protector)
        {
            Store = store;
            Protector = protector;
        }

        public IRegistryStore Store { get; }

        public KeyFileSecretProtector Protector { get; }

        public static Task<KeyStore> OpenAsync(CliContext context, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var location = context.StorePath;
            if (!CliStore.IsDatabase(location) && !File.Exists(location))
            {
                // The file store reads a missing file as an empty store: a mistyped path must not get a key file beside it.
                throw new ArgumentException($"--store: there is no store file at '{location}': give the file of an existing store.");
            }

            var services = context.Services();
            var protector = services.GetRequiredService<ISecretProtector>() as KeyFileSecretProtector
                ?? throw new InvalidOperationException("The CLI protects passwords with a key file (--key-file); this store has another protector.");
            return Task.FromResult(new KeyStore(services.GetRequiredService<IRegistryStore>(), protector));
        }

        // Every protected value the store holds, each one decrypted on the way: a key file that does not open them fails
        // here, with the store's message naming the key the values need.
        public async Task<IReadOnlyList<string>> ProtectedValuesAsync(CancellationToken cancellationToken)
        {
            if (Store is PostgreSqlRegistryStore database)
            {
                await ReadEveryEntryAsync(Store, cancellationToken);
                return await database.ListProtectedPasswordsAsync(cancellationToken);
            }

            // The file store keeps its protected values to itself: a second view of the same file, through a protector
            // that notes each value it is asked to decrypt, sees them all.
            var file = (FileRegistryStore)Store;
            var recorder = new RecordingProtector(Protector);
            var view = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = file.FilePath }), recorder);
            await ReadEveryEntryAsync(view, cancellationToken);
            return recorder.Values;
        }

        public Task<int> ReprotectAsync(CancellationToken cancellationToken)
            => Store switch
            {
                PostgreSqlRegistryStore database => database.ReprotectAsync(cancellationToken),
                _ => ((FileRegistryStore)Store).ReprotectAsync(cancellationToken),
            };

        public async Task RemoveKeyAsync(string keyId, CancellationToken cancellationToken)
        {
            if (Store is PostgreSqlRegistryStore database)
            {
                await Protector.RemoveKeyAsync(keyId, await database.ListProtectedPasswordsAsync(cancellationToken), cancellationToken);
                return;
            }

            // Under the store's write lock: no writer of the file protects a password meanwhile.
            await ((FileRegistryStore)Store).RemoveKeyAsync(keyId, cancellationToken);
        }

        private static async Task ReadEveryEntryAsync(IRegistryStore store, CancellationToken cancellationToken)
        {
            foreach (var environment in await store.ListEnvironmentsAsync(cancellationToken))
            {
                await store.ListRegistriesAsync(environment.Id, cancellationToken);
            }
        }
    }

    // Decrypts through the key file and notes which values it saw (never what they decrypt to).
    private sealed class RecordingProtector(KeyFileSecretProtector inner) : ISecretProtector
    {
        private readonly List<string> _values = [];

        public IReadOnlyList<string> Values
        {
            get
            {
                lock (_values)
                {
                    return [.. _values];
                }
            }
        }

        public string Protect(RegistrySecret secret, SecretContext context) => inner.Protect(secret, context);

        public RegistrySecret Unprotect(string protectedValue, SecretContext context)
        {
            var secret = inner.Unprotect(protectedValue, context);
            lock (_values)
            {
                _values.Add(protectedValue);
            }

            return secret;
        }
    }
}
