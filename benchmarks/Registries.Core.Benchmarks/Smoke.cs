using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Registries.Core.Benchmarks;

/// <summary>The CI smoke run (<c>-- smoke</c>): every benchmark except the pull once, in process, with small stores.</summary>
/// <remarks>
/// It proves that the benchmarks build, set up and run, that the resolution benchmarks resolve what they claim to,
/// that an invalid reference allocates nothing, that the parser still answers the mixed workload as recorded and that a stored entry stays under 1 KiB; the PostgreSQL resolution benchmarks resolve what they claim (10 and 1,000 entries) and the add benchmarks add what they claim. Its timings mean
/// nothing. It needs no Docker Engine (the pull benchmark is covered by the integration tests), but it needs the test PostgreSQL
/// (<c>REGISTRIES_TEST_POSTGRES</c>): in CI (<c>CI=true</c>) a missing one fails the run.
/// </remarks>
internal static class Smoke
{
    public static bool IsRunning { get; private set; }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static async Task<int> RunAsync(TextWriter output)
    {
        IsRunning = true;
        var failures = new List<string>();

        var findings = ParseAgreement.Report(output);
        if (findings.Invalid.Allocating.Count > 0)
        {
            failures.Add($"TryParse allocated for {findings.Invalid.Allocating.Count} invalid references: {string.Join(", ", findings.Invalid.Allocating)}.");
        }

        failures.AddRange(MixedWorkloadCheck.Report(output));

        var job = Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("smoke");
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "registries-benchmarks-smoke"));
        // The PostgreSQL benchmarks need the test server. CI starts it before this run, so there a missing server is
        // a failure, never a skip; on a workstation without it they are skipped and the run says so.
        var types = new List<Type> { typeof(ParseBenchmarks), typeof(ParseAllocationBenchmarks), typeof(MixedWorkloadBenchmarks), typeof(ResolutionBenchmarks), typeof(PostgreSqlResolutionBenchmarks), typeof(StoreAddBenchmarks) };
        if (BenchmarkPostgreSql.ConfiguredConnectionString is null)
        {
            if (IsCi)
            {
                failures.Add($"{BenchmarkPostgreSql.Variable} is not set: in CI the PostgreSQL benchmarks must run (eng/services.sh starts the server; source its env.sh).");
            }
            else
            {
                output.WriteLine($"SMOKE SKIPPED: the PostgreSQL benchmarks ({BenchmarkPostgreSql.Variable} is not set; source /tmp/svc/env.sh after eng/services.sh). The file store's adds still run.");
            }

            types.Remove(typeof(PostgreSqlResolutionBenchmarks));
            config = config.AddFilter(new SimpleFilter(c => c.Descriptor.WorkloadMethod.Name != nameof(StoreAddBenchmarks.PostgreSql)));
        }

        var summaries = BenchmarkRunner.Run([.. types], config);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors)
            {
                failures.Add($"{summary.Title}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
            }

            failures.AddRange(summary.Reports.Where(r => !r.Success).Select(r => $"{r.BenchmarkCase.DisplayInfo} failed."));
            if (summary.Reports.Length == 0)
            {
                failures.Add($"{summary.Title}: no benchmark ran.");
            }
        }

        // Every add case (1 and 8 instances, PostgreSQL and the file store) must have counted its adds afterwards.
        var expectedCases = BenchmarkPostgreSql.ConfiguredConnectionString is null ? 2 : 4;
        if (StoreAddBenchmarks.CheckedCases.Count != expectedCases)
        {
            failures.Add($"The add benchmarks checked {StoreAddBenchmarks.CheckedCases.Count} cases ({string.Join(", ", StoreAddBenchmarks.CheckedCases)}), expected {expectedCases}.");
        }

        if (await MemoryMeasurement.RunAsync(10_000, output) != 0)
        {
            failures.Add("A stored registry entry takes more than 1 KiB.");
        }

        foreach (var failure in failures)
        {
            output.WriteLine("SMOKE FAILURE: " + failure);
        }

        output.WriteLine(failures.Count == 0 ? "Smoke run passed." : $"Smoke run failed ({failures.Count}).");
        return failures.Count == 0 ? 0 : 1;
    }
}
