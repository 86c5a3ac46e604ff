using System.Globalization;
using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.PostgreSql;
using Registries.Core.PostgreSql.Tests;

// One instance of an application over the test's PostgreSQL schema: its own store, so its own connection pool.
// The connection string and the protector's key come in the environment (REGISTRIES_WORKER_CONNECTION,
// REGISTRIES_WORKER_KEY as base64), not on the command line, where any process listing would show them.
//
// Usage:
//   mixed SCHEMA ENV WORKER COUNT SEED   COUNT mixed operations through RegistryService as member wWORKER on the
//                                        shared addresses load0..2.example.com: add, deactivate, activate, edit and
//                                        delete (on any worker's entries), retrying concurrency conflicts
//   crash SCHEMA ENV WORKER              adds, edits, deactivates and deletes in a loop until it is killed
//   migrate SCHEMA                       runs MigrateAsync once
// Each acknowledged write prints one line; the parent trusts nothing that was not printed:
//   ADD id sequence address password | EDIT id version password | DEACTIVATE id version | ACTIVATE id version |
//   DELETE id version | REFUSED operation id (another worker changed the state first; nothing written) |
//   CONFLICT operation id (still conflicting after the retries; nothing written) | MIGRATED | DONE
// The passwords are tokens like w3-17 (worker 3, operation 17): what the parent looks for in the database.
// A store failure prints STORE-ERROR and its message, and exits with 3.
var mode = args[0];
var connectionString = Environment.GetEnvironmentVariable("REGISTRIES_WORKER_CONNECTION") ?? throw new InvalidOperationException("REGISTRIES_WORKER_CONNECTION is not set");
var key = Convert.FromBase64String(Environment.GetEnvironmentVariable("REGISTRIES_WORKER_KEY") ?? throw new InvalidOperationException("REGISTRIES_WORKER_KEY is not set"));
await using var store = new PostgreSqlRegistryStore(
    Options.Create(new PostgreSqlStoreOptions { ConnectionString = connectionString, Schema = args[1], CommandTimeout = TimeSpan.FromSeconds(30) }),
    new TestSecretProtector(key));

try
{
    switch (mode)
    {
        case "mixed":
            await RunMixedAsync(store, args[2], Number(args[3]), Number(args[4]), Number(args[5]));
            break;
        case "crash":
            await RunUntilKilledAsync(store, args[2], Number(args[3]));
            break;
        case "migrate":
            await store.MigrateAsync();
            Console.WriteLine("MIGRATED");
            break;
        default:
            await Console.Error.WriteLineAsync("unknown mode " + mode);
            return 2;
    }

    return 0;
}
catch (RegistryStoreException e)
{
    Console.WriteLine("STORE-ERROR " + e.Message);
    return 3;
}

static int Number(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

static async Task RunMixedAsync(PostgreSqlRegistryStore store, string environmentId, int worker, int count, int seed)
{
    // More retries than the default: eight processes on three addresses conflict often, and a conflict that is
    // reported after all is a line of its own, not a failure.
    var service = new RegistryService(store, new RegistriesOptions { ConcurrencyRetries = 20 }).As("w" + Text(worker));
#pragma warning disable CA5394 // A seeded, reproducible mix of operations, not a secret.
    var random = new Random(seed);
    for (var i = 0; i < count; i++)
    {
        var token = $"w{Text(worker)}-{Text(i)}";
        var operation = random.Next(10) switch
        {
            < 3 => "ADD",
            < 5 => "DEACTIVATE",
            < 7 => "ACTIVATE",
            < 9 => "EDIT",
            _ => "DELETE",
        };
        var needed = operation switch
        {
            "DEACTIVATE" => RegistryState.Active,
            "ACTIVATE" or "DELETE" => RegistryState.Inactive,
            _ => (RegistryState?)null,
        };
        var candidates = operation == "ADD"
            ? []
            : (await service.ListRegistriesAsync(environmentId)).Where(e => needed is null ? e.Registry.State != RegistryState.Removed : e.Registry.State == needed).ToArray();
        if (candidates.Length == 0)
        {
            operation = "ADD";
        }

        if (operation == "ADD")
        {
            var address = RegistryAddress.Parse($"load{Text(random.Next(3))}.example.com");
            var added = await service.AddRegistryAsync(environmentId, address, new RegistryCredential(token + "@example.com", "u" + token, token));
            Console.WriteLine($"ADD {added.Id} {Text(added.Sequence)} {added.Address} {token}");
            continue;
        }

        var id = candidates[random.Next(candidates.Length)].Registry.Id;
#pragma warning restore CA5394
        try
        {
            var changed = operation switch
            {
                "DEACTIVATE" => await service.DeactivateRegistryAsync(environmentId, id),
                "ACTIVATE" => await service.ActivateRegistryAsync(environmentId, id),
                "DELETE" => await service.DeleteRegistryAsync(environmentId, id),
                _ => await service.EditRegistryAsync(environmentId, id, new RegistryCredential(token + "@example.org", "e" + token, token)),
            };
            Console.WriteLine(operation == "EDIT" ? $"EDIT {id} {Text(changed.Version)} {token}" : $"{operation} {id} {Text(changed.Version)}");
        }
        catch (InvalidRegistryStateException)
        {
            // Another worker moved the entry on between the listing and the write: the service refused, nothing was written.
            Console.WriteLine($"REFUSED {operation} {id}");
        }
        catch (ConcurrencyConflictException)
        {
            Console.WriteLine($"CONFLICT {operation} {id}");
        }
    }

    Console.WriteLine("DONE");
}

static async Task RunUntilKilledAsync(PostgreSqlRegistryStore store, string environmentId, int worker)
{
    var service = new RegistryService(store).As("w" + Text(worker));
    for (var i = 0; ; i++)
    {
        var token = $"c{Text(worker)}-{Text(i)}";
        var added = await service.AddRegistryAsync(environmentId, RegistryAddress.Parse($"crash{Text(i % 3)}.example.com:5000"), new RegistryCredential(token + "@example.com", "u" + token, token));
        Console.WriteLine($"ADD {added.Id} {Text(added.Sequence)} {added.Address} {token}");
        var edited = await service.EditRegistryAsync(environmentId, added.Id, new RegistryCredential(token + "@example.org", "e" + token, token + "e"));
        Console.WriteLine($"EDIT {added.Id} {Text(edited.Version)} {token}e");
        if (i % 2 == 1)
        {
            var inactive = await service.DeactivateRegistryAsync(environmentId, added.Id);
            Console.WriteLine($"DEACTIVATE {added.Id} {Text(inactive.Version)}");
            if (i % 4 == 3)
            {
                var removed = await service.DeleteRegistryAsync(environmentId, added.Id);
                Console.WriteLine($"DELETE {added.Id} {Text(removed.Version)}");
            }
        }
    }
}
