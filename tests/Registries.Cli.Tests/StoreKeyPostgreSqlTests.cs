using System.Globalization;
using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary>The key commands on a PostgreSQL store (<see cref="StoreKeyTests"/>), against the real server the test
/// services start; what the database holds is read with <c>pg_dump</c>.</summary>
[Trait("Category", "Integration")]
public sealed class StoreKeyPostgreSqlTests : StoreKeyTests
{
    private readonly TestPostgreSql _server = TestServices.RequirePostgreSql();
    private FreshDatabase? _database;

    protected override string[] Store => ["--store", _database!.ConnectionString, "--key-file", KeyPath];

    public override async Task InitializeAsync() => _database = await FreshDatabase.CreateAsync(_server, "cli_keys_");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task RotateKeyWithReprotect_OnTheDatabase_KeepsEveryVersion()
    {
        await Cli.SucceedAsync(["env", "create", "prod", .. Store]);
        await Cli.SucceedWithInputAsync(Canary, ["registry", "add", "prod", "--address", "v.example.com", "--email", "v@example.com", "--username", "uv", "--password-stdin", .. Store]);
        var before = await VersionsAsync();

        await Cli.SucceedAsync(["store", "rotate-key", "--reprotect", .. Store]);

        Assert.Equal(before, await VersionsAsync());
    }

    protected override async Task<string> StoredTextAsync()
    {
        var settings = new NpgsqlConnectionStringBuilder(_database!.ConnectionString);
        var result = await Processes.RunAsync(
            _server.Program("pg_dump"),
            ["--host", settings.Host!, "--port", settings.Port.ToString(CultureInfo.InvariantCulture), "--username", settings.Username!, "--dbname", settings.Database!, "--no-password", "--data-only"],
            new Dictionary<string, string?> { ["PGPASSWORD"] = settings.Password },
            timeout: TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, "pg_dump failed: " + result.Error);

        // pg_dump brackets its output with a random token (\restrict KEY ... \unrestrict KEY): not the store's content.
        return string.Join('\n', result.Output.Split('\n').Where(l => !l.StartsWith("\\restrict ", StringComparison.Ordinal) && !l.StartsWith("\\unrestrict ", StringComparison.Ordinal)));
    }

    private async Task<string> VersionsAsync()
    {
        await using var source = NpgsqlDataSource.Create(_database!.ConnectionString);
        await using var command = source.CreateCommand("SELECT string_agg(id || ':' || version, ',' ORDER BY sequence) FROM registries.registries");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
