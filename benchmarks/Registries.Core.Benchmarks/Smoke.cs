using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Registries.Core.Benchmarks;

/// <summary>The CI smoke run (<c>-- smoke</c>): every benchmark except the pull once, in process, with small stores.</summary>
/// <remarks>
/// It proves that the benchmarks build, set up and run, that the resolution benchmarks resolve what they claim to,
/// that an invalid reference allocates nothing, that the parser still answers the mixed workload as recorded and that a stored entry stays under 1 KiB. Its timings mean
/// nothing. It needs no Docker Engine: the pull benchmark is covered by the integration tests.
/// </remarks>
internal static class Smoke
{
    public static bool IsRunning { get; private set; }

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
        var summaries = BenchmarkRunner.Run([typeof(ParseBenchmarks), typeof(ParseAllocationBenchmarks), typeof(MixedWorkloadBenchmarks), typeof(ResolutionBenchmarks)], config);
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
