using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Registries.Core.FileStore;
using Registries.Core.PostgreSql;

namespace Registries.Core.Benchmarks;

/// <summary>The PostgreSQL server the PostgreSQL benchmarks run against, and a fresh schema per run.</summary>
/// <remarks>
/// The server is the one <c>eng/services.sh</c> starts: <c>REGISTRIES_TEST_POSTGRES</c> holds a key=value Npgsql
/// connection string of a role that may create schemas (<c>source /tmp/svc/env.sh</c> sets it). Each benchmark
/// setup creates its own schema, <c>bench_GUID</c>, and drops it in its cleanup, so runs never see each other's rows.
/// </remarks>
internal sealed class BenchmarkPostgreSql : IAsyncDisposable
{
    public const string Variable = "REGISTRIES_TEST_POSTGRES";

    private readonly string _keyDirectory;

    private BenchmarkPostgreSql(string connectionString, string schema)
    {
        ConnectionString = connectionString;
        Schema = schema;
        _keyDirectory = Path.Combine(Path.GetTempPath(), "registries-benchmarks-" + schema);
        Directory.CreateDirectory(_keyDirectory);

        // The protector a deployment of the PostgreSQL store would use without Data Protection: AES-GCM with a key file.
        Protector = new KeyFileSecretProtector(Path.Combine(_keyDirectory, "store.key"));
    }

    public string ConnectionString { get; }

    public string Schema { get; }

    public KeyFileSecretProtector Protector { get; }

    /// <summary>Gets the connection string of the benchmarks' server, or null when it is not set.</summary>
    public static string? ConfiguredConnectionString
        => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    /// <summary>Creates a fresh schema (migrated through the store) on the configured server.</summary>
    /// <returns>The schema's owner.</returns>
    /// <exception cref="InvalidOperationException">The variable is not set.</exception>
    public static async Task<BenchmarkPostgreSql> CreateAsync()
    {
        var connectionString = ConfiguredConnectionString
            ?? throw new InvalidOperationException($"The PostgreSQL benchmarks need a server: set {Variable} to an Npgsql connection string (after eng/services.sh: source /tmp/svc/env.sh).");
        var database = new BenchmarkPostgreSql(connectionString, "bench_" + Guid.NewGuid().ToString("N"));
        await using var store = database.CreateStore(cache: false);
        await store.MigrateAsync();
        return database;
    }

    /// <summary>Creates a store over the schema with its own data source (its own connection pool).</summary>
    /// <param name="cache">Whether the resolution cache is on.</param>
    /// <returns>The store; the caller disposes it.</returns>
    public PostgreSqlRegistryStore CreateStore(bool cache) => new(
        Options.Create(new PostgreSqlStoreOptions { ConnectionString = ConnectionString, Schema = Schema, ResolutionCache = cache }),
        Protector);

    /// <summary>Bulk-inserts filler environments and entries with SQL, then analyzes the tables.</summary>
    /// <remarks>
    /// <para>The layout, like <see cref="StoreFiller"/>'s for the in-memory store: <paramref name="environments"/>
    /// environments (<c>filler-E</c>, owner <c>owner</c>), each with <paramref name="perEnvironment"/> Active entries
    /// at distinct addresses <c>registry-{first}.example.com</c> to <c>registry-{first + perEnvironment - 1}.example.com</c>,
    /// so every environment has an entry at the address the benchmarks resolve, and the index holds as many rows for
    /// that address as there are environments. Each entry has its own e-mail and username. Ids and order come from the
    /// schema's one sequence, as the store's own writes take them (<c>1aN</c>, <c>1rN</c>, sequence N).</para>
    /// <para>The filler's password column holds a dummy value, not a ciphertext: the protector binds a ciphertext to
    /// its entry's id, so real ones would have to be made one by one. No benchmark reads a filler entry: they resolve
    /// only in environments whose entries were added through the store.</para>
    /// <para>The change triggers are disabled for the fill (no store listens yet, and a million notifications in one
    /// transaction would only slow it), then enabled again.</para>
    /// </remarks>
    /// <param name="environments">How many filler environments.</param>
    /// <param name="perEnvironment">Entries per environment.</param>
    /// <param name="first">The index of the first address.</param>
    /// <returns>How long the fill and ANALYZE took.</returns>
    public async Task<TimeSpan> FillAsync(int environments, int perEnvironment, int first)
    {
        var stopwatch = Stopwatch.StartNew();
        var s = "\"" + Schema + "\"";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        if (environments > 0)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            // The store's row triggers (notify, and the change counter's deferred ones) are off for the bulk insert: a
            // trigger event per row would be slow, and a pending deferred event forbids the ALTER TABLE that turns
            // them back on. They come back as the store sets them (in every replication role), and one announcement
            // tells any cache that everything may have changed.
            await ExecuteAsync(connection, $"ALTER TABLE {s}.registries DISABLE TRIGGER registries_notify; ALTER TABLE {s}.registries DISABLE TRIGGER registries_count; ALTER TABLE {s}.environments DISABLE TRIGGER environments_notify; ALTER TABLE {s}.environments DISABLE TRIGGER environments_count");
            await ExecuteAsync(connection, $"""
                CREATE TEMP TABLE filler_environments ON COMMIT DROP AS
                    SELECT e, nextval('{s}.ids') AS n FROM generate_series(1, {environments.ToString(CultureInfo.InvariantCulture)}) AS e;
                INSERT INTO {s}.environments (id, position, name, orchestration, members, version)
                    SELECT '1a' || n, n, 'filler-' || e, 'Cattle', '[["owner","Owner"]]'::jsonb, 1 FROM filler_environments;
                INSERT INTO {s}.registries (id, environment_id, address, address_key, state, email, username, sequence, version, protected_password, path)
                    SELECT '1r' || r.n, '1a' || f.n, r.address, r.address, 'Active', 'user' || r.n || '@example.com', 'user' || r.n, r.n, 1, 'filler-no-ciphertext', ''
                    FROM filler_environments f
                    CROSS JOIN LATERAL (
                        SELECT nextval('{s}.ids') AS n, 'registry-' || i || '.example.com' AS address
                        FROM generate_series({first.ToString(CultureInfo.InvariantCulture)}, {(first + perEnvironment - 1).ToString(CultureInfo.InvariantCulture)}) AS i
                        WHERE f.e IS NOT NULL) r;
                """);
            await ExecuteAsync(connection, $"ALTER TABLE {s}.registries ENABLE ALWAYS TRIGGER registries_notify; ALTER TABLE {s}.registries ENABLE ALWAYS TRIGGER registries_count; ALTER TABLE {s}.environments ENABLE ALWAYS TRIGGER environments_notify; ALTER TABLE {s}.environments ENABLE ALWAYS TRIGGER environments_count");
            await ExecuteAsync(connection, $"SELECT {s}.announce_change()");
            await transaction.CommitAsync();
        }

        await ExecuteAsync(connection, $"ANALYZE {s}.environments; ANALYZE {s}.registries");
        return stopwatch.Elapsed;
    }

    /// <summary>Counts the rows of the registries table (all environments, all states).</summary>
    /// <returns>The count.</returns>
    public async Task<long> CountRegistriesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM \"{Schema}\".registries", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Drops the schema and the key file.</summary>
    /// <returns>A task that completes when both are gone.</returns>
    public async ValueTask DisposeAsync()
    {
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        }

        Directory.Delete(_keyDirectory, recursive: true);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        // The fill of a million rows takes longer than Npgsql's default 30 s on a loaded machine.
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
