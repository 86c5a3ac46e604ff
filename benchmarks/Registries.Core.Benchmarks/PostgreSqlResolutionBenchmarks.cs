using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Npgsql;
using Registries.Core.PostgreSql;

namespace Registries.Core.Benchmarks;

/// <summary>Resolves one image whose entry exists (Authenticated) against the in-memory store and PostgreSQL, without
/// and with the resolution cache, at 10 and 1,000,000 entries (issue 15).</summary>
/// <remarks>
/// <para>The goals: the cached path within 2x of the in-memory store; the uncached path one round trip (the
/// environment read and the covering lookup, <c>registry-42.example.com</c> having three labels, so the lookup also
/// asks for <c>*.example.com</c>, in the same query).</para>
/// <para>The in-memory store is filled by <see cref="StoreFiller"/>. The PostgreSQL schema is filled in the same layout:
/// every environment but the target one by SQL (<see cref="BenchmarkPostgreSql.FillAsync"/>), the target environment
/// (the last one) and its entries through the store, so that their ciphertexts are real.</para>
/// </remarks>
[MemoryDiagnoser]
public class PostgreSqlResolutionBenchmarks
{
    private const string Image = StoreFiller.TargetHost + "/team/app:1.0";

    private readonly ImageReference _image = ImageReference.Parse(Image);
    private BenchmarkPostgreSql? _database;
    private PostgreSqlRegistryStore? _store;
    private LaunchResolver _resolver = null!;
    private string _environmentId = string.Empty;
    private NpgsqlDataSource? _dataSource;

    /// <summary>Gets the store sizes to compare: 10, 100,000 and 1,000,000; the smoke run takes 10 and 1,000 (the
    /// smallest size with filler environments, so that the SQL fill runs too), and <c>REGISTRIES_BENCH_LARGE</c> (a
    /// multiple of 100) gives 10 and that size for a shorter run.</summary>
    public static IEnumerable<int> RegistryCounts => Smoke.IsRunning ? [10, 1_000] : LargeCount is { } large ? [10, large] : [10, 100_000, 1_000_000];

    private static int? LargeCount => int.TryParse(Environment.GetEnvironmentVariable("REGISTRIES_BENCH_LARGE"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 100 && n % StoreFiller.PerEnvironment == 0 ? n : null;

    // Resolutions measured on a PostgreSQL store, and its counters when they began: the cleanup reports how many read
    // the database (the store's internal counters, for the benchmarks and tests only).
    private long _resolutions;
    private long _databaseOperationsBefore;
    private long _untrustedBefore;
    private long _flushesBefore;

    /// <summary>Gets the database reads per resolution of the last PostgreSQL case run in this process (the smoke run
    /// and the probe read it), or null before any.</summary>
    internal static double? LastDatabaseReadsPerResolution { get; private set; }

    /// <summary>Gets the store of the PostgreSQL cases (null for the others), for the probe's counters.</summary>
    internal PostgreSqlRegistryStore? Store => _store;

    [ParamsSource(nameof(RegistryCounts))]
    public int Registries { get; set; }

    [GlobalSetup(Target = nameof(InMemory))]
    public async Task SetupInMemoryAsync()
    {
        var filled = await StoreFiller.FillAsync(Registries);
        _resolver = new LaunchResolver(filled.Store);
        _environmentId = filled.TargetEnvironmentId;
        Console.WriteLine($"// Setup: {Registries:N0} registries in {filled.Environments:N0} environments stored in memory in {filled.Elapsed.TotalSeconds:F2} s.");
        await CheckAsync();
    }

    [GlobalSetup(Target = nameof(PostgreSql))]
    public Task SetupPostgreSqlAsync() => SetupPostgreSqlAsync(cache: false);

    [GlobalSetup(Target = nameof(PostgreSqlCached))]
    public Task SetupPostgreSqlCachedAsync() => SetupPostgreSqlAsync(cache: true);

    [GlobalSetup(Target = nameof(RoundTrip))]
    public async Task SetupRoundTripAsync()
    {
        // The size does not matter to SELECT 1: the schema is only there for the cleanup to drop.
        _database = await BenchmarkPostgreSql.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        await RoundTrip();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_store is not null && _resolutions > 0)
        {
            var reads = _store.DatabaseOperations - _databaseOperationsBefore;
            LastDatabaseReadsPerResolution = (double)reads / _resolutions;
            var cache = _store.Cache;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// Database reads: {reads:N0} in {_resolutions:N0} resolutions ({LastDatabaseReadsPerResolution:F6} per resolution){(cache is null ? "" : $"; lookups while the cache was not trusted: {cache.UntrustedLookups - _untrustedBefore:N0}; times it forgot everything: {cache.Flushes - _flushesBefore:N0}")}."));
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>The in-memory store: the baseline.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark(Baseline = true)]
    public ValueTask<CredentialResolution> InMemory() => _resolver.ResolveAsync(_environmentId, _image);

    /// <summary>PostgreSQL without the cache: every resolution reads the database.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark]
    public ValueTask<CredentialResolution> PostgreSql()
    {
        _resolutions++;
        return _resolver.ResolveAsync(_environmentId, _image);
    }

    /// <summary>PostgreSQL with the resolution cache, warm and trusted: answered from memory.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark]
    public ValueTask<CredentialResolution> PostgreSqlCached()
    {
        _resolutions++;
        return _resolver.ResolveAsync(_environmentId, _image);
    }

    /// <summary>The floor of one round trip: <c>SELECT 1</c> on a pooled connection of a plain Npgsql data source.</summary>
    /// <returns>The answer.</returns>
    [Benchmark]
    public async Task<object?> RoundTrip()
    {
        await using var command = _dataSource!.CreateCommand("SELECT 1");
        return await command.ExecuteScalarAsync();
    }

    private async Task SetupPostgreSqlAsync(bool cache)
    {
        _database = await BenchmarkPostgreSql.CreateAsync();
        var environments = Math.Max(1, Registries / StoreFiller.PerEnvironment);
        var perEnvironment = Registries / environments;
        var first = Math.Max(0, 43 - perEnvironment);
        var fill = await _database.FillAsync(environments - 1, perEnvironment, first);

        // The target environment and its entries through the store: real ids, order and ciphertexts.
        var stopwatch = Stopwatch.StartNew();
        await using (var writer = _database.CreateStore(cache: false))
        {
            var environment = await writer.CreateEnvironmentAsync("target", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>(StringComparer.Ordinal) { ["owner"] = EnvironmentRole.Owner });
            _environmentId = environment.Id;
            for (var i = 0; i < perEnvironment; i++)
            {
                var n = (first + i).ToString(CultureInfo.InvariantCulture);
                await writer.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("registry-" + n + ".example.com")), new RegistryCredential("target" + n + "@example.com", "target" + n, "password-" + n));
            }
        }

        var rows = await _database.CountRegistriesAsync();
        if (rows != Registries)
        {
            throw new InvalidOperationException($"Expected {Registries} rows in the registries table, found {rows}.");
        }

        await _database.FillAsync(0, 0, 0); // ANALYZE again, with the target environment in.
        _store = _database.CreateStore(cache);
        _resolver = new LaunchResolver(_store);
        Console.WriteLine($"// Setup: {Registries:N0} registries in {environments:N0} environments in schema {_database.Schema}: SQL fill {fill.TotalSeconds:F2} s, {perEnvironment} through the store {stopwatch.Elapsed.TotalSeconds:F2} s.");
        await CheckAsync();
        if (cache)
        {
            await WarmAsync();
        }

        // Counted from here: what the measured resolutions read, not the setup's checks.
        _resolutions = 0;
        _databaseOperationsBefore = _store.DatabaseOperations;
        _untrustedBefore = _store.Cache?.UntrustedLookups ?? 0;
        _flushesBefore = _store.Cache?.Flushes ?? 0;
    }

    // A benchmark of the wrong path would prove nothing: check the outcome once.
    private async Task CheckAsync()
    {
        var resolution = await _resolver.ResolveAsync(_environmentId, _image);
        if (resolution.Outcome != ResolutionOutcome.Authenticated || resolution.MatchedRegistry?.Address.Host != StoreFiller.TargetHost)
        {
            throw new InvalidOperationException($"Expected an authenticated resolution for {Image}, got {resolution}.");
        }
    }

    // The cache is trusted once its listening connection has made a round trip; until then every lookup reads the
    // database. The store says nothing about it publicly, so this waits (at most 30 s) until resolutions take a
    // fraction of a round trip: the median of 21 resolutions below a third of the fastest of 21 database reads.
    private async Task WarmAsync()
    {
        await using var uncached = _database!.CreateStore(cache: false);
        var direct = new LaunchResolver(uncached);
        var roundTrip = (await TimeAsync(direct)).Min();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var times = await TimeAsync(_resolver);
            Array.Sort(times);
            var median = times[times.Length / 2];
            if (median < roundTrip / 3)
            {
                Console.WriteLine($"// Cache warm after {deadline.Elapsed.TotalMilliseconds:F0} ms: median {median.TotalMicroseconds:F1} us against a round trip of at least {roundTrip.TotalMicroseconds:F1} us.");
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"The resolution cache did not answer from memory within 30 s (median {median.TotalMicroseconds:F1} us, round trip {roundTrip.TotalMicroseconds:F1} us).");
            }

            await Task.Delay(50);
        }
    }

    private async Task<TimeSpan[]> TimeAsync(LaunchResolver resolver)
    {
        var times = new TimeSpan[21];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await resolver.ResolveAsync(_environmentId, _image);
            times[i] = Stopwatch.GetElapsedTime(started);
        }

        return times;
    }
}
