using System.Globalization;
using BenchmarkDotNet.Running;
using Registries.Core.Benchmarks;

// dotnet run -c Release --project benchmarks/Registries.Core.Benchmarks -- --filter '*'   every benchmark (BenchmarkDotNet)
//                                                                       -- memory [N]     bytes per stored entry
//                                                                       -- smoke          the CI smoke run
//                                                                       -- workload       the mixed workload's make-up and fingerprint
return args switch
{
    ["smoke"] => await Smoke.RunAsync(Console.Out),
    ["workload"] => MixedWorkloadCheck.Report(Console.Out).Count == 0 ? 0 : 1,
    ["cache-probe", var n] => await CacheProbe.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), 20, Console.Out),
    ["cache-probe", var n, var seconds] => await CacheProbe.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), int.Parse(seconds, CultureInfo.InvariantCulture), Console.Out),
    ["memory"] => await MemoryMeasurement.RunAsync(MemoryMeasurement.DefaultEntries, Console.Out),
    ["memory", var n] => await MemoryMeasurement.RunAsync(int.Parse(n, CultureInfo.InvariantCulture), Console.Out),
    _ => Run(args),
};

static int Run(string[] args)
{
    var summaries = BenchmarkSwitcher.FromAssembly(typeof(ParseBenchmarks).Assembly).Run(args);
    return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
}
