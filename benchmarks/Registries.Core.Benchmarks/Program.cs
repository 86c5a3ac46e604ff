using System.Globalization;
using BenchmarkDotNet.Running;
using Registries.Core.Benchmarks;

// dotnet run -c Release --project benchmarks/Registries.Core.Benchmarks -- --filter '*'   every benchmark (BenchmarkDotNet)
//                                                                       -- memory [N]     bytes per stored entry
//                                                                       -- cache-compare [ROUNDS]  cached PostgreSQL against in memory, alternating rounds
//                                                                       -- cache-probe N [SECONDS] the cache's counters over time
//                                                                       -- smoke          the CI smoke run
//                                                                       -- workload       the mixed workload's make-up and fingerprint
return args switch
{
    ["smoke"] => await Smoke.RunAsync(Console.Out),
    ["workload"] => MixedWorkloadCheck.Report(Console.Out).Count == 0 ? 0 : 1,
    ["cache-probe", var n] => await CacheProbe.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), 20, Console.Out),
    ["cache-probe", var n, var seconds] => await CacheProbe.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), int.Parse(seconds, CultureInfo.InvariantCulture), Console.Out),
    ["cache-compare"] => await CacheComparison.RunAsync(21, [10, 100_000, 1_000_000], Console.Out),
    ["cache-compare", var rounds] => await CacheComparison.RunAsync(int.Parse(rounds, CultureInfo.InvariantCulture), [10, 100_000, 1_000_000], Console.Out),
    ["memory"] => await MemoryMeasurement.RunAsync(MemoryMeasurement.DefaultEntries, Console.Out),
    ["memory", var n] => await MemoryMeasurement.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), Console.Out),
    _ => Run(args),
};

static int Run(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(ParseBenchmarks).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
