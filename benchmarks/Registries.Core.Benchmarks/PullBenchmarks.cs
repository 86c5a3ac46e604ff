using System.Formats.Tar;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.Storage;

namespace Registries.Core.Benchmarks;

/// <summary>A pull through ImagePullService and DockerImageEngine against the same pull made with Docker.DotNet alone.</summary>
/// <remarks>
/// <para>Needs the test services (<c>source /tmp/registries-services/env.sh</c>): the private dockerd and the
/// loopback registry with basic auth. The setup imports an image of its own (one 1 MiB layer of seeded random bytes,
/// so both benchmarks pull the same layer, and no other image shares it), pushes it to the registry with the test
/// credentials and removes it from the engine, so
/// that the other test projects on the same dockerd never fight over it; every iteration removes it again, so every
/// iteration really downloads and extracts it. The goal: the pull service costs no measurable time, so the ratio
/// of the medians stays within 1.05.</para>
/// <para>It runs in process: a project that BenchmarkDotNet generates would take Testcontainers' Docker.DotNet fork
/// (also an assembly named Docker.DotNet) instead of the Docker.DotNet the adapter is built against. A pull takes
/// milliseconds, so the in-process harness costs nothing measurable.</para>
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(InProcessPullConfig))]
public class PullBenchmarks
{
    private const string Repository = "registries-core-benchmarks/pull";
    private const int LayerBytes = 1 << 20;

    private readonly PullStatus _status = new();
    private DockerClientConfiguration _configuration = null!;
    private DockerClient _client = null!;
    private DockerImageEngine _engine = null!;
    private ImagePullService _service = null!;
    private AuthConfig _auth = null!;
    private ImageReference _image = null!;
    private string _environmentId = string.Empty;
    private int _pulls;
    private int _freshPulls;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var dockerHost = Required("REGISTRIES_TEST_DOCKER_HOST");
        var registry = Required("REGISTRIES_TEST_REGISTRY");
        var user = Required("REGISTRIES_TEST_USER");
        var password = Required("REGISTRIES_TEST_PASSWORD");

        _configuration = new DockerClientConfiguration(new Uri(dockerHost));
        _client = _configuration.CreateClient();
        _auth = new AuthConfig { Username = user, Password = password, ServerAddress = registry };
        _image = await PushOwnImageAsync($"{registry}/{Repository}", "1");

        var store = new InMemoryRegistryStore();
        var environment = await store.CreateEnvironmentAsync("bench", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["owner"] = EnvironmentRole.Owner });
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse(registry)), new RegistryCredential("bench@example.com", user, password));
        _environmentId = environment.Id;
        _engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri(dockerHost) }));
        _service = new ImagePullService(new LaunchResolver(store), _engine);
    }

    [IterationSetup]
    public void RemoveImage()
    {
        RemoveImageAsync().GetAwaiter().GetResult();
        _status.Clear();
    }

    [IterationCleanup]
    public void CheckPulled()
    {
        _pulls++;
        if (_status.Fresh)
        {
            _freshPulls++;
        }
    }

    /// <summary>Docker.DotNet alone: POST /images/create with the credential in X-Registry-Auth.</summary>
    /// <returns>A task.</returns>
    [Benchmark(Baseline = true)]
    public async Task RawDockerDotNet()
    {
        await _client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = _image.Name, Tag = _image.Tag },
            _auth,
            _status);
        _status.ThrowIfFailed();
    }

    /// <summary>The raw pull followed by one image inspect, which is what DockerImageEngine adds to confirm the image arrived.</summary>
    /// <returns>A task.</returns>
    [Benchmark]
    public async Task RawDockerDotNetWithInspect()
    {
        await RawDockerDotNet();
        await _client.Images.InspectImageAsync(_image.ToString());
    }

    /// <summary>The library: resolve the credential in the environment, then pull through DockerImageEngine.</summary>
    /// <returns>The result.</returns>
    [Benchmark]
    public async Task<ImagePullResult> PullService()
    {
        var result = await _service.EnsureImageAsync(_environmentId, _image, alwaysPull: true, _status);
        return result.Resolution?.Outcome == ResolutionOutcome.Authenticated
            ? result
            : throw new InvalidOperationException($"Expected an authenticated pull, got {result}.");
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        // Every measured pull must have downloaded the image; a pull that found it present measured nothing.
        Console.WriteLine($"// {_freshPulls} of {_pulls} pulls downloaded {_image} afresh.");
        await RemoveImageAsync();
        _engine.Dispose();
        _client.Dispose();
        _configuration.Dispose();
    }

    private static string Required(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: the pull benchmark needs the test services; run 'source /tmp/registries-services/env.sh' first.");

    private async Task<ImageReference> PushOwnImageAsync(string name, string tag)
    {
        using var tarball = new MemoryStream();
        using (var writer = new TarWriter(tarball, TarEntryFormat.Pax, leaveOpen: true))
        {
            // Seeded bytes and a fixed time: the same layer (same digest) every run, for both benchmarks.
            var payload = new byte[LayerBytes];
            new Random(20261127).NextBytes(payload);
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "payload.bin")
            {
                DataStream = new MemoryStream(payload),
                ModificationTime = DateTimeOffset.UnixEpoch,
            });
        }

        tarball.Position = 0;
        var status = new PullStatus();
        await _client.Images.CreateImageAsync(new ImagesCreateParameters { FromSrc = "-", Repo = name, Tag = tag }, tarball, null, status);
        status.ThrowIfFailed();
        await _client.Images.PushImageAsync(name + ":" + tag, new ImagePushParameters { Tag = tag }, _auth, status);
        status.ThrowIfFailed();
        var image = ImageReference.Parse(name + ":" + tag);
        await _client.Images.DeleteImageAsync(image.ToString(), new ImageDeleteParameters { Force = true });
        return image;
    }

    private async Task RemoveImageAsync()
    {
        try
        {
            await _client.Images.DeleteImageAsync(_image.ToString(), new ImageDeleteParameters { Force = true });
        }
        catch (DockerImageNotFoundException)
        {
            // Not there: nothing to remove.
        }
    }

    /// <summary>Collects the engine's status lines, synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class PullStatus : IProgress<JSONMessage>, IProgress<ImagePullProgress>
    {
        private readonly Lock _lock = new();
        private string? _error;

        public bool Fresh { get; private set; }

        public void Clear()
        {
            lock (_lock)
            {
                _error = null;
                Fresh = false;
            }
        }

        public void Report(JSONMessage value)
        {
            lock (_lock)
            {
                _error ??= value.Error?.Message ?? (string.IsNullOrEmpty(value.ErrorMessage) ? null : value.ErrorMessage);
                Fresh |= IsDownload(value.Status);
            }
        }

        public void Report(ImagePullProgress value)
        {
            lock (_lock)
            {
                Fresh |= IsDownload(value.Status);
            }
        }

        public void ThrowIfFailed()
        {
            lock (_lock)
            {
                if (_error is not null)
                {
                    throw new InvalidOperationException("The Docker Engine reported: " + _error);
                }
            }
        }

        private static bool IsDownload(string? status)
            => status is not null && (status.Contains("Downloaded newer image", StringComparison.Ordinal) || status.Contains("Pull complete", StringComparison.Ordinal));
    }

    /// <summary>Fifteen measured pulls after two warm-up pulls, one pull per iteration, in this process.</summary>
    private sealed class InProcessPullConfig : ManualConfig
    {
        public InProcessPullConfig()
            => AddJob(Job.Default
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(15)
                .WithInvocationCount(1)
                .WithUnrollFactor(1)
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithId("PullInProcess"));
    }
}
