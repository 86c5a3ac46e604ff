using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Registries.Core.Benchmarks;

/// <summary>The resolution cache under a tight loop (<c>-- cache-probe N [SECONDS]</c>): the cached benchmark's setup
/// with N entries, then resolutions for a while, reporting every half second how many there were and how many read the
/// database (and why), from the store's internal counters.</summary>
internal static class CacheProbe
{
    public static async Task<int> RunAsync(int registries, int seconds, TextWriter output)
    {
        var benchmark = new PostgreSqlResolutionBenchmarks { Registries = registries };
        await benchmark.SetupPostgreSqlCachedAsync();
        try
        {
            var store = benchmark.Store!;
            var cache = store.Cache!;
            var listener = store.Listener!;
            var total = Stopwatch.StartNew();
            long ops = 0, lastOps = 0, lastDb = store.DatabaseOperations, lastUntrusted = cache.UntrustedLookups, lastFlushes = cache.Flushes, lastTrips = listener.RoundTrips;
            var firstDb = lastDb;
            await using var monitor = NpgsqlDataSource.Create(BenchmarkPostgreSql.ConfiguredConnectionString!);
            var lastBytes = GC.GetAllocatedBytesForCurrentThread();
            var lastCpu = Environment.CpuUsage.TotalTime;
            var slice = Stopwatch.StartNew();
            while (total.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await benchmark.PostgreSqlCached();
                ops++;
                if (slice.ElapsedMilliseconds >= 500)
                {
                    var db = store.DatabaseOperations;
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    var cpu = Environment.CpuUsage.TotalTime;
                    var wall = slice.Elapsed;
                    await using var command = monitor.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
                    var vacuums = (long)(await command.ExecuteScalarAsync())!;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"t={total.Elapsed.TotalSeconds,6:F1}s ops={ops - lastOps,9} db={db - lastDb,5} untrusted={cache.UntrustedLookups - lastUntrusted,5} flushes={cache.Flushes - lastFlushes,3} roundTrips={listener.RoundTrips - lastTrips,2} trusted={cache.IsTrusted} B/op={(double)(bytes - lastBytes) / (ops - lastOps),6:F1} cpu={(cpu - lastCpu) / wall,4:F2} autovacuum={vacuums}"));
                    (lastOps, lastDb, lastUntrusted, lastFlushes, lastTrips) = (ops, db, cache.UntrustedLookups, cache.Flushes, listener.RoundTrips);
                    (lastBytes, lastCpu) = (GC.GetAllocatedBytesForCurrentThread(), Environment.CpuUsage.TotalTime);
                    slice.Restart();
                }
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total: {ops} resolutions, {store.DatabaseOperations - firstDb} database reads ({(double)(store.DatabaseOperations - firstDb) / ops:F6} per resolution)"));
            return 0;
        }
        finally
        {
            await benchmark.CleanupAsync();
        }
    }
}
