using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>A new database on the test PostgreSQL server, dropped (with its connections) on dispose.</summary>
internal sealed class FreshDatabase : IAsyncDisposable
{
    private readonly TestPostgreSql _server;

    private FreshDatabase(TestPostgreSql server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Gets the database's name.</summary>
    public string Name { get; }

    /// <summary>Gets the test role's connection string to it.</summary>
    public string ConnectionString { get; }

    /// <summary>Creates a database named <paramref name="prefix"/> and a fresh GUID.</summary>
    /// <param name="server">The server.</param>
    /// <param name="prefix">The start of its name, saying which tests made it.</param>
    /// <returns>The database.</returns>
    public static async Task<FreshDatabase> CreateAsync(TestPostgreSql server, string prefix)
    {
        var name = prefix + Guid.NewGuid().ToString("N");
        await using var admin = NpgsqlDataSource.Create(server.ConnectionString);
        await using var create = admin.CreateCommand($"CREATE DATABASE {name}");
        await create.ExecuteNonQueryAsync();
        return new FreshDatabase(server, name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = NpgsqlDataSource.Create(_server.ConnectionString);
        await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        await drop.ExecuteNonQueryAsync();
    }
}
