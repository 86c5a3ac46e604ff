using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using Xunit.Abstractions;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>An instance is killed with SIGKILL in the middle of its writes, and in the middle of the migration's
/// transaction: the database holds only whole entries (or no schema at all) and the next instance works at once.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlCrashTests(ITestOutputHelper output)
{
    private const int Rounds = 5;

    [Fact]
    public async Task Worker_KilledWithSigkillAtRandomMoments_LeavesOnlyWholeEntriesAndANewStoreWorksAtOnce()
    {
        await using var database = new PostgreSqlTestDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        var protector = new TestSecretProtector(key);
        var schema = database.NewSchema();
        var owner = new RegistryService(database.OpenStore(schema, protector: protector)).As("owner");
        var environment = await owner.CreateEnvironmentAsync("crash");
        for (var round = 0; round < Rounds; round++)
        {
            await owner.SetMemberAsync(environment.Id, "w" + Text(round), EnvironmentRole.Member);
        }

        var variables = Worker.Environment(database.ConnectionString, key);
        var log = new WorkerLog();
        var unreported = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < Rounds; round++)
        {
            List<string> lines;
            await using (var worker = Worker.Start(variables, "crash", schema, environment.Id, Text(round)))
            {
                // A random moment: after some acknowledged writes, plus a few milliseconds into the next ones.
                await worker.WaitForLinesAsync(3 + RandomNumberGenerator.GetInt32(40), TimeSpan.FromSeconds(60));
                await Task.Delay(RandomNumberGenerator.GetInt32(25));
                await worker.ThrowIfExitedAsync();
                await worker.KillAsync();
                lines = [.. worker.Lines];
            }

            log.Read(lines);
            output.WriteLine($"round {round}: killed after {lines.Count} lines, the last '{lines[^1]}'");

            // Every row is a whole entry, as the database itself sees it.
            await using (var admin = NpgsqlDataSource.Create(database.ConnectionString))
            {
                await using var command = admin.CreateCommand($"SELECT id, sequence, version, state, protected_password FROM \"{schema}\".registries ORDER BY sequence");
                await using var rows = await command.ExecuteReaderAsync();
                while (await rows.ReadAsync())
                {
                    var id = rows.GetString(0);
                    Assert.Equal("1r" + rows.GetInt64(1).ToString(CultureInfo.InvariantCulture), id);
                    Assert.True(rows.GetInt64(2) >= 1, $"{id} has version {rows.GetInt64(2)}");
                    Assert.Equal(rows.GetString(3) == "Removed", rows.IsDBNull(4));
                    if (!rows.IsDBNull(4))
                    {
                        Assert.StartsWith("t1:", rows.GetString(4), StringComparison.Ordinal);
                    }
                }
            }

            // A new store instance works at once: it reads every entry (each password decrypts for its own entry).
            var fresh = database.OpenStore(schema, protector: protector);
            var listed = await fresh.ListRegistriesAsync(environment.Id);
            Assert.Equal(listed.Count, listed.Select(r => r.Registry.Sequence).Distinct().Count());
            Assert.All(log.Adds.Keys, id => Assert.Contains(listed, r => r.Registry.Id == id));
            foreach (var record in listed)
            {
                var id = record.Registry.Id;
                Assert.True(record.Registry.Version >= log.LastVersionOf(id), $"{id} lost a reported write.");
                if (record.Registry.Username == "after")
                {
                    // The test's own add: every write of it was acknowledged in this process.
                    Assert.Equal(log.Replay(id), (record.Registry.State, record.Password?.Reveal()));
                    continue;
                }

                // A worker's entry. The lines it printed just before the kill may still have been in the pipe, so a
                // row may be ahead of what the test read; but it must be exactly one of the states the worker's
                // program passes through, never a mix of two writes.
                if (log.Adds.ContainsKey(id))
                {
                    // What it read was acknowledged once per version, in a legal order.
                    log.Replay(id);
                }
                else
                {
                    unreported.Add(id);
                }

                AssertWholeCrashEntry(record);
            }

            var service = new RegistryService(fresh).As("owner");
            var address = RegistryAddress.Parse($"after{Text(round)}.example.com");
            var added = await service.AddRegistryAsync(environment.Id, address, new RegistryCredential("a@example.com", "after", "after-" + Text(round)));
            log.Read([$"ADD {added.Id} {added.Sequence.ToString(CultureInfo.InvariantCulture)} {address} after-{Text(round)}"]);
            var resolution = await service.ResolveAsync(environment.Id, address);
            Assert.Equal((ResolutionOutcome.Authenticated, "after-" + Text(round)), (resolution.Outcome, resolution.Password?.Reveal()));
        }

        // Informative: how many entries were written whole but their lines never reached the test.
        output.WriteLine($"{unreported.Count} entries committed whose ADD line was still in the pipe at a kill");
    }

    [Fact]
    public async Task Worker_KilledInsideTheMigrationTransaction_LeavesNoSchemaAndTheNextMigrateAsyncCompletes()
    {
        await using var database = new PostgreSqlTestDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        var schema = database.NewSchema();

        // The worker's migration takes the advisory lock, begins the migration script and waits, inside its own
        // transaction, on this one, which is creating the same schema: a kill at that moment is a kill mid-transaction.
        await using var admin = NpgsqlDataSource.Create(database.ConnectionString);
        await using var blocker = await admin.OpenConnectionAsync();
        await using var blocking = await blocker.BeginTransactionAsync();
        await using (var create = new NpgsqlCommand($"CREATE SCHEMA \"{schema}\"", blocker, blocking))
        {
            await create.ExecuteNonQueryAsync();
        }

        int waiting;
        await using (var worker = Worker.Start(Worker.Environment(database.ConnectionString, key), "migrate", schema))
        {
            waiting = await WaitForMigrationBlockedAsync(admin, schema, worker);
            await worker.KillAsync();
            Assert.DoesNotContain("MIGRATED", worker.Lines);
        }

        output.WriteLine($"killed the worker while its backend {waiting} waited inside the migration");
        await blocking.RollbackAsync();

        // The server ends the killed worker's backend (it finds the client gone once the wait is over) and rolls its
        // transaction back: no schema, no tables, no lock left.
        var gone = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((long)(await database.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {waiting}"))! != 0)
        {
            Assert.True(DateTime.UtcNow < gone, $"The killed worker's backend {waiting} is still there.");
            await Task.Delay(50);
        }

        Assert.Equal(0L, await database.ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"));

        // The next migration completes, and the store works.
        var store = database.OpenStore(schema, migrateOnStart: false, protector: new TestSecretProtector(key));
        await store.MigrateAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(PostgreSqlRegistryStore.SchemaVersion, await database.ScalarAsync($"SELECT version FROM \"{schema}\".schema_version"));
        var service = new RegistryService(store).As("owner");
        var environment = await service.CreateEnvironmentAsync("after-kill");
        var added = await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("after.example.com"), new RegistryCredential("a@example.com", "a", "after-kill"));
        Assert.Equal("after-kill", (await service.ResolveAsync(environment.Id, added.Address)).Password?.Reveal());
    }

    /// <summary>Checks that a crash worker's entry is one of the states its program writes, in order, for its token
    /// <c>cW-I</c>: version 1 added (Active, password cW-I), 2 edited (password cW-Ie), 3 deactivated when I is odd,
    /// 4 deleted when I % 4 == 3.</summary>
    private static void AssertWholeCrashEntry(StoredRegistry record)
    {
        var registry = record.Registry;
        var token = registry.Username[1..];
        var i = int.Parse(token[(token.IndexOf('-', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        var last = i % 2 == 0 ? 2 : i % 4 == 3 ? 4 : 3;
        Assert.InRange(registry.Version, 1, last);
        (string Username, string Email, RegistryState State, string? Password) expected = registry.Version switch
        {
            1 => ("u" + token, token + "@example.com", RegistryState.Active, token),
            2 => ("e" + token, token + "@example.org", RegistryState.Active, token + "e"),
            3 => ("e" + token, token + "@example.org", RegistryState.Inactive, token + "e"),
            _ => ("e" + token, token + "@example.org", RegistryState.Removed, null),
        };
        Assert.Equal(expected, (registry.Username, registry.Email, registry.State, record.Password?.Reveal()));
        Assert.Equal(RegistryAddress.Parse($"crash{Text(i % 3)}.example.com:5000"), registry.Address);
    }

    /// <summary>Waits until a backend waits on a lock inside the migration of <paramref name="schema"/> while it holds the advisory lock.</summary>
    private static async Task<int> WaitForMigrationBlockedAsync(NpgsqlDataSource admin, string schema, RunningWorker worker)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await worker.ThrowIfExitedAsync();
            await using var command = admin.CreateCommand(
                "SELECT a.pid FROM pg_stat_activity a WHERE a.wait_event_type = 'Lock' AND position(@schema in a.query) > 0 "
                + "AND a.state = 'active' AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted)");
            command.Parameters.Add(new NpgsqlParameter("schema", "CREATE SCHEMA IF NOT EXISTS \"" + schema + "\""));
            if (await command.ExecuteScalarAsync() is int pid)
            {
                return pid;
            }

            Assert.True(DateTime.UtcNow < deadline, "The worker's migration never waited inside its transaction.");
            await Task.Delay(50);
        }
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
