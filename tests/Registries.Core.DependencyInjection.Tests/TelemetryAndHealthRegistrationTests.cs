using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Registries.Core.Diagnostics;
using Registries.Testing;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>AddRegistries creates the meter through the application's IMeterFactory and gives one telemetry to both
/// resolution paths; the health-check methods check their arguments, register each check once, and the file store's
/// check answers what it finds.</summary>
public sealed class TelemetryAndHealthRegistrationTests
{
    [Fact]
    public async Task AddRegistries_ApplicationMeterFactory_BothResolutionPathsMeasureOnItsMeter()
    {
        using var factory = new ScopedMeterFactory();
        var services = new ServiceCollection();
        services.AddSingleton<IMeterFactory>(factory);
        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();
        using var resolutions = new MetricCollector<long>(factory, RegistriesTelemetry.Name, "registries.resolutions");
        var environment = await provider.GetRequiredService<RegistryService>().As("olivia").CreateEnvironmentAsync("prod");

        await provider.GetRequiredService<LaunchResolver>().ResolveAsync(environment.Id, "registry.example.com/app:1");
        await provider.GetRequiredService<RegistryService>().As("olivia").ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com/app:1"));

        Assert.Same(provider.GetRequiredService<RegistriesTelemetry>(), provider.GetRequiredService<RegistriesTelemetry>());
        Assert.Equal(["launch", "caller"], resolutions.GetMeasurementSnapshot().Select(m => m.Tags["registries.resolution.path"]).ToArray());
        Assert.All(factory.Created, m => Assert.Equal(RegistriesTelemetry.Name, m.Name));
    }

    [Fact]
    public void HealthChecks_NullBuilderOrNonPositiveTimeout_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>(() => RegistriesBuilderHealth.Docker(null!));
        Assert.Throws<ArgumentNullException>(() => RegistriesBuilderHealth.FileStore(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddDockerHealthCheck(timeout: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddFileStoreHealthCheck(timeout: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void HealthChecks_CalledTwice_RegisterEachCheckOnce_TaggedReadyUnlessTold()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseDocker().AddDockerHealthCheck().AddDockerHealthCheck(tags: ["other"])
            .UseFileStore("/tmp/unused.json").AddFileStoreHealthCheck(tags: ["ready", "store"], timeout: TimeSpan.FromSeconds(2));
        using var provider = services.BuildServiceProvider();

        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var docker = Assert.Single(registrations, r => r.Name == "registries-docker");
        Assert.Equal(["ready"], docker.Tags);
        Assert.Equal(TimeSpan.FromSeconds(5), docker.Timeout);
        var store = Assert.Single(registrations, r => r.Name == "registries-store");
        Assert.Equal(["ready", "store"], store.Tags.Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(2), store.Timeout);
    }

    [Fact]
    public async Task FileStoreHealthCheck_ReadableStoreAndPrivateKey_Healthy_DamagedFile_UnhealthyNamingTheFile()
    {
        using var folder = new TestDirectory("registries-health-");
        var path = folder.Combine("registries.json");
        var services = new ServiceCollection().AddLogging();
        services.AddRegistries().UseFileStore(path).AddFileStoreHealthCheck();
        await using var provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        await provider.GetRequiredService<RegistryService>().As("olivia").CreateEnvironmentAsync("prod");

        var healthy = await health.CheckHealthAsync();
        await File.WriteAllTextAsync(path, "{ not json");
        var damaged = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, damaged.Status);
        Assert.Contains(path, damaged.Entries["registries-store"].Description, StringComparison.Ordinal);
    }

    private static class RegistriesBuilderHealth
    {
        public static IRegistriesBuilder Docker(IRegistriesBuilder builder) => builder.AddDockerHealthCheck();

        public static IRegistriesBuilder FileStore(IRegistriesBuilder builder) => builder.AddFileStoreHealthCheck();
    }

    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public IReadOnlyList<Meter> Created => _created;

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(m => m.Dispose());
    }
}
