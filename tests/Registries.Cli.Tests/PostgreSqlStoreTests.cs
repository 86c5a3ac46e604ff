using System.Text.Json;
using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>The CLI on a PostgreSQL store (`--store` a key=value connection string or a postgresql:// URI): the same
/// commands, answers and exit codes as on the file store, against the real server the test services start.</summary>
[Trait("Category", "Integration")]
public sealed class PostgreSqlStoreTests : IAsyncLifetime
{
    private const string Canary = "Canary-Pg-Cli-4b1d!";

    private readonly RegistriesCli _cli = new();
    private readonly TestPostgreSql _server = TestServices.RequirePostgreSql();
    private FreshDatabase? _database;

    private string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync() => _database = await FreshDatabase.CreateAsync(_server, "cli_");

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Commands_OnADatabase_WorkAsOnTheFileStore()
    {
        var key = _cli.Combine("db.key");
        string[] store = ["--store", ConnectionString, "--key-file", key];

        var created = await _cli.SucceedAsync(["env", "create", "prod", "--json", .. store]);
        var environmentId = JsonDocument.Parse(created).RootElement.GetProperty("id").GetString()!;
        await _cli.SucceedWithInputAsync(Canary, ["registry", "add", "prod", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "old", "--password-stdin", .. store]);
        await _cli.SucceedWithInputAsync(Canary, ["registry", "add", environmentId, "--address", "Registry.Example.com:5000", "--email", "ops@example.com", "--username", "robot", "--password-stdin", .. store]);
        var listed = JsonDocument.Parse(await _cli.SucceedAsync(["registry", "list", "prod", "--json", .. store])).RootElement;
        var resolved = await _cli.SucceedAsync(["resolve", "prod", "registry.example.com:5000/team/app:1", .. store]);
        var file = await FileStoreAnswerAsync();

        Assert.Equal(2, listed.GetArrayLength());
        Assert.Equal(["old", "robot"], listed.EnumerateArray().Select(e => e.GetProperty("username").GetString()));
        Assert.Equal([false, true], listed.EnumerateArray().Select(e => e.GetProperty("effective").GetBoolean()));
        Assert.Contains("authenticated as robot", resolved, StringComparison.Ordinal);
        Assert.Equal(Normalize(file), Normalize(resolved));
        Assert.False(File.Exists(_cli.StorePath), "no store file is written for a database store");
        Assert.True(File.Exists(key));
    }

    [Fact]
    public async Task Uri_WithPasswordInTheEnvironment_Works()
    {
        var settings = new NpgsqlConnectionStringBuilder(_server.ConnectionString);
        var uri = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{_database!.Name}";
        var environment = new Dictionary<string, string?>(_cli.Environment)
        {
            ["REGISTRIES_STORE"] = uri,
            ["REGISTRIES_KEY_FILE"] = _cli.Combine("uri.key"),
            ["PGPASSWORD"] = settings.Password,
        };

        var (program, create) = RegistriesCli.Command(["env", "create", "staging"]);
        var created = await Processes.RunAsync(program, create, environment, timeout: RegistriesCli.DefaultLimit);
        var (_, list) = RegistriesCli.Command(["env", "list"]);
        var listed = await Processes.RunAsync(program, list, environment, timeout: RegistriesCli.DefaultLimit);

        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("staging", listed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uri_WithAPassword_IsRefusedWithoutShowingIt()
    {
        var result = await _cli.RunAsync("env", "list", "--store", "postgresql://registries:" + Canary + "@127.0.0.1:5432/registries");

        var line = result.AssertOneLineError(2);
        Assert.Contains("PGPASSWORD", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_Unreachable_IsAnOutsideFailureInOneLineWithoutThePassword()
    {
        var settings = new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Port = ClosedPort(), Password = Canary, Timeout = 5 };

        var result = await _cli.RunAsync("env", "list", "--store", settings.ConnectionString, "--key-file", _cli.Combine("k.key"));

        var line = result.AssertOneLineError(4);
        Assert.Contains("127.0.0.1", line, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreAnnounceChange_OnADatabase_NotifiesEveryCacheAndBumpsTheChangeCounter()
    {
        string[] store = ["--store", ConnectionString, "--key-file", _cli.Combine("db.key")];
        await _cli.SucceedAsync(["env", "create", "prod", .. store]);
        await using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        await using var listener = await dataSource.OpenConnectionAsync();
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        listener.Notification += (_, e) => received.Enqueue(e.Payload);
        await using (var listen = new NpgsqlCommand("LISTEN registries", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        await using var counter = dataSource.CreateCommand("SELECT counter FROM registries.changes");
        var before = (long)(await counter.ExecuteScalarAsync())!;

        var announced = JsonDocument.Parse(await _cli.SucceedAsync(["store", "announce-change", "--json", .. store])).RootElement;

        Assert.True(announced.GetProperty("announced").GetBoolean());
        Assert.Equal("registries", announced.GetProperty("schema").GetString());
        Assert.Equal(_database!.Name, announced.GetProperty("database").GetString());
        Assert.Equal(before + 1, await counter.ExecuteScalarAsync());
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (received.Count < 2 && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        }

        Assert.Equal(["*", "#" + (before + 1)], received.ToArray());
    }

    [Fact]
    public async Task StoreAnnounceChange_OnAStoreFile_IsBadUsageInOneLine()
    {
        var result = await _cli.RunAsync("store", "announce-change");

        var line = result.AssertOneLineError(2);
        Assert.Contains("PostgreSQL store", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath));
    }

    private async Task<string> FileStoreAnswerAsync()
    {
        using var file = new RegistriesCli();
        await file.SucceedAsync("env", "create", "prod");
        await file.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "old", "--password-stdin");
        await file.SucceedWithInputAsync(Canary, "registry", "add", "prod", "--address", "Registry.Example.com:5000", "--email", "ops@example.com", "--username", "robot", "--password-stdin");
        return await file.SucceedAsync("resolve", "prod", "registry.example.com:5000/team/app:1");
    }

    // Ids are store-assigned (1r2 on one store may be 1r3 on another): the answers are compared without them.
    private static string Normalize(string answer) => System.Text.RegularExpressions.Regex.Replace(answer, @"\b1r\d+\b", "1r#");

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
