using System.Diagnostics;
using System.Globalization;

namespace Registries.Core.Benchmarks;

/// <summary>The cached PostgreSQL resolution against the in-memory store in one process, in alternating rounds
/// (<c>-- cache-compare [ROUNDS]</c>), at 10, 100,000 and 1,000,000 entries.</summary>
/// <remarks>
/// On a shared machine BenchmarkDotNet's separate processes for the two cases run minutes apart, under different
/// loads: their ratio measures the load as much as the code. Here both stores are set up as the benchmark sets them up
/// (<see cref="PostgreSqlResolutionBenchmarks"/>), and each round times 100,000 resolutions of one, then of the other,
/// so a burst of load hits both alike. Reported per size: the median and the best round of each (ns per resolution),
/// their ratios, the bytes allocated per resolution (exact: <see cref="GC.GetAllocatedBytesForCurrentThread"/>, the
/// resolutions complete on this thread), and the database reads per resolution (the store's internal counter).
/// </remarks>
internal static class CacheComparison
{
    private const int PerRound = 100_000;

    public static async Task<int> RunAsync(int rounds, IReadOnlyList<int> sizes, TextWriter output)
    {
        output.WriteLine($"load average before: {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine("| Entries | In memory (median / best) | Cached (median / best) | Ratio (median / best) | Allocated (in memory / cached) | Database reads per resolution |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var inMemory = new PostgreSqlResolutionBenchmarks { Registries = size };
            var cached = new PostgreSqlResolutionBenchmarks { Registries = size };
            await inMemory.SetupInMemoryAsync();
            await cached.SetupPostgreSqlCachedAsync();
            try
            {
                var store = cached.Store!;
                var readsBefore = store.DatabaseOperations;
                var memoryTimes = new double[rounds];
                var cachedTimes = new double[rounds];
                double memoryBytes = 0, cachedBytes = 0;
                long cachedResolutions = 0;
                for (var round = 0; round < rounds; round++)
                {
                    (memoryTimes[round], var b1) = await TimeAsync(inMemory.InMemory);
                    (cachedTimes[round], var b2) = await TimeAsync(cached.PostgreSqlCached);
                    memoryBytes = b1;
                    cachedBytes = b2;
                    cachedResolutions += PerRound;
                }

                var reads = (double)(store.DatabaseOperations - readsBefore) / cachedResolutions;
                Array.Sort(memoryTimes);
                Array.Sort(cachedTimes);
                var (m, c) = (memoryTimes[rounds / 2], cachedTimes[rounds / 2]);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {size:N0} | {m:F0} / {memoryTimes[0]:F0} ns | {c:F0} / {cachedTimes[0]:F0} ns | {c / m:F2} / {cachedTimes[0] / memoryTimes[0]:F2} | {memoryBytes:F0} B / {cachedBytes:F0} B | {reads:F6} ({store.DatabaseOperations - readsBefore} in {cachedResolutions:N0}) |"));
            }
            finally
            {
                await inMemory.CleanupAsync();
                await cached.CleanupAsync();
            }
        }

        output.WriteLine($"load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
        return 0;
    }

    // One round: ns and bytes per resolution.
    private static async Task<(double Nanoseconds, double Bytes)> TimeAsync(Func<ValueTask<CredentialResolution>> resolve)
    {
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < PerRound; i++)
        {
            var resolution = await resolve();
            if (resolution.Outcome != ResolutionOutcome.Authenticated)
            {
                throw new InvalidOperationException($"Expected an authenticated resolution, got {resolution}.");
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return (elapsed.TotalNanoseconds / PerRound, (double)(GC.GetAllocatedBytesForCurrentThread() - bytes) / PerRound);
    }
}
