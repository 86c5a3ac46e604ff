using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The schema is the library's: created and upgraded under an advisory lock, refused when newer, checked when migrations are off.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlMigrationTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task MigrateAsync_SeveralInstancesAtOnce_AllSucceedAndTheSchemaIsCreatedOnce()
    {
        var schema = _database.NewSchema();
        var stores = Enumerable.Range(0, 6).Select(_ => _database.OpenStore(schema)).ToArray();

        // Each instance has its own pool: the advisory lock, not the process, keeps them from colliding.
        await Task.WhenAll(stores.Select(s => s.MigrateAsync())).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(PostgreSqlRegistryStore.SchemaVersion, await _database.ScalarAsync($"SELECT version FROM {schema}.schema_version"));
        Assert.Equal(1L, await _database.ScalarAsync($"SELECT count(*) FROM {schema}.schema_version"));
        Assert.Equal(4L, await _database.ScalarAsync($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'"));
        var environment = await stores[0].CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        Assert.NotNull(await stores[5].GetEnvironmentAsync(environment.Id));
    }

    [Fact]
    public async Task FirstOperations_SeveralInstancesAtOnceWithMigrateOnStart_AllSucceed()
    {
        var schema = _database.NewSchema();
        var stores = Enumerable.Range(0, 6).Select(_ => _database.OpenStore(schema)).ToArray();

        var created = await Task.WhenAll(stores.Select(s => s.CreateEnvironmentAsync("env", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()).AsTask()))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(6, created.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(6, (await stores[0].ListEnvironmentsAsync()).Count);
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_ChangesNothing()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        await store.MigrateAsync();
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var migratedAt = await _database.ScalarAsync($"SELECT migrated_at FROM {schema}.schema_version");

        await store.MigrateAsync();
        await _database.OpenStore(schema).MigrateAsync();

        Assert.Equal(migratedAt, await _database.ScalarAsync($"SELECT migrated_at FROM {schema}.schema_version"));
        var read = await _database.OpenStore(schema).GetEnvironmentAsync(environment.Id);
        Assert.NotNull(read);
        Assert.Equal(EnvironmentRole.Owner, read.RoleOf("alice"));
    }

    [Fact]
    public async Task MigrateAsync_FirstAndSecondRun_LogsTheMigrationOnceWithoutTheConnectionString()
    {
        var schema = _database.NewSchema();
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        var store = _database.OpenStore(schema, loggerFactory: factory);

        await store.MigrateAsync();
        await store.MigrateAsync();

        var migrated = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "SchemaMigrated");
        Assert.Equal(LogLevel.Information, migrated.Level);
        Assert.Contains($"'{schema}'", migrated.Message, StringComparison.Ordinal);
        Assert.Contains($"from version 0 to {PostgreSqlRegistryStore.SchemaVersion}", migrated.Message, StringComparison.Ordinal);
        var password = new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString).Password!;
        Assert.All(logs.GetSnapshot(), r => Assert.DoesNotContain(password, r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigrateAsync_FromVersion1_AddsTheNotifyTriggersAndKeepsTheData()
    {
        var schema = _database.NewSchema();
        var sql = new Sql(schema);
        await _database.ExecuteAsync(sql.Migrations[0]);
        await _database.ExecuteAsync($"INSERT INTO {schema}.schema_version (singleton, version, migrated_at) VALUES (true, 1, now())");
        await _database.ExecuteAsync($"INSERT INTO {schema}.environments (id, position, name, orchestration, members, version) VALUES ('1a1000', 1000, 'old', 'Cattle', '[]', 1)");

        var store = _database.OpenStore(schema);
        await store.MigrateAsync();

        Assert.Equal(PostgreSqlRegistryStore.SchemaVersion, await _database.ScalarAsync($"SELECT version FROM {schema}.schema_version"));
        Assert.Equal(6L, await _database.ScalarAsync($"SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND NOT t.tgisinternal"));
        Assert.Equal("old", (await store.GetEnvironmentAsync("1a1000"))?.Name);
        Assert.Equal(1L, await _database.ScalarAsync($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema}' AND table_name = 'registries' AND column_name = 'path'"));
    }

    [Fact]
    public async Task MigrateAsync_FromVersion3_AddsTheChangeCounterAndTriggersThatFireInEveryRoleAndKeepsTheData()
    {
        var schema = _database.NewSchema();
        var sql = new Sql(schema);
        for (var version = 1; version <= 3; version++)
        {
            await _database.ExecuteAsync(sql.Migrations[version - 1]);
        }

        await _database.ExecuteAsync($"INSERT INTO {schema}.schema_version (singleton, version, migrated_at) VALUES (true, 3, now())");
        var version3 = await _database.OpenStore(schema, migrateOnStart: false).ListEnvironmentsAsync().AsTask().ContinueWith(t => t.Exception?.GetBaseException());
        var environment = await WriteThroughVersion3Async(schema);

        var store = _database.OpenStore(schema, migrateOnStart: false);
        await store.MigrateAsync();

        // This release needs a newer version: with migrations off, a version 3 schema was refused, and asked for MigrateAsync.
        Assert.Contains($"is at version 3; this release needs version {PostgreSqlRegistryStore.SchemaVersion}", Assert.IsType<RegistryStoreException>(version3).Message, StringComparison.Ordinal);
        Assert.Equal(PostgreSqlRegistryStore.SchemaVersion, await _database.ScalarAsync($"SELECT version FROM {schema}.schema_version"));
        Assert.Equal(0L, await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"));
        Assert.Equal(
            "environments_count:A,environments_notify:A,environments_notify_truncate:A,registries_count:A,registries_notify:A,registries_notify_truncate:A",
            await _database.ScalarAsync($"SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid IN ('{schema}.environments'::regclass, '{schema}.registries'::regclass) AND NOT tgisinternal"));
        var read = await store.GetEnvironmentAsync(environment);
        Assert.Equal("old", read?.Name);
        var entries = await store.ListRegistriesAsync(environment);
        Assert.Equal(["team"], entries.Select(e => e.Registry.Scope.Path));
        Assert.Equal("p", entries[0].Password?.Reveal());

        // And the migrated schema counts the next write.
        await store.AddRegistryAsync(environment, RegistryScope.Of(RegistryAddress.Parse("registry.example.com")), new RegistryCredential("e@example.com", "u", "p"));
        Assert.Equal(1L, await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"));
    }

    [Fact]
    public async Task MigrateAsync_FromPopulatedVersion4_KeepsEveryRowAsAStoredCredentialWithoutExpiryAndAddsTheSourceChecks()
    {
        var schema = _database.NewSchema();
        var sql = new Sql(schema);
        for (var version = 1; version <= 4; version++)
        {
            await _database.ExecuteAsync(sql.Migrations[version - 1]);
        }

        await _database.ExecuteAsync($"INSERT INTO {schema}.schema_version (singleton, version, migrated_at) VALUES (true, 4, now())");
        const int Rows = 300;
        var environment = await WriteThroughVersion4Async(schema, Rows);
        var version4 = await _database.OpenStore(schema, migrateOnStart: false).ListEnvironmentsAsync().AsTask().ContinueWith(t => t.Exception?.GetBaseException());
        var counterBefore = (long)(await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"))!;

        var store = _database.OpenStore(schema, migrateOnStart: false);
        await store.MigrateAsync();

        Assert.Contains($"is at version 4; this release needs version {PostgreSqlRegistryStore.SchemaVersion}", Assert.IsType<RegistryStoreException>(version4).Message, StringComparison.Ordinal);
        Assert.Equal(PostgreSqlRegistryStore.SchemaVersion, await _database.ScalarAsync($"SELECT version FROM {schema}.schema_version"));
        Assert.Equal((long)Rows, await _database.ScalarAsync($"SELECT count(*) FROM {schema}.registries"));
        Assert.Equal($"{Rows}/0/0", await _database.ScalarAsync($"SELECT count(*) FILTER (WHERE source_kind = 'stored') || '/' || count(source_name) || '/' || count(expires_at) FROM {schema}.registries"));
        var entries = await store.ListRegistriesAsync(environment);
        Assert.Equal(Rows, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(CredentialSource.Stored, e.Registry.Source);
            Assert.Null(e.Registry.ExpiresAt);
            Assert.Equal(e.Registry.State == RegistryState.Removed ? null : "p" + e.Registry.Sequence, e.Password?.Reveal());
        });
        Assert.Equal(Rows / 3, entries.Count(e => e.Registry.State == RegistryState.Removed));
        Assert.Equal(Rows / 2, entries.Count(e => e.Registry.Path == "team"));

        // The old check is gone, the new ones hold: a helper row with a secret, a removed row with one, a stored row
        // without one, an expiring helper and an unknown kind are refused by the database itself.
        Assert.Equal(
            "registries_expiry,registries_secret,registries_source_kind,registries_source_name",
            await _database.ScalarAsync($"SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = '{schema}.registries'::regclass AND contype = 'c' AND conname NOT IN ('registries_state_check', 'registries_version_check')"));
        var first = entries.First(e => e.Registry.State == RegistryState.Active).Registry.Id;
        foreach (var change in new[]
        {
            "source_kind = 'credential-helper', source_name = 'pass'",
            "state = 'Removed'",
            "protected_password = NULL",
            "source_kind = 'kubelet-plugin', source_name = 'ecr', protected_password = NULL, expires_at = now()",
            "source_kind = 'vault', protected_password = NULL",
            "source_name = 'x'",
        })
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _database.ExecuteAsync($"UPDATE {schema}.registries SET {change} WHERE id = '{first}'"));
        }

        // Triggers and counter still work on the migrated table, and a helper entry is written and read.
        var helper = await store.AddRegistryAsync(environment, RegistryScope.Of(RegistryAddress.Parse("helper.example.com")), RegistryCredential.FromCredentialHelper("e@example.com", "ecr-login"));
        Assert.Equal(counterBefore + 1, await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"));
        Assert.Equal(CredentialSource.CredentialHelper("ecr-login"), (await _database.OpenStore(schema).GetRegistryAsync(environment, helper.Registry.Id))?.Registry.Source);
    }

    [Fact]
    public async Task MigrateAsync_FromPopulatedVersion5_KeepsEveryRowWithoutPolicyOrMirrorsAndAddsTheirChecks()
    {
        var schema = _database.NewSchema();
        var sql = new Sql(schema);
        for (var version = 1; version <= 5; version++)
        {
            await _database.ExecuteAsync(sql.Migrations[version - 1]);
        }

        await _database.ExecuteAsync($"INSERT INTO {schema}.schema_version (singleton, version, migrated_at) VALUES (true, 5, now())");
        const int Rows = 300;
        var environment = await WriteThroughVersion4Async(schema, Rows);
        var helperPassword = "NULL";
        await _database.ExecuteAsync($"""
            INSERT INTO {schema}.environments (id, position, name, orchestration, members, version) VALUES ('1a3000', 3000, 'other', 'Kubernetes', '[["bob","Member"],["alice","Owner"]]', 7);
            INSERT INTO {schema}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password, path, source_kind, source_name)
            VALUES ('1r3001', '1a3000', 'h.example.com', 'h.example.com', 'Active', 'e@example.com', '', 3001, 1, {helperPassword}, '', 'credential-helper', 'pass');
            """);
        var version5 = await _database.OpenStore(schema, migrateOnStart: false).ListEnvironmentsAsync().AsTask().ContinueWith(t => t.Exception?.GetBaseException());
        var counterBefore = (long)(await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"))!;

        var store = _database.OpenStore(schema, migrateOnStart: false);
        await store.MigrateAsync();

        Assert.Contains($"is at version 5; this release needs version {PostgreSqlRegistryStore.SchemaVersion}", Assert.IsType<RegistryStoreException>(version5).Message, StringComparison.Ordinal);
        Assert.Equal(6, PostgreSqlRegistryStore.SchemaVersion);
        Assert.Equal(6, await _database.ScalarAsync($"SELECT version FROM {schema}.schema_version"));
        Assert.Equal(2L, await _database.ScalarAsync($"SELECT count(*) FROM {schema}.environments WHERE policy = '[]' AND mirrors = '[]'"));
        Assert.Equal((long)Rows + 1, await _database.ScalarAsync($"SELECT count(*) FROM {schema}.registries"));
        var environments = await store.ListEnvironmentsAsync();
        Assert.Equal(["1a1000", "1a3000"], environments.Select(e => e.Id));
        Assert.All(environments, e =>
        {
            Assert.True(e.Policy.IsEmpty);
            Assert.True(e.Mirrors.IsEmpty);
        });
        Assert.Equal(7, environments[1].Version);
        Assert.Equal(OrchestrationKind.Kubernetes, environments[1].Orchestration);
        Assert.Equal(EnvironmentRole.Member, environments[1].RoleOf("bob"));
        var entries = await store.ListRegistriesAsync(environment);
        Assert.Equal(Rows, entries.Count);
        Assert.All(entries, e => Assert.Equal(e.Registry.State == RegistryState.Removed ? null : "p" + e.Registry.Sequence, e.Password?.Reveal()));
        Assert.Equal(CredentialSource.CredentialHelper("pass"), Assert.Single(await store.ListRegistriesAsync("1a3000")).Registry.Source);

        // The new checks hold against any writer: the shape of a rule or a mirror is the database's to keep.
        Assert.Equal(
            "environments_mirrors,environments_policy,environments_version_check",
            await _database.ScalarAsync($"SELECT string_agg(conname, ',' ORDER BY conname) FROM pg_constraint WHERE conrelid = '{schema}.environments'::regclass AND contype = 'c'"));
        foreach (var change in new[]
        {
            "policy = '{}'",
            "policy = '[1]'",
            """policy = '[{"effect":"allow","digestOnly":false}]'""",
            """policy = '[{"scope":"r.example.com","effect":"maybe","digestOnly":false}]'""",
            """policy = '[{"scope":"r.example.com","effect":"deny","digestOnly":true}]'""",
            """policy = '[{"scope":"r.example.com","effect":"allow"}]'""",
            "mirrors = 'null'",
            """mirrors = '[{"upstream":"docker.io","mirrorOnly":false}]'""",
            """mirrors = '[{"upstream":"docker.io","address":"m.example.com","rewrite":{"pattern":"^a"},"mirrorOnly":false}]'""",
            """mirrors = '[{"upstream":"docker.io","address":"m.example.com","mirrorOnly":"yes"}]'""",
            "policy = NULL",
        })
        {
            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _database.ExecuteAsync($"UPDATE {schema}.environments SET {change} WHERE id = '{environment}'"));
        }

        // A policy written on the migrated table is kept, counted and read back by another instance.
        var old = environments[0];
        var rule = PolicyRule.Deny(RegistryScope.ParseScope("r1.example.com/team"));
        var mirror = RegistryMirror.Create(RegistryAddress.Parse("r2.example.com"), RegistryAddress.Parse("m.example.com"), mirrorOnly: true);
        await store.UpdateEnvironmentAsync(old.WithPolicy(old.Policy.WithRule(rule)).WithMirrors(old.Mirrors.WithMirror(mirror)));
        Assert.Equal(counterBefore + 1, await _database.ScalarAsync($"SELECT counter FROM {schema}.changes"));
        var read = await _database.OpenStore(schema).GetEnvironmentAsync(environment);
        Assert.Equal(rule, Assert.Single(read!.Policy.Rules));
        Assert.Equal(mirror, Assert.Single(read.Mirrors.All));
        Assert.Equal(2, read.Version);
    }

    [Fact]
    public async Task Triggers_CommittedWrite_NotifiesTheSchemaChannelWithTheEnvironmentAndTheCounterRolledBackWriteNothing()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await using var listenerSource = Npgsql.NpgsqlDataSource.Create(_database.ConnectionString);
        await using var listener = await listenerSource.OpenConnectionAsync();
        var received = new System.Collections.Concurrent.ConcurrentQueue<(string Channel, string Payload)>();
        listener.Notification += (_, e) => received.Enqueue((e.Channel, e.Payload));
        await using (var listen = new Npgsql.NpgsqlCommand($"LISTEN {schema}", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await _database.ExecuteAsync($"BEGIN; UPDATE {schema}.environments SET name = 'x' WHERE id = '{environment.Id}'; ROLLBACK");
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("registry.example.com")), new RegistryCredential("e@example.com", "u", "p"));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (received.IsEmpty && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        await listener.WaitAsync(TimeSpan.FromMilliseconds(200));

        // The entry's environment, then the transaction's number in the change counter (once per transaction).
        var counter = await _database.ScalarAsync($"SELECT counter FROM {schema}.changes");
        Assert.Equal([(schema, environment.Id), (schema, "#" + counter)], received.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(95)]
    public async Task MigrateAsync_SchemaFromNewerRelease_RefusedAndLeftUnaltered(int ahead)
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var newer = PostgreSqlRegistryStore.SchemaVersion + ahead;
        await _database.ExecuteAsync($"UPDATE {schema}.schema_version SET version = {newer}");
        var before = await DescribeAsync(schema);

        var migrate = await Assert.ThrowsAsync<RegistryStoreException>(() => _database.OpenStore(schema).MigrateAsync());
        var operate = await Assert.ThrowsAsync<RegistryStoreException>(async () => await _database.OpenStore(schema).GetEnvironmentAsync(environment.Id));
        var check = await Assert.ThrowsAsync<RegistryStoreException>(async () => await _database.OpenStore(schema, migrateOnStart: false).ListEnvironmentsAsync());

        foreach (var e in new[] { migrate, operate, check })
        {
            Assert.Contains($"version {newer}, written by a newer release", e.Message, StringComparison.Ordinal);
            Assert.Contains("newer release", e.Message, StringComparison.Ordinal);
            Assert.Contains("Upgrade Registries.Core", e.Message, StringComparison.Ordinal);
            Assert.Contains(schema, e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await DescribeAsync(schema));
    }

    [Fact]
    public async Task FirstOperation_MigrateOnStartOffAndNoSchema_SaysToRunMigrateAsyncAndCreatesNothing()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, migrateOnStart: false);

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());

        Assert.Contains($"no Registries.Core schema '{schema}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("MigrateAsync", e.Message, StringComparison.Ordinal);
        Assert.Contains("MigrateOnStart", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(0L, await _database.ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"));
    }

    [Fact]
    public async Task FirstOperation_MigrateOnStartOffAfterMigrateAsync_Works()
    {
        var schema = _database.NewSchema();
        await _database.OpenStore(schema).MigrateAsync();
        var store = _database.OpenStore(schema, migrateOnStart: false);

        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Equal("prod", (await store.GetEnvironmentAsync(environment.Id))?.Name);
    }

    [Fact]
    public async Task MigrateAsync_CancelledToken_ThrowsOperationCanceledAndCreatesNothing()
    {
        var schema = _database.NewSchema();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _database.OpenStore(schema).MigrateAsync(cancelled.Token));

        Assert.Equal(0L, await _database.ScalarAsync($"SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"));
    }

    // Rows as a version 3 release writes them: an environment and a path-scoped entry with its protected password.
    private async Task<string> WriteThroughVersion3Async(string schema)
    {
        var password = _database.Protector.Protect(new RegistrySecret("p"), new SecretContext("1a1000", "1r1001"));
        await _database.ExecuteAsync($"""
            INSERT INTO {schema}.environments (id, position, name, orchestration, members, version) VALUES ('1a1000', 1000, 'old', 'Cattle', '[]', 1);
            INSERT INTO {schema}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password, path)
            VALUES ('1r1001', '1a1000', 'registry.example.com', 'registry.example.com', 'Active', 'e@example.com', 'u', 1001, 1, '{password}', 'team');
            """);
        return "1a1000";
    }

    // Rows as a version 4 release writes them: active, inactive and removed entries, half of them path-scoped.
    private async Task<string> WriteThroughVersion4Async(string schema, int rows)
    {
        var values = new List<string>();
        for (var i = 0; i < rows; i++)
        {
            var sequence = 2000 + i;
            var state = (i % 3) switch { 0 => "Removed", 1 => "Inactive", _ => "Active" };
            var password = state == "Removed" ? "NULL" : "'" + _database.Protector.Protect(new RegistrySecret("p" + sequence), new SecretContext("1a1000", "1r" + sequence)) + "'";
            values.Add($"('1r{sequence}', '1a1000', 'r{i % 7}.example.com', 'r{i % 7}.example.com', '{state}', 'e@example.com', 'u{i}', {sequence}, 1, {password}, '{(i % 2 == 0 ? "team" : string.Empty)}')");
        }

        await _database.ExecuteAsync($"""
            INSERT INTO {schema}.environments (id, position, name, orchestration, members, version) VALUES ('1a1000', 1000, 'old', 'Cattle', '[]', 1);
            INSERT INTO {schema}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password, path)
            VALUES {string.Join(",\n", values)};
            """);
        return "1a1000";
    }

    // What "unaltered" means: every table and column, the version and every row count.
    private async Task<string> DescribeAsync(string schema)
    {
        var columns = await _database.ScalarAsync($"SELECT string_agg(table_name || '.' || column_name || ':' || data_type, ',' ORDER BY table_name, ordinal_position) FROM information_schema.columns WHERE table_schema = '{schema}'");
        var indexes = await _database.ScalarAsync($"SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE schemaname = '{schema}'");
        var rows = await _database.ScalarAsync($"SELECT (SELECT count(*) FROM {schema}.environments) || '/' || (SELECT count(*) FROM {schema}.registries) || '/' || (SELECT version || '@' || migrated_at FROM {schema}.schema_version)");
        return $"{columns}|{indexes}|{rows}";
    }
}
