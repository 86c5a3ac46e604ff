using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Registries.Core.Diagnostics;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The library's telemetry as an application sees it through OpenTelemetry's SDK and its in-memory exporter,
/// on the real server: the cache's hits, misses and trust, a flush after another instance's write, a denied
/// resolution; only documented tags; the canary password nowhere.</summary>
/// <remarks>In a collection that runs alone: the SDK listens to every meter named Registries.Core in the process.</remarks>
[Trait("Category", "Integration")]
[Collection(nameof(OpenTelemetryCollection))]
public sealed class PostgreSqlTelemetryTests : IAsyncLifetime
{
    private const string Canary = "CANARY-pg-p4ss\"w0rd:\\+/=Ünïcødé";
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task CachedInstance_OtherInstanceDeactivates_FlushIsCountedAndTheDeniedResolutionIsCounted()
    {
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        using var meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(RegistriesTelemetry.Name).AddInMemoryExporter(metrics).Build();
        using var tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(RegistriesTelemetry.Name).AddInMemoryExporter(spans).Build();
        using var telemetryA = new RegistriesTelemetry();
        using var telemetryB = new RegistriesTelemetry();
        var schema = _database.NewSchema();
        var a = Open(schema, telemetryA);
        var b = Open(schema, telemetryB);
        var writer = new RegistryService(a, telemetry: telemetryA).As("alice");
        var environment = await writer.CreateEnvironmentAsync("prod");
        var added = await writer.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));
        var resolver = new LaunchResolver(b, telemetry: telemetryB);

        // B answers from memory once its listener has proved alive.
        b.Listener!.EnsureStarted();
        await Poll(() => b.Cache!.IsTrusted, "B's listener to prove alive");
        await resolver.ResolveAsync(environment.Id, Image);
        var before = b.DatabaseOperations;
        Assert.Equal(ResolutionOutcome.Authenticated, (await resolver.ResolveAsync(environment.Id, Image)).Outcome);
        Assert.Equal(before, b.DatabaseOperations);
        meterProvider.ForceFlush();
        var flushedBefore = Sum(metrics, "registries.cache.flushes", "registries.cache.flush.scope", "environment");
        Assert.True(Sum(metrics, "registries.cache.hits") >= 2, "hits");
        Assert.True(Sum(metrics, "registries.cache.misses") >= 1, "misses");
        Assert.Equal(1, Gauge(metrics, "registries.cache.trusted"));

        // Another instance's write reaches B as a notification: B forgets the environment, and the next answer is Denied.
        await writer.DeactivateRegistryAsync(environment.Id, added.Id);
        await Poll(async () => (await resolver.ResolveAsync(environment.Id, Image)).Outcome == ResolutionOutcome.Denied, "B to answer Denied");
        metrics.Clear();
        meterProvider.ForceFlush();
        tracerProvider.ForceFlush();

        Assert.True(Sum(metrics, "registries.cache.flushes", "registries.cache.flush.scope", "environment") > flushedBefore, "a flush of B's environment");
        Assert.True(Sum(metrics, "registries.resolutions", "registries.resolution.outcome", "denied") >= 1, "a denied resolution");
        var denied = Points(metrics, "registries.resolutions").First(p => Tags(p).Contains(new("registries.resolution.outcome", "denied")));
        Assert.Equal(
            [new("registries.denied.reason", "state"), new("registries.resolution.outcome", "denied"), new("registries.resolution.path", "launch"), new("registries.source.kind", "stored")],
            Tags(denied).OrderBy(t => t.Key, StringComparer.Ordinal).ToArray());
        Assert.Contains(spans, s => s.OperationName == "registries.resolve" && Equals(s.GetTagItem("registries.resolution.outcome"), "denied"));

        // Only documented tags, on every point and span; the canary nowhere.
        foreach (var metric in metrics)
        {
            var allowed = TelemetryCapture.DocumentedTags(metric.Name);
            foreach (var point in metric.MetricPoints)
            {
                Assert.All(Tags(point), t => Assert.Contains(t.Key, allowed));
                Assert.All(Tags(point), t => Assert.DoesNotContain(Canary, t.Value as string ?? string.Empty, StringComparison.Ordinal));
            }
        }

        foreach (var span in spans)
        {
            Assert.All(span.TagObjects, t => Assert.Contains(t.Key, TelemetryCapture.DocumentedTags(span.OperationName)));
            Assert.DoesNotContain(Canary, string.Join(' ', span.TagObjects.Select(t => t.Value)), StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, string.Join(' ', span.Events.SelectMany(e => e.Tags).Select(t => t.Value)), StringComparison.Ordinal);
        }
    }

    private PostgreSqlRegistryStore Open(string schema, RegistriesTelemetry telemetry)
    {
        var store = new PostgreSqlRegistryStore(
            Options.Create(new PostgreSqlStoreOptions { ConnectionString = _database.ConnectionString, Schema = schema, ResolutionCache = true, ResolutionCacheMaxStaleness = TimeSpan.FromSeconds(3) }),
            _database.Protector,
            telemetry: telemetry);
        _database.Own(store);
        return store;
    }

    private static IEnumerable<MetricPoint> Points(List<MetricSnapshot> metrics, string name)
        => metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints);

    private static List<KeyValuePair<string, object?>> Tags(MetricPoint point)
    {
        var tags = new List<KeyValuePair<string, object?>>();
        foreach (var tag in point.Tags)
        {
            tags.Add(tag);
        }

        return tags;
    }

    private static long Sum(List<MetricSnapshot> metrics, string name, string? tag = null, string? value = null)
        => Points(metrics, name).Where(p => tag is null || Tags(p).Contains(new(tag, value))).Sum(p => p.GetSumLong());

    private static long Gauge(List<MetricSnapshot> metrics, string name)
        => Points(metrics, name).Select(p => p.GetGaugeLastValueLong()).DefaultIfEmpty(-1).Last();

    private static Task Poll(Func<bool> condition, string what) => Poll(() => Task.FromResult(condition()), what);

    private static async Task Poll(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }
}

/// <summary>Tests that listen to every Registries.Core meter of the process run alone.</summary>
[CollectionDefinition(nameof(OpenTelemetryCollection), DisableParallelization = true)]
public sealed class OpenTelemetryCollection
{
}
