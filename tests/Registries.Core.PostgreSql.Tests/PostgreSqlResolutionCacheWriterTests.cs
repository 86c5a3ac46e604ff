using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit.Abstractions;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The resolution cache against writers the notify triggers do not see by default: a write under
/// <c>session_replication_role = replica</c> (logical replication's apply workers, some migration tools), a write whose
/// notification is lost, and a write with the triggers disabled (<c>pg_restore --disable-triggers</c>) followed by the
/// documented remedy, <c>SELECT schema.announce_change()</c>.</summary>
/// <remarks>On a private cluster (<see cref="PrivatePostgreSqlCluster"/>, one for the class): those writers need a
/// superuser, which the shared server's test role is not. The stores connect as an ordinary role that owns the schema;
/// the hostile writes go over a plain Npgsql connection.</remarks>
[Trait("Category", "Integration")]
public sealed class PostgreSqlResolutionCacheWriterTests : IClassFixture<PostgreSqlResolutionCacheWriterTests.Cluster>
{
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(2);

    // Beyond the bound, what a busy test machine may add between the check of the bound and the answer.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

    private readonly Cluster _cluster;
    private readonly ITestOutputHelper _output;

    public PostgreSqlResolutionCacheWriterTests(Cluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    [Fact]
    public async Task Resolve_DeactivationWrittenInReplicaRole_NoOldAnswerAfterTheBound()
    {
        var (schema, cached, environmentId, added) = await CachedOldCredentialAsync();
        await using var writer = await OpenSuperuserAsync();
        await ExecuteAsync(writer, "SET session_replication_role = replica");

        var changed = Stopwatch.StartNew();
        await ExecuteAsync(writer, $"UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}'");

        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password?.Reveal() == "old-password");
    }

    [Fact]
    public async Task Resolve_NewerAddWrittenInReplicaRole_NoOldAnswerAfterTheBound()
    {
        var (schema, cached, environmentId, _) = await CachedOldCredentialAsync();
        await using var writer = await OpenSuperuserAsync();
        await ExecuteAsync(writer, "SET session_replication_role = replica");

        // What an apply worker does: the publisher's row, with the publisher's id, sequence and protected password.
        var sequence = (long)(await ScalarAsync(writer, $"SELECT nextval('{schema}.ids')"))!;
        var id = "1r" + sequence;
        var password = _cluster.Protector.Protect(new RegistrySecret("new-password"), new SecretContext(environmentId, id));
        var changed = Stopwatch.StartNew();
        await ExecuteAsync(writer, $"""
            INSERT INTO {schema}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password, path)
            VALUES ('{id}', '{environmentId}', '{Address}', '{Address}', 'Active', 'new@example.com', 'new-user', {sequence}, 1, '{password}', '')
            """);

        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Username == "new-user", old: r => r.Username == "old-user");
    }

    [Fact]
    public async Task Resolve_WriteWithTriggersDisabledThenAnnounceChange_NoOldAnswerAfterTheBoundAndTriggersFireAlwaysAgain()
    {
        var (schema, cached, environmentId, added) = await CachedOldCredentialAsync();

        // What pg_restore --data-only --disable-triggers does around each table's data.
        await using (var restore = await OpenSuperuserAsync())
        {
            await ExecuteAsync(restore, $"""
                BEGIN;
                ALTER TABLE {schema}.registries DISABLE TRIGGER ALL;
                UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}';
                ALTER TABLE {schema}.registries ENABLE TRIGGER ALL;
                COMMIT;
                """);
        }

        // Nothing told the cache: it still answers the old credential from memory, several round trips later. This is
        // the case the README narrows the promise for.
        await WaitRoundTripsAsync(cached.Store, 3);
        var before = cached.Store.DatabaseOperations;
        Assert.Equal("old-password", (await cached.Service.ResolveAsync(environmentId, Image)).Password?.Reveal());
        Assert.Equal(before, cached.Store.DatabaseOperations);

        // The remedy, run by the store's own role (it owns the schema's tables).
        await using var owner = await OpenOwnerAsync();
        var changed = Stopwatch.StartNew();
        await ExecuteAsync(owner, $"SELECT {schema}.announce_change()");

        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password?.Reveal() == "old-password");

        // ENABLE TRIGGER ALL left the triggers firing in the default replication role only; the remedy made them fire
        // in every role again, so a later write under session_replication_role = replica is seen.
        Assert.Equal("AAAAAA", await ScalarAsync(owner, $"SELECT string_agg(tgenabled::text, '' ORDER BY tgname) FROM pg_trigger WHERE tgrelid IN ('{schema}.registries'::regclass, '{schema}.environments'::regclass) AND NOT tgisinternal"));
        await using var writer = await OpenSuperuserAsync();
        await ExecuteAsync(writer, "SET session_replication_role = replica");
        changed.Restart();
        await ExecuteAsync(writer, $"UPDATE {schema}.registries SET state = 'Active', version = version + 1 WHERE id = '{added.Id}'");
        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Password?.Reveal() == "old-password", old: r => r.Outcome == ResolutionOutcome.Denied);
    }

    [Fact]
    public async Task AnnounceChangeAsync_AfterARestoreOfTheOwner_NoOldAnswerAfterTheBoundAndTriggersFireAlwaysAgain()
    {
        var (schema, cached, environmentId, added) = await CachedOldCredentialAsync();

        // The owner of the tables may disable its own triggers (not the internal ones: that needs a superuser).
        await using var owner = await OpenOwnerAsync();
        await ExecuteAsync(owner, $"""
            BEGIN;
            ALTER TABLE {schema}.registries DISABLE TRIGGER USER;
            UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}';
            ALTER TABLE {schema}.registries ENABLE TRIGGER USER;
            COMMIT;
            """);

        var changed = Stopwatch.StartNew();
        await _cluster.OpenStore(schema, resolutionCache: false).AnnounceChangeAsync();

        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password?.Reveal() == "old-password");
        Assert.Equal(0L, await ScalarAsync(owner, $"SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('{schema}.registries'::regclass, '{schema}.environments'::regclass) AND NOT tgisinternal AND tgenabled <> 'A'"));
    }

    [Fact]
    public async Task AnnounceChangeAsync_TriggerStillDisabled_LeavesItDisabledRepairsTheOthersAndSaysSo()
    {
        var (schema, _, _, _) = await CachedOldCredentialAsync();
        await using var owner = await OpenOwnerAsync();
        await ExecuteAsync(owner, $"""
            ALTER TABLE {schema}.registries DISABLE TRIGGER registries_count;
            ALTER TABLE {schema}.environments ENABLE TRIGGER environments_notify;
            """);
        var counter = (long)(await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"))!;

        var e = await Assert.ThrowsAsync<RegistryStoreException>(() => _cluster.OpenStore(schema, resolutionCache: false).AnnounceChangeAsync());

        Assert.Contains("1 of its triggers", e.Message, StringComparison.Ordinal);
        Assert.Contains("a disabled trigger is left as it is", e.Message, StringComparison.Ordinal);
        Assert.Equal(counter + 1, await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"));
        Assert.Equal(
            "environments_count:A,environments_notify:A,environments_notify_truncate:A,registries_count:D,registries_notify:A,registries_notify_truncate:A",
            await ScalarAsync(owner, $"SELECT string_agg(tgname || ':' || tgenabled::text, ',' ORDER BY tgname) FROM pg_trigger WHERE tgrelid IN ('{schema}.environments'::regclass, '{schema}.registries'::regclass) AND NOT tgisinternal"));
    }

    [Fact]
    public async Task AnnounceChangeAsync_RoleThatDoesNotOwnTheTables_AnnouncesAndSaysToRunItAsTheOwner()
    {
        var (schema, cached, environmentId, added) = await CachedOldCredentialAsync();
        var connectionString = await CreateRoleAsync(role => $"""
            GRANT USAGE ON SCHEMA {schema} TO {role};
            GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {schema} TO {role};
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
            """);
        var appRole = new NpgsqlConnectionStringBuilder(connectionString).Username;
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        await using (var superuser = await OpenSuperuserAsync())
        {
            await ExecuteAsync(superuser, $"""
                BEGIN;
                ALTER TABLE {schema}.registries DISABLE TRIGGER ALL;
                UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}';
                ALTER TABLE {schema}.registries ENABLE TRIGGER ALL;
                COMMIT;
                """);
        }

        var app = _cluster.OpenStore(schema, resolutionCache: false, connectionString: connectionString);
        var changed = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<RegistryStoreException>(() => app.AnnounceChangeAsync());

        // The announcement went out all the same; only the triggers are left as ENABLE TRIGGER ALL left them.
        Assert.Contains("Announced the change", e.Message, StringComparison.Ordinal);
        Assert.Contains("3 of its triggers", e.Message, StringComparison.Ordinal);
        Assert.Contains($"role '{appRole}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("as the owner", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, e.Message, StringComparison.Ordinal);
        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password?.Reveal() == "old-password");
    }

    [Fact]
    public async Task Write_RoleGrantedOnlyTheTablesOfVersion3_StillWritesAndIsCounted()
    {
        var (schema, cached, environmentId, _) = await CachedOldCredentialAsync();
        var role = await CreateRoleAsync(role => $"""
            GRANT USAGE ON SCHEMA {schema} TO {role};
            GRANT SELECT, INSERT, UPDATE ON {schema}.environments, {schema}.registries, {schema}.schema_version TO {role};
            GRANT USAGE ON SEQUENCE {schema}.ids TO {role};
            """);
        var app = Bind(_cluster.OpenStore(schema, resolutionCache: false, connectionString: role));
        await using var owner = await OpenOwnerAsync();
        var counter = (long)(await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"))!;

        // The counting function runs as the role that migrated: this role needs no grant on the counter's table.
        var changed = Stopwatch.StartNew();
        await app.Service.AddRegistryAsync(environmentId, Address, new RegistryCredential("new@example.com", "new-user", "new-password"));

        Assert.Equal(counter + 1, await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"));
        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Username == "new-user", old: r => r.Username == "old-user");
    }

    [Fact]
    public async Task Resolve_WriteWhoseNotificationIsLost_TheCounterFlushesTheCacheWithinTheBound()
    {
        var (schema, cached, environmentId, added) = await CachedOldCredentialAsync();
        var unannounced = cached.Store.Listener!.UnannouncedChanges;

        // A lost notification, as the listener sees it: the change is committed and counted, and no NOTIFY arrives.
        // The write goes with the triggers off (no NOTIFY, no count), then the counter alone moves (its table has no
        // trigger, so that sends nothing either).
        await using var owner = await OpenOwnerAsync();
        await ExecuteAsync(owner, $"""
            BEGIN;
            ALTER TABLE {schema}.registries DISABLE TRIGGER USER;
            UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}';
            ALTER TABLE {schema}.registries ENABLE ALWAYS TRIGGER registries_notify;
            ALTER TABLE {schema}.registries ENABLE ALWAYS TRIGGER registries_notify_truncate;
            ALTER TABLE {schema}.registries ENABLE ALWAYS TRIGGER registries_count;
            COMMIT;
            """);
        await WaitRoundTripsAsync(cached.Store, 2);

        Assert.Equal("old-password", (await cached.Service.ResolveAsync(environmentId, Image)).Password?.Reveal());

        var changed = Stopwatch.StartNew();
        await ExecuteAsync(owner, $"UPDATE {schema}.changes SET counter = counter + 1");

        await AssertNoOldAnswerAfterTheBoundAsync(cached, environmentId, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password?.Reveal() == "old-password");
        await Poll(() => cached.Store.Listener.UnannouncedChanges > unannounced, MaxStaleness + Slack, "the counter to flush the cache");
    }

    [Fact]
    public async Task Triggers_ReplicaRoleWrite_NotifyAndCountOncePerTransaction()
    {
        var (schema, _, environmentId, added) = await CachedOldCredentialAsync();
        await using var owner = await OpenOwnerAsync();
        var counter = (long)(await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"))!;
        await using var listener = await OpenOwnerAsync();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        listener.Notification += (_, e) => received.Enqueue(e.Payload);
        await ExecuteAsync(listener, $"LISTEN {schema}");

        await using var writer = await OpenSuperuserAsync();
        await ExecuteAsync(writer, $"""
            SET session_replication_role = replica;
            BEGIN;
            UPDATE {schema}.registries SET email = 'a@example.com', version = version + 1 WHERE id = '{added.Id}';
            UPDATE {schema}.environments SET version = version + 1 WHERE id = '{environmentId}';
            UPDATE {schema}.registries SET email = 'b@example.com', version = version + 1 WHERE id = '{added.Id}';
            COMMIT;
            """);

        var watch = Stopwatch.StartNew();
        while (received.Count < 2 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal([environmentId, "#" + (counter + 1)], received.ToArray());
        Assert.Equal(counter + 1, await ScalarAsync(owner, $"SELECT counter FROM {schema}.changes"));
    }

    private async Task<(string Schema, Instance Cached, string EnvironmentId, Registry Added)> CachedOldCredentialAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        var writer = Bind(_cluster.OpenStore(schema, resolutionCache: false));
        var cached = Bind(_cluster.OpenStore(schema, resolutionCache: true));
        var environment = await writer.Service.CreateEnvironmentAsync("prod");
        var added = await writer.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await cached.CachedAsync(environment.Id, r => r.Username == "old-user");
        return (schema, cached, environment.Id, added);
    }

    private async Task AssertNoOldAnswerAfterTheBoundAsync(Instance cached, string environmentId, Stopwatch changed, Func<CredentialResolution, bool> isNew, Func<CredentialResolution, bool> old)
    {
        // Poll until the new answer, within the bound; then, for a while, never the old one again.
        var deadline = MaxStaleness + Slack;
        while (true)
        {
            var answer = await cached.Service.ResolveAsync(environmentId, Image);
            if (isNew(answer))
            {
                break;
            }

            Assert.True(old(answer), $"The cached instance answered neither the old nor the new answer: {answer}");
            Assert.True(changed.Elapsed < deadline, $"The cached instance still gave the old answer {changed.Elapsed.TotalMilliseconds:0} ms after the change was committed (bound {MaxStaleness.TotalSeconds} s).");
            await Task.Delay(5);
        }

        _output.WriteLine($"The new answer came {changed.Elapsed.TotalMilliseconds:0} ms after the change.");
        for (var i = 0; i < 20; i++)
        {
            Assert.True(isNew(await cached.Service.ResolveAsync(environmentId, Image)), "The cached instance went back to an older answer.");
            await Task.Delay(10);
        }
    }

    private static async Task WaitRoundTripsAsync(PostgreSqlRegistryStore store, int count)
    {
        // Bounded by the condition: each round trip comes at most half a bound after the previous one.
        var target = store.Listener!.RoundTrips + count;
        var watch = Stopwatch.StartNew();
        while (store.Listener.RoundTrips < target || !store.Cache!.IsTrusted)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Waited 30 s for {count} round trips of the listening connection: {store.Listener.RoundTrips} of {target}, trusted: {store.Cache!.IsTrusted}, connection {store.Listener.ProcessId}.");
            await Task.Delay(10);
        }
    }

    private static async Task Poll(Func<bool> condition, TimeSpan timeout, string what)
        => await Poll(() => Task.FromResult(condition()), timeout, what);

    private static async Task Poll(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < timeout, $"Waited {timeout.TotalSeconds} s for {what}.");
            await Task.Delay(10);
        }
    }

    // A new login role (the cluster's password), granted what the SQL for its name gives; returns its connection string.
    private async Task<string> CreateRoleAsync(Func<string, string> grants)
    {
        var role = "app_" + Guid.NewGuid().ToString("N")[..8];
        var settings = new NpgsqlConnectionStringBuilder(_cluster.Server.ConnectionString);
        await using var superuser = await OpenSuperuserAsync();
        await ExecuteAsync(superuser, $"CREATE ROLE {role} LOGIN PASSWORD '{settings.Password}';" + grants(role));
        settings.Username = role;
        return settings.ConnectionString;
    }

    private Task<NpgsqlConnection> OpenSuperuserAsync() => _cluster.OpenAsync(_cluster.Server.SuperuserConnectionString);

    private Task<NpgsqlConnection> OpenOwnerAsync() => _cluster.OpenAsync(_cluster.Server.ConnectionString);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static Instance Bind(PostgreSqlRegistryStore store) => new(store, new RegistryService(store).As("alice"));

    /// <summary>The private cluster of this class, and the stores and connections its tests open (closed before it stops).</summary>
    public sealed class Cluster : IAsyncLifetime
    {
        private readonly List<IAsyncDisposable> _owned = [];
        private PrivatePostgreSqlCluster? _server;

        internal PrivatePostgreSqlCluster Server => _server ?? throw new InvalidOperationException("The cluster did not start.");

        public ISecretProtector Protector { get; } = new TestSecretProtector();

        public async Task InitializeAsync() => _server = await PrivatePostgreSqlCluster.StartAsync();

        public PostgreSqlRegistryStore OpenStore(string schema, bool resolutionCache, string? connectionString = null)
        {
            var store = new PostgreSqlRegistryStore(
                Options.Create(new PostgreSqlStoreOptions
                {
                    ConnectionString = connectionString ?? Server.ConnectionString,
                    Schema = schema,
                    ResolutionCache = resolutionCache,
                    ResolutionCacheMaxStaleness = MaxStaleness,
                }),
                Protector);
            Own(store);
            return store;
        }

        public async Task<NpgsqlConnection> OpenAsync(string connectionString)
        {
            var dataSource = NpgsqlDataSource.Create(connectionString);
            Own(dataSource);
            return await dataSource.OpenConnectionAsync();
        }

        public async Task DisposeAsync()
        {
            List<IAsyncDisposable> owned;
            lock (_owned)
            {
                owned = [.. _owned];
            }

            foreach (var disposable in owned)
            {
                await disposable.DisposeAsync();
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }

        private void Own(IAsyncDisposable disposable)
        {
            lock (_owned)
            {
                _owned.Add(disposable);
            }
        }
    }

    private sealed record Instance(PostgreSqlRegistryStore Store, RegistryService Service)
    {
        /// <summary>Waits until the answer is in the cache: it resolves with no round trip.</summary>
        public async Task CachedAsync(string environmentId, Func<CredentialResolution, bool> expected)
        {
            Store.Listener!.EnsureStarted();
            await Poll(async () =>
            {
                var before = Store.DatabaseOperations;
                var answer = await Service.ResolveAsync(environmentId, Image);
                Assert.True(expected(answer), $"Unexpected answer before the change: {answer}");
                return Store.DatabaseOperations == before;
            }, TimeSpan.FromSeconds(10), "the answer to be cached");
        }
    }
}
