using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The resolution cache over LISTEN/NOTIFY, with two instances (two stores, each its own connection pool) on
/// the real server: B caches, A (or plain SQL) changes, and B's answer changes within the staleness bound.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlResolutionCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(3);

    // Beyond the bound, what a busy test machine may add between the check of the bound and the answer.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

    private readonly PostgreSqlTestDatabase _database = new();
    private readonly ITestOutputHelper _output;

    public PostgreSqlResolutionCacheTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Resolve_OtherInstanceDeactivates_AnswerChangesWithinTheBoundAndNeverGoesBack()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        var added = await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        var changed = Stopwatch.StartNew();
        await a.Service.DeactivateRegistryAsync(environment.Id, added.Id);

        await AssertChangesAsync(b, environment.Id, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password is not null);
    }

    [Fact]
    public async Task Resolve_OtherInstanceDeletes_AnswerChangesWithinTheBoundAndNeverGoesBack()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("older@example.com", "older-user", "older-password"));
        var newer = await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("newer@example.com", "newer-user", "newer-password"));
        await a.Service.DeactivateRegistryAsync(environment.Id, newer.Id);
        await b.CachedAsync(environment.Id, r => r.Outcome == ResolutionOutcome.Denied);

        // Deleting the inactive newest entry makes the older one effective again: Denied is the old answer.
        var changed = Stopwatch.StartNew();
        await a.Service.DeleteRegistryAsync(environment.Id, newer.Id);

        await AssertChangesAsync(b, environment.Id, changed, r => r.Username == "older-user", old: r => r.Outcome == ResolutionOutcome.Denied);
    }

    [Fact]
    public async Task Resolve_OtherInstanceAddsNewerEntry_AnswerChangesWithinTheBoundAndNeverGoesBack()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        var changed = Stopwatch.StartNew();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("new@example.com", "new-user", "new-password"));

        await AssertChangesAsync(b, environment.Id, changed, r => r.Password?.Reveal() == "new-password", old: r => r.Password?.Reveal() == "old-password");
    }

    [Fact]
    public async Task Resolve_PlainSqlWriterDeactivates_TheTriggerNotifiesAndTheAnswerChanges()
    {
        var schema = _database.NewSchema();
        var b = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await b.Service.CreateEnvironmentAsync("prod");
        var added = await b.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        // No store takes part: only the trigger can tell B.
        var changed = Stopwatch.StartNew();
        await _database.ExecuteAsync($"UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}'");

        await AssertChangesAsync(b, environment.Id, changed, r => r.Outcome == ResolutionOutcome.Denied, old: r => r.Password is not null);
    }

    [Fact]
    public async Task Resolve_StoreWithoutCacheWrites_AnswerChanges()
    {
        var schema = _database.NewSchema();
        var a = Bind(_database.OpenStore(schema));
        var b = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await a.Service.CreateEnvironmentAsync("prod");
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        var changed = Stopwatch.StartNew();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("new@example.com", "new-user", "new-password"));

        await AssertChangesAsync(b, environment.Id, changed, r => r.Username == "new-user", old: r => r.Username == "old-user");
    }

    [Fact]
    public async Task Resolve_WriteOfTheSameInstance_SeenByTheNextReadWithoutWaiting()
    {
        var (_, b, environment) = await TwoInstancesAsync();
        var added = await b.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        await b.Service.DeactivateRegistryAsync(environment.Id, added.Id);

        // No poll: the write forgot what it changed before it returned.
        Assert.Equal(ResolutionOutcome.Denied, (await b.Service.ResolveAsync(environment.Id, Image)).Outcome);
        await b.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("new@example.com", "new-user", "new-password"));
        Assert.Equal("new-user", (await b.Service.ResolveAsync(environment.Id, Image)).Username);
    }

    [Fact]
    public async Task Resolve_Cached_MakesNoRoundTripWhileUncachedMakesTheTwoItMakesWithoutCache()
    {
        var schema = _database.NewSchema();
        var plain = Bind(_database.OpenStore(schema));
        var cached = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await plain.Service.CreateEnvironmentAsync("prod");
        await plain.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("e@example.com", "user", "password"));

        // Without the cache: the environment and the entries of the address in one batch (one round trip), each time.
        var before = plain.Store.DatabaseOperations;
        await plain.Service.ResolveAsync(environment.Id, Image);
        await plain.Service.ResolveAsync(environment.Id, Image);
        Assert.Equal(2, plain.Store.DatabaseOperations - before);

        await WaitTrustedAsync(cached.Store);
        before = cached.Store.DatabaseOperations;
        var first = await cached.Service.ResolveAsync(environment.Id, Image);
        Assert.Equal(1, cached.Store.DatabaseOperations - before);
        var hits = cached.Store.Cache!.Hits;

        var second = await cached.Service.ResolveAsync(environment.Id, Image);
        var third = await cached.Service.ResolveAsync(environment.Id, RegistryAddress.Parse("REGISTRY.example.com:5000"));

        Assert.Equal(1, cached.Store.DatabaseOperations - before);
        Assert.Equal(hits + 4, cached.Store.Cache.Hits);
        Assert.Equal("user", first.Username);
        Assert.Equal("password", second.Password?.Reveal());
        Assert.Equal("user", third.Username);
    }

    [Fact]
    public async Task ReadResolution_CachedHitWithAHostPattern_ReadsNoDatabaseAndSharesTheCoveringList()
    {
        var schema = _database.NewSchema();
        var plain = Bind(_database.OpenStore(schema));
        var cached = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await plain.Service.CreateEnvironmentAsync("prod");
        var host = RegistryAddress.Parse("registry-42.example.com");
        await plain.Service.AddRegistryAsync(environment.Id, host, new RegistryCredential("e@example.com", "user", "password"));
        await plain.Service.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.ParsePattern("*.example.com")), new RegistryCredential("p@example.com", "pattern-user", "password"));
        await WaitTrustedAsync(cached.Store);
        Assert.Equal(2, (await cached.Store.ReadResolutionAsync(environment.Id, host)).Entries.Count);

        // A hit is one look-up by the address (no key, no covering query built: the unit tests show it allocates
        // nothing), answered in any case of the host, and the covering list is the same answer. A lapse of trust on a
        // very busy machine (a round trip late by more than the bound) would read the database: waited out, bounded.
        for (var attempt = 0; ; attempt++)
        {
            var reads = cached.Store.DatabaseOperations;
            var held = await cached.Store.ReadResolutionAsync(environment.Id, host);
            var again = await cached.Store.ReadResolutionAsync(environment.Id, RegistryAddress.Parse("REGISTRY-42.example.com"));
            var covering = await cached.Store.ListRegistriesCoveringAsync(environment.Id, host);
            if (cached.Store.DatabaseOperations == reads || attempt == 5)
            {
                Assert.Equal(reads, cached.Store.DatabaseOperations);
                Assert.Same(held.Entries, again.Entries);
                Assert.Same(held.Entries, covering);
                Assert.Same(held.Environment, again.Environment);
                break;
            }

            await WaitTrustedAsync(cached.Store);
        }
    }

    [Fact]
    public async Task Resolve_AddressWithoutEntry_CachedAsAnonymous()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        await b.CachedAsync(environment.Id, r => r.Outcome == ResolutionOutcome.Anonymous);

        var changed = Stopwatch.StartNew();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("new@example.com", "new-user", "new-password"));

        await AssertChangesAsync(b, environment.Id, changed, r => r.Username == "new-user", old: r => r.Outcome == ResolutionOutcome.Anonymous);
    }

    [Fact]
    public async Task ListenerDropped_ChangeWhileDown_NeverOldAnswerAndRecoversToTheCache()
    {
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(l => l.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        var schema = _database.NewSchema();
        var a = Bind(_database.OpenStore(schema));
        var b = Bind(_database.OpenStore(schema, loggerFactory: factory, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await a.Service.CreateEnvironmentAsync("prod");
        var added = await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");
        var listening = b.Store.Listener!.ProcessId;
        Assert.NotEqual(0, listening);

        // The change is ready in an open transaction; it commits the moment B has seen its connection drop, before B
        // listens again (its first retry waits 100 ms), so no notification can reach B.
        await using var admin = NpgsqlDataSource.Create(_database.ConnectionString);
        await using var connection = await admin.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var deactivate = new NpgsqlCommand($"UPDATE {schema}.registries SET state = 'Inactive', version = version + 1 WHERE id = '{added.Id}'", connection, transaction))
        {
            await deactivate.ExecuteNonQueryAsync();
        }

        // The same role may end its own backends.
        Assert.Equal(true, await _database.ScalarAsync($"SELECT pg_terminate_backend({listening})"));

        await Poll(() => b.Store.Listener.ProcessId != listening || !b.Store.Cache!.IsTrusted, TimeSpan.FromSeconds(10), "B to see its listening connection drop");
        await transaction.CommitAsync();

        // From now on the old credential is never the answer, whether B is still down (the database answers) or back.
        var recovered = Stopwatch.StartNew();
        while (true)
        {
            var answer = await b.Service.ResolveAsync(environment.Id, Image);
            Assert.Null(answer.Password);
            Assert.Equal(ResolutionOutcome.Denied, answer.Outcome);
            var pid = b.Store.Listener.ProcessId;
            if (b.Store.Cache!.IsTrusted && pid != 0 && pid != listening)
            {
                break;
            }

            Assert.True(recovered.Elapsed < TimeSpan.FromSeconds(20), "B did not listen again within 20 s.");
            await Task.Delay(20);
        }

        // Back on the cache: a resolve that filled it, then one with no round trip at all.
        await b.Service.ResolveAsync(environment.Id, Image);
        var before = b.Store.DatabaseOperations;
        Assert.Equal(ResolutionOutcome.Denied, (await b.Service.ResolveAsync(environment.Id, Image)).Outcome);
        Assert.Equal(before, b.Store.DatabaseOperations);
        _output.WriteLine($"B listened again after {recovered.ElapsedMilliseconds} ms.");

        var failed = Assert.Single(logs.GetSnapshot(), r => r.Id.Name == "ResolutionCacheListenerFailed");
        Assert.Equal(LogLevel.Warning, failed.Level);
        var password = new NpgsqlConnectionStringBuilder(_database.ConnectionString).Password!;
        Assert.All(logs.GetSnapshot(), r =>
        {
            Assert.DoesNotContain(password, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("old-password", r.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ListenerRoundTripTimesOut_WarningNamesTheStalenessBoundAsTheTimeout()
    {
        var logs = new FakeLogCollector();
        using var factory = LoggerFactory.Create(l => l.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Trace));
        var schema = _database.NewSchema();

        // A bound of 2 s, and the store's command timeout left at its default (30 s): the round trip waits 2 s at most.
        var b = Bind(_database.OpenStore(schema, loggerFactory: factory, resolutionCache: true, maxStaleness: TimeSpan.FromSeconds(2)));
        await WaitTrustedAsync(b.Store);

        // The round trip reads the change counter: a lock on its table holds the round trip until its timeout.
        await using var admin = NpgsqlDataSource.Create(_database.ConnectionString);
        await using var connection = await admin.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {schema}.changes IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            await Poll(() => logs.GetSnapshot().Any(r => r.Id.Name == "ResolutionCacheListenerFailed"), TimeSpan.FromSeconds(20), "the listener to report the timed out round trip");
            await transaction.RollbackAsync();
        }

        var failed = logs.GetSnapshot().First(r => r.Id.Name == "ResolutionCacheListenerFailed");
        _output.WriteLine(failed.Message);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("command timeout: 2 s", failed.Message, StringComparison.Ordinal);
        Assert.Contains("ResolutionCacheMaxStaleness", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("30 s", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PostgreSqlStoreOptions.CommandTimeout", failed.Message, StringComparison.Ordinal);

        // And it recovers once the lock is gone.
        await WaitTrustedAsync(b.Store);
    }

    [Fact]
    public async Task ListenerDropped_WhileDown_EveryLookupReadsTheDatabase()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("old@example.com", "old-user", "old-password"));
        await b.CachedAsync(environment.Id, r => r.Username == "old-user");

        b.Store.Cache!.Distrust();

        Assert.False(b.Store.Cache.IsTrusted);
        Assert.Equal(0, b.Store.Cache.Count);
        var before = b.Store.DatabaseOperations;
        await b.Service.ResolveAsync(environment.Id, Image);
        await b.Service.ResolveAsync(environment.Id, Image);
        Assert.Equal(2, b.Store.DatabaseOperations - before);
    }

    [Fact]
    public async Task DisposeAsync_StopsTheLoopAndClosesTheListeningConnection()
    {
        var (_, b, environment) = await TwoInstancesAsync();
        await b.CachedAsync(environment.Id, r => r.Outcome == ResolutionOutcome.Anonymous);
        var loop = b.Store.Listener!.Loop!;
        var pid = b.Store.Listener.ProcessId;

        await b.Store.DisposeAsync();

        Assert.True(loop.IsCompletedSuccessfully, $"The loop is {loop.Status} after DisposeAsync.");
        Assert.Equal(0, b.Store.Listener.ProcessId);
        await Poll(async () => await _database.ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") is 0L, TimeSpan.FromSeconds(10), "the listening backend to end");

        // Disposed twice, and a lookup after disposal does not start the loop again.
        await b.Store.DisposeAsync();
        b.Store.Listener.EnsureStarted();
        Assert.Same(loop, b.Store.Listener.Loop);
    }

    [Fact]
    public async Task Dispose_StopsTheLoop()
    {
        var schema = _database.NewSchema();
        var store = _database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness);
        await WaitTrustedAsync(store);
        var loop = store.Listener!.Loop!;

        store.Dispose();

        Assert.True(loop.IsCompletedSuccessfully, $"The loop is {loop.Status} after Dispose.");
        Assert.False(store.Cache!.IsTrusted);
    }

    [Fact]
    public async Task GivenDataSource_DisposeStopsTheLoopAndLeavesThePoolUsable()
    {
        await using var dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        var schema = _database.NewSchema();
        var store = new PostgreSqlRegistryStore(dataSource, Microsoft.Extensions.Options.Options.Create(new PostgreSqlStoreOptions { Schema = schema, ResolutionCache = true, ResolutionCacheMaxStaleness = MaxStaleness }), _database.Protector);
        await WaitTrustedAsync(store);
        var loop = store.Listener!.Loop!;

        await store.DisposeAsync();

        Assert.True(loop.IsCompletedSuccessfully);
        await using var command = dataSource.CreateCommand("SELECT 1");
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task CacheOff_NoListeningConnection()
    {
        var store = _database.OpenStore(_database.NewSchema());
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        await store.GetEnvironmentAsync(environment.Id);

        Assert.Null(store.Cache);
        Assert.Null(store.Listener);
    }

    [Fact]
    public async Task Cache_ReturnedList_CannotChangeWhatTheNextCallerGets()
    {
        var (a, b, environment) = await TwoInstancesAsync();
        await a.Service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("e@example.com", "user", "password"));
        await b.CachedAsync(environment.Id, r => r.Username == "user");

        var listed = await b.Store.ListRegistriesCoveringAsync(environment.Id, Address);

        Assert.False(listed is List<StoredRegistry>);
        Assert.False(listed is StoredRegistry[]);
        Assert.Throws<NotSupportedException>(() => ((IList<StoredRegistry>)listed).Clear());
        Assert.Single(await b.Store.ListRegistriesCoveringAsync(environment.Id, Address));
    }

    private static async Task WaitTrustedAsync(PostgreSqlRegistryStore store)
    {
        // The first cached lookup starts the listening connection; the cache keeps nothing until it has proved alive.
        store.Listener!.EnsureStarted();
        await Poll(() => store.Cache!.IsTrusted, TimeSpan.FromSeconds(10), "the listening connection to prove alive");
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

    private async Task AssertChangesAsync(Instance b, string environmentId, Stopwatch changed, Func<CredentialResolution, bool> isNew, Func<CredentialResolution, bool> old)
    {
        // Poll until the new answer, within the bound; then, for a while, never the old one again.
        var deadline = MaxStaleness + Slack;
        while (true)
        {
            var answer = await b.Service.ResolveAsync(environmentId, Image);
            if (isNew(answer))
            {
                break;
            }

            Assert.True(old(answer), $"B answered neither the old nor the new answer: {answer}");
            Assert.True(changed.Elapsed < deadline, $"B still gave the old answer {changed.Elapsed.TotalMilliseconds:0} ms after the change was committed (bound {MaxStaleness.TotalSeconds} s).");
            await Task.Delay(5);
        }

        var seenAfter = changed.Elapsed;
        _output.WriteLine($"B answered the new answer {seenAfter.TotalMilliseconds:0} ms after the change.");
        Assert.True(seenAfter < MaxStaleness, $"The notification took {seenAfter.TotalMilliseconds:0} ms, not well under the bound.");
        for (var i = 0; i < 20; i++)
        {
            var answer = await b.Service.ResolveAsync(environmentId, Image);
            Assert.True(isNew(answer), $"B went back to an older answer after the new one: {answer}");
            await Task.Delay(10);
        }

        // And the new answer comes from the cache again, not from the database each time.
        await Poll(async () =>
        {
            var before = b.Store.DatabaseOperations;
            await b.Service.ResolveAsync(environmentId, Image);
            return b.Store.DatabaseOperations == before;
        }, TimeSpan.FromSeconds(10), "B to answer from its cache again");
    }

    private async Task<(Instance A, Instance B, RegistryEnvironment Environment)> TwoInstancesAsync()
    {
        var schema = _database.NewSchema();
        var a = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var b = Bind(_database.OpenStore(schema, resolutionCache: true, maxStaleness: MaxStaleness));
        var environment = await a.Service.CreateEnvironmentAsync("prod");
        return (a, b, environment);
    }

    private static Instance Bind(PostgreSqlRegistryStore store) => new(store, new RegistryService(store).As("alice"));

    private sealed record Instance(PostgreSqlRegistryStore Store, RegistryService Service)
    {
        /// <summary>Waits until the answer is in B's cache: it resolves with no round trip.</summary>
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
