using BenchmarkDotNet.Attributes;
using DotNet.Testcontainers.Images;

namespace Registries.Core.Benchmarks;

/// <summary>Parses the whole mixed <see cref="ReferenceSet"/> with Testcontainers' DockerImage and with ImageReference.TryParse.</summary>
/// <remarks>Times and allocations are per reference (OperationsPerInvoke is the size of the set).</remarks>
[MemoryDiagnoser]
public class ParseBenchmarks
{
    private string[] _texts = [];

    [GlobalSetup]
    public void Setup()
    {
        _texts = ReferenceSet.Texts;
        ParseAgreement.Report(Console.Out);
    }

    /// <summary>Testcontainers 4.16: the constructor parses with a regular expression and throws ArgumentException for invalid input.</summary>
    /// <returns>The number of valid references.</returns>
    [Benchmark(Baseline = true, OperationsPerInvoke = ReferenceSet.Count)]
    public int TestcontainersDockerImage()
    {
        var valid = 0;
        foreach (var text in _texts)
        {
            try
            {
                _ = new DockerImage(text);
                valid++;
            }
            catch (ArgumentException)
            {
                // Its only answer for an invalid reference; the cost of the throw is part of its cost.
            }
        }

        return valid;
    }

    /// <summary>Registries.Core: TryParse returns false for invalid input, never throws.</summary>
    /// <returns>The number of valid references.</returns>
    [Benchmark(OperationsPerInvoke = ReferenceSet.Count)]
    public int ImageReferenceTryParse()
    {
        var valid = 0;
        foreach (var text in _texts)
        {
            if (ImageReference.TryParse(text, out _))
            {
                valid++;
            }
        }

        return valid;
    }
}
