using BenchmarkDotNet.Attributes;
using DotNet.Testcontainers.Images;

namespace Registries.Core.Benchmarks;

/// <summary>Parses the <see cref="MixedWorkload"/> (table references and seeded mutations, most invalid) with both parsers.</summary>
/// <remarks>
/// Times and allocations are per reference (OperationsPerInvoke is the size of the workload). Registries.Core's side
/// is <c>TryParse</c> and, for an accepted reference, <c>ToString</c>: what a caller that logs or stores the
/// normalized name pays. Testcontainers' side is its constructor, which normalizes as it parses.
/// </remarks>
[MemoryDiagnoser]
public class MixedWorkloadBenchmarks
{
    private string[] _texts = [];

    /// <summary>Gets or sets which references run: the whole workload, or only its valid or invalid ones.</summary>
    [Params(WorkloadPart.All, WorkloadPart.Accepted, WorkloadPart.Refused)]
    public WorkloadPart Part { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _texts = MixedWorkload.Select(Part);
        MixedWorkloadCheck.Report(Console.Out);
    }

    /// <summary>Testcontainers 4.16: the constructor parses and throws ArgumentException for invalid input.</summary>
    /// <returns>The total length of the accepted references' full names.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = MixedWorkload.Count)]
    public int TestcontainersDockerImage()
    {
        var length = 0;
        foreach (var text in _texts)
        {
            try
            {
                length += new DockerImage(text).FullName.Length;
            }
            catch (ArgumentException)
            {
                // Its only answer for an invalid reference; the cost of the throw is part of its cost.
            }
        }

        return length;
    }

    /// <summary>Registries.Core: TryParse, then ToString for what it accepted.</summary>
    /// <returns>The total length of the accepted references' normalized forms.</returns>
    [Benchmark(OperationsPerInvoke = MixedWorkload.Count)]
    public int ImageReferenceTryParseToString()
    {
        var length = 0;
        foreach (var text in _texts)
        {
            if (ImageReference.TryParse(text, out var reference))
            {
                length += reference.ToString().Length;
            }
        }

        return length;
    }
}
