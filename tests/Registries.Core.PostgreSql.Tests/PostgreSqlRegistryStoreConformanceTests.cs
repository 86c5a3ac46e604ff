using Registries.Core.Storage.Conformance;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The whole store conformance suite, run against <see cref="PostgreSqlRegistryStore"/> on the real server, as an outside implementer runs it.</summary>
/// <remarks>Each store gets a fresh schema; the second instance is another store object with its own connection pool
/// over the same schema, so the suite's two-instance tests run across instances as they would across hosts.</remarks>
[Trait("Category", "Integration")]
public sealed class PostgreSqlRegistryStoreConformanceTests : RegistryStoreConformanceTests, IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    // Every sample of the model run migrates a new schema: fewer runs keep the suite quick.
    protected override int ModelIterations => 20;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    protected override ValueTask<IRegistryStore> CreateStoreAsync()
        => ValueTask.FromResult<IRegistryStore>(_database.OpenStore(_database.NewSchema()));

    protected override ValueTask<IRegistryStore> OpenSecondInstanceAsync(IRegistryStore first)
        => ValueTask.FromResult<IRegistryStore>(_database.OpenStore(((PostgreSqlRegistryStore)first).Schema));

    // What is at rest: every row of both tables, as text.
    protected override async ValueTask<string?> ReadPersistedTextAsync(IRegistryStore store)
    {
        var schema = ((PostgreSqlRegistryStore)store).Schema;
        return (string?)await _database.ScalarAsync($"SELECT coalesce((SELECT string_agg(e::text, E'\\n') FROM {schema}.environments e), '') || E'\\n' || coalesce((SELECT string_agg(r::text, E'\\n') FROM {schema}.registries r), '')");
    }
}
