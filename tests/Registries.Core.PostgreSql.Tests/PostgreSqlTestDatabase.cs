using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>Fresh schemas and databases on the test server, and the stores over them; drops what it made when disposed.</summary>
/// <remarks>A schema per store is cheap (a few tables in the shared test database); a test that needs a whole database
/// to itself (a <c>pg_dump</c>, an unknown-database case) asks for one.</remarks>
internal sealed class PostgreSqlTestDatabase : IAsyncDisposable
{
    private readonly List<string> _schemas = [];
    private readonly List<string> _databases = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly NpgsqlDataSource _admin;

    public PostgreSqlTestDatabase()
    {
        Server = TestServices.RequirePostgreSql();
        _admin = NpgsqlDataSource.Create(Server.ConnectionString);
    }

    public TestPostgreSql Server { get; }

    public string ConnectionString => Server.ConnectionString;

    public ISecretProtector Protector { get; } = new TestSecretProtector();

    /// <summary>Returns a schema name no store used before; it is dropped when this object is disposed.</summary>
    public string NewSchema()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        lock (_schemas)
        {
            _schemas.Add(schema);
        }

        return schema;
    }

    /// <summary>Creates an empty database and returns the connection string of the test role for it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync($"CREATE DATABASE {name}");
        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Opens a store with its own connection pool (disposed with this object).</summary>
    public PostgreSqlRegistryStore OpenStore(string schema, string? connectionString = null, bool migrateOnStart = true, ISecretProtector? protector = null, ILoggerFactory? loggerFactory = null, bool resolutionCache = false, TimeSpan? maxStaleness = null)
    {
        var store = new PostgreSqlRegistryStore(
            Options.Create(new PostgreSqlStoreOptions
            {
                ConnectionString = connectionString ?? ConnectionString,
                Schema = schema,
                MigrateOnStart = migrateOnStart,
                ResolutionCache = resolutionCache,
                ResolutionCacheMaxStaleness = maxStaleness ?? TimeSpan.FromSeconds(5),
            }),
            protector ?? Protector,
            loggerFactory);
        Own(store);
        return store;
    }

    public void Own(IAsyncDisposable disposable)
    {
        lock (_owned)
        {
            _owned.Add(disposable);
        }
    }

    /// <summary>Runs SQL as the test role on the shared test database.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query that returns one value, as the test role on the shared test database.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _admin.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }

        foreach (var schema in _schemas)
        {
            await ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }

        foreach (var database in _databases)
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }

        await _admin.DisposeAsync();
    }
}
