using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>A malformed connection string, a wrong password, an unknown database, an unreachable server: each a clear error that never shows the password.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlBadInputTests : IAsyncLifetime
{
    private const string Canary = "Canary-Conn-Password-51d0e8";
    private readonly PostgreSqlTestDatabase _database = new();
    private readonly FakeLogCollector _logs = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Theory]
    [InlineData("Host=127.0.0.1;Pasword=" + Canary, "not a valid Npgsql connection string")]
    [InlineData("Host=127.0.0.1;Port=five;Password=" + Canary, "not a valid Npgsql connection string")]
    [InlineData("Host=127.0.0.1;Password" + Canary, "not a valid Npgsql connection string")]
    [InlineData("postgresql://registries:" + Canary + "@127.0.0.1:5432/registries", "is a URI")]
    [InlineData("Username=registries;Password=" + Canary, "names no Host")]
    public void Constructor_MalformedConnectionString_ClearOptionsErrorWithoutThePassword(string connectionString, string expected)
    {
        var e = Assert.Throws<OptionsValidationException>(() => new PostgreSqlRegistryStore(
            Options.Create(new PostgreSqlStoreOptions { ConnectionString = connectionString }), _database.Protector));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("Host=db.example.com;Port=5432", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstOperation_WrongPassword_NamesTheRoleAndWhatToFixWithoutThePassword()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Password = Canary }.ConnectionString;
        var store = _database.OpenStore(_database.NewSchema(), connectionString, loggerFactory: Logging());

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());

        var role = new NpgsqlConnectionStringBuilder(connectionString).Username!;
        Assert.Contains($"refused the password of role '{role}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("check Username and Password", e.Message, StringComparison.Ordinal);
        Assert.Contains(store.Server, e.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InvalidPassword, Assert.IsType<PostgresException>(e.InnerException).SqlState);
        AssertNoCanary(e);
    }

    [Fact]
    public async Task FirstOperation_UnknownDatabase_NamesItAndSaysHowToCreateIt()
    {
        var name = "no_such_db_" + Guid.NewGuid().ToString("N")[..8];
        var connectionString = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Database = name }.ConnectionString;
        var store = _database.OpenStore(_database.NewSchema(), connectionString, loggerFactory: Logging());

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains($"The database '{name}' does not exist", e.Message, StringComparison.Ordinal);
        Assert.Contains($"createdb {name}", e.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.InvalidCatalogName, Assert.IsType<PostgresException>(e.InnerException).SqlState);
        AssertNoPasswordOf(_database.ConnectionString, e);
    }

    [Fact]
    public async Task FirstOperation_NothingListensOnThePort_NamesHostAndPort()
    {
        var port = ClosedPort();
        var connectionString = $"Host=127.0.0.1;Port={port};Username=registries;Password={Canary};Database=registries;Timeout=5";
        var store = _database.OpenStore(_database.NewSchema(), connectionString, loggerFactory: Logging());

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.GetEnvironmentAsync("1a1"));

        Assert.Contains($"Cannot reach the PostgreSQL server at 127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", e.Message, StringComparison.Ordinal);
        Assert.Contains("check Host and Port", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(e.InnerException);
        AssertNoCanary(e);
    }

    [Fact]
    public async Task Operation_CancelledWhileTheServerWorks_ThrowsOperationCanceled()
    {
        var store = _database.OpenStore(_database.NewSchema());
        await store.MigrateAsync();
        using var cancellation = new CancellationTokenSource();
        // Another session holds the row: the write waits for its lock until the token is cancelled.
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await using var hold = await HoldRowAsync(store.Schema, environment.Id);
        var pending = store.UpdateEnvironmentAsync(environment.WithMember("bob", EnvironmentRole.Member), cancellation.Token).AsTask();
        await Task.Delay(300);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private async Task<NpgsqlTransaction> HoldRowAsync(string schema, string environmentId)
    {
        var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand($"SELECT 1 FROM {schema}.environments WHERE id = @id FOR UPDATE", connection, transaction);
        command.Parameters.AddWithValue("id", environmentId);
        await command.ExecuteNonQueryAsync();
        _database.Own(connection);
        return transaction;
    }

    private ILoggerFactory Logging()
    {
        var factory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(_logs)).SetMinimumLevel(LogLevel.Trace));
        _database.Own(new DisposableFactory(factory));
        return factory;
    }

    private void AssertNoCanary(RegistryStoreException e)
    {
        Assert.DoesNotContain(Canary, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.NotEmpty(_logs.GetSnapshot());
        Assert.All(_logs.GetSnapshot(), r => Assert.DoesNotContain(Canary, r.Message + r.Exception, StringComparison.Ordinal));
    }

    private void AssertNoPasswordOf(string connectionString, RegistryStoreException e)
    {
        var password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        Assert.DoesNotContain(password, e.ToString(), StringComparison.Ordinal);
        Assert.All(_logs.GetSnapshot(), r => Assert.DoesNotContain(password, r.Message + r.Exception, StringComparison.Ordinal));
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class DisposableFactory(ILoggerFactory factory) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            factory.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
