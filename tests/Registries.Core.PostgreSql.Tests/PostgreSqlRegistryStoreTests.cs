using Npgsql;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>What the PostgreSQL store adds to the conformance suite: the lookup by address is one indexed query, aliases
/// are one address, and conflicts hold across instances with their own pools.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlRegistryStoreTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ListRegistriesByAddressAsync_DockerHubAliasesAndHostCase_OneAddressAcrossInstances()
    {
        var schema = _database.NewSchema();
        var first = _database.OpenStore(schema);
        var second = _database.OpenStore(schema);
        var environment = await first.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var hub = await first.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("index.docker.io")), new RegistryCredential("a@example.com", "a", "pa"));
        var newer = await second.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("registry-1.docker.io")), new RegistryCredential("b@example.com", "b", "pb"));
        var custom = await first.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("Registry.Example.com:5000")), new RegistryCredential("c@example.com", "c", "pc"));

        var byHub = await second.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.DockerHub);
        var byCustom = await second.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.Parse("registry.EXAMPLE.com:5000"));

        Assert.Equal([hub.Registry.Id, newer.Registry.Id], byHub.Select(r => r.Registry.Id));
        Assert.Equal(newer.Registry.Id, StoreRules.SelectEffective(byHub)?.Registry.Id);
        Assert.Equal([custom.Registry.Id], byCustom.Select(r => r.Registry.Id));
        Assert.Empty(await second.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.Parse("registry.example.com:5001")));
    }

    [Fact]
    public async Task ListRegistriesByAddressAsync_Query_IsAnIndexLookupByEnvironmentAndAddress()
    {
        var schema = _database.NewSchema();
        await _database.OpenStore(schema).MigrateAsync();
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();

        // 5,000 entries over 200 addresses of one environment, with statistics, as a real store has them; the sequential
        // scan is forbidden so that the plan shows which index fits the query's shape.
        await using (var fill = new NpgsqlCommand(
            $"""
            INSERT INTO {schema}.environments VALUES ('1a0', 0, 'e', 'Cattle', '[]', 1);
            INSERT INTO {schema}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password)
            SELECT '1r' || g, '1a0', 'h' || (g % 200) || '.example.com', 'h' || (g % 200) || '.example.com', 'Active', 'e', 'u', g, 1, 't1:x'
            FROM generate_series(1, 5000) g;
            ANALYZE {schema}.registries;
            SET enable_seqscan = off;
            """,
            connection))
        {
            await fill.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM {schema}.registries WHERE environment_id = '1a0' AND address_key = 'h7.example.com' ORDER BY sequence", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join('\n', plan);
        Assert.Contains("Index Scan using registries_by_address", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", text, StringComparison.Ordinal);

        // The lookup of an address with the host patterns that could cover it (ListRegistriesCoveringAsync) is one query
        // on the same index.
        await using var covering = new NpgsqlCommand(
            $"EXPLAIN SELECT id FROM {schema}.registries WHERE environment_id = '1a0' AND address_key = ANY(ARRAY['h7.example.com', '*.example.com']) ORDER BY sequence", connection);
        var coveringPlan = new List<string>();
        await using (var reader = await covering.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                coveringPlan.Add(reader.GetString(0));
            }
        }

        Assert.Contains("registries_by_address", string.Join('\n', coveringPlan), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateRegistryAsync_TwoInstancesSameReadVersion_OneWinsTheOtherConflictsAndWritesNothing()
    {
        var schema = _database.NewSchema();
        var first = _database.OpenStore(schema);
        var second = _database.OpenStore(schema);
        var environment = await first.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await first.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("r.example.com")), new RegistryCredential("a@example.com", "a", "pa"));
        var read = await second.GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.NotNull(read);

        var won = await first.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity("w@example.com", "winner"), new RegistrySecret("pw")));
        var e = await Assert.ThrowsAsync<ConcurrencyConflictException>(async () =>
            await second.UpdateRegistryAsync(new StoredRegistry(read.Registry.WithIdentity("l@example.com", "loser"), new RegistrySecret("pl"))));

        Assert.Equal(1, e.ExpectedVersion);
        Assert.Equal(2, e.ActualVersion);
        Assert.Equal(added.Registry.Id, e.Id);
        var stored = await second.GetRegistryAsync(environment.Id, added.Registry.Id);
        Assert.Equal(won.Registry.Version, stored?.Registry.Version);
        Assert.Equal("winner", stored?.Registry.Username);
        Assert.Equal("pw", stored?.Password?.Reveal());
    }

    [Fact]
    public async Task AddRegistryAsync_Ids_FormattedLikeTheInMemoryStoreFromOneSequence()
    {
        var store = _database.OpenStore(_database.NewSchema());

        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var registry = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Quay), new RegistryCredential("a@example.com", "a", "pa"));

        Assert.Equal("1a1", environment.Id);
        Assert.Equal("1r2", registry.Registry.Id);
        Assert.Equal(2, registry.Registry.Sequence);
    }
}
