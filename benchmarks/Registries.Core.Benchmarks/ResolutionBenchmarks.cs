using BenchmarkDotNet.Attributes;

namespace Registries.Core.Benchmarks;

/// <summary>Resolves one image in one environment of a small store and of a store with a million entries.</summary>
/// <remarks>
/// Ten registries in one environment against 1,000,000 registries spread over 10,000 environments (100 each): the
/// resolution must cost the same (within a factor of 2) and allocate only its result on the authenticated path.
/// </remarks>
[MemoryDiagnoser]
public class ResolutionBenchmarks
{
    private const string Image = StoreFiller.TargetHost + "/team/app:1.0";
    private const string AnonymousImage = "unknown.example.com/team/app:1.0";

    private LaunchResolver _resolver = null!;
    private string _environmentId = string.Empty;
    private ImageReference _image = null!;

    /// <summary>Gets the store sizes to compare; the smoke run replaces the million with a thousand.</summary>
    public static IEnumerable<int> RegistryCounts => Smoke.IsRunning ? [10, 1_000] : [10, 1_000_000];

    [ParamsSource(nameof(RegistryCounts))]
    public int Registries { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var filled = await StoreFiller.FillAsync(Registries);
        _resolver = new LaunchResolver(filled.Store);
        _environmentId = filled.TargetEnvironmentId;
        _image = ImageReference.Parse(Image);
        Console.WriteLine($"// Setup: {Registries:N0} registries in {filled.Environments:N0} environments stored in {filled.Elapsed.TotalSeconds:F2} s.");

        // A benchmark of the wrong path would prove nothing: check the outcome once.
        var resolution = await _resolver.ResolveAsync(_environmentId, _image);
        if (resolution.Outcome != ResolutionOutcome.Authenticated || resolution.MatchedRegistry?.Address.Host != StoreFiller.TargetHost)
        {
            throw new InvalidOperationException($"Expected an authenticated resolution for {Image}, got {resolution}.");
        }
    }

    /// <summary>The launch path: parse the image text, then resolve.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark]
    public ValueTask<CredentialResolution> ResolveString() => _resolver.ResolveAsync(_environmentId, Image);

    /// <summary>Resolution alone, for an already parsed reference: allocates only the result.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark]
    public ValueTask<CredentialResolution> ResolveImageReference() => _resolver.ResolveAsync(_environmentId, _image);

    /// <summary>An address with no registry configured: the Anonymous answer.</summary>
    /// <returns>The resolution.</returns>
    [Benchmark]
    public ValueTask<CredentialResolution> ResolveAnonymous() => _resolver.ResolveAsync(_environmentId, AnonymousImage);
}
