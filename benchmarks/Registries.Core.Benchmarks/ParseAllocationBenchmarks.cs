using BenchmarkDotNet.Attributes;

namespace Registries.Core.Benchmarks;

/// <summary>What one TryParse costs and allocates, case by case.</summary>
/// <remarks>A valid reference may allocate the result and its strings; an invalid one must allocate nothing.</remarks>
[MemoryDiagnoser]
public class ParseAllocationBenchmarks
{
    private const string DigestHex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Benchmark]
    public ImageReference? DockerHubShortName() => Parse("ubuntu");

    [Benchmark]
    public ImageReference? DockerHubWithTag() => Parse("bitnami/postgresql:16.1.0");

    [Benchmark]
    public ImageReference? CustomRegistryWithDigest() => Parse("registry.example.com:5000/team/app@sha256:" + DigestHex);

    [Benchmark]
    public ImageReference? InvalidUppercase() => Parse("registry.example.com/Team/App:1");

    [Benchmark]
    public ImageReference? InvalidTag() => Parse("registry.example.com/team/app:bad!tag");

    [Benchmark]
    public ImageReference? InvalidDigest() => Parse("registry.example.com/team/app@sha256:xyz");

    private static ImageReference? Parse(string text) => ImageReference.TryParse(text, out var result) ? result : null;
}
