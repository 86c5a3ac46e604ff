using Registries.Core.Storage.Conformance;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The whole store conformance suite again, against a <see cref="PostgreSqlRegistryStore"/> with the resolution cache on.</summary>
/// <remarks>The suite's second instance is the same store here. Across instances the cache is consistent within its
/// staleness bound, not at once (a notification takes milliseconds), while the suite reads on one instance right after
/// a write on the other; that bound has its own tests (<see cref="PostgreSqlResolutionCacheTests"/>). Within one store
/// the suite checks what the cache must keep exactly: every read after a write of the store sees the write.</remarks>
[Trait("Category", "Integration")]
public sealed class PostgreSqlCachedStoreConformanceTests : RegistryStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    // Every sample of the model run migrates a new schema and starts a listening connection: fewer runs keep it quick.
    protected override int ModelIterations => 20;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected override ValueTask<IRegistryStore> CreateStoreAsync()
        => ValueTask.FromResult<IRegistryStore>(_database.OpenStore(_database.NewSchema(), resolutionCache: true, maxStaleness: TimeSpan.FromSeconds(2)));

    // What is at rest: every row of both tables, as text.
    protected override async ValueTask<string?> ReadPersistedTextAsync(IRegistryStore store)
    {
        var schema = ((PostgreSqlRegistryStore)store).Schema;
        return (string?)await _database.ScalarAsync($"SELECT coalesce((SELECT string_agg(e::text, E'\\n') FROM {schema}.environments e), '') || E'\\n' || coalesce((SELECT string_agg(r::text, E'\\n') FROM {schema}.registries r), '')");
    }
}
