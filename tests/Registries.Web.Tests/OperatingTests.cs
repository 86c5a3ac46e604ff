using System.Net;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>What the sample exposes to operate it, asked over HTTP as a scraper and an orchestrator do: Prometheus
/// metrics at /metrics after a few resolutions (never a password), /health/ready answering 200 and then 503 when the
/// store's key is unusable while /health/live stays 200, and 200 again once it is mended.</summary>
[Trait("Category", "Integration")]
public sealed class OperatingTests : IAsyncLifetime
{
    private const string Canary = "Canary-Operating-7e1f0b2c";
    private readonly WebSample _sample = new();

    public Task InitializeAsync() => _sample.InitializeAsync();

    public Task DisposeAsync() => _sample.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterResolutions_ShowTheResolutionsByOutcome_WithoutThePassword()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "metrics.registries.test:5000"), new("Email", "metrics@example.com"),
            new("Username", "metrics-user"), new("Password", Canary),
        ]);
        foreach (var image in new[] { "metrics.registries.test:5000/app:1", "metrics.registries.test:5000/app:2", "elsewhere.registries.test/app:1" })
        {
            using var resolved = await client.Http.GetAsync(_sample.Page($"/api/registries/environments/{environment}/resolve?image={Uri.EscapeDataString(image)}"));
            Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        }

        // A scraper has no cookie.
        using var scraper = new HttpClient();
        var metrics = await scraper.GetStringAsync(_sample.Page("/metrics"));

        Assert.Matches("registries_resolutions_total\\{[^}]*registries_resolution_outcome=\"authenticated\"[^}]*\\} 2", metrics);
        Assert.Matches("registries_resolutions_total\\{[^}]*registries_resolution_outcome=\"anonymous\"[^}]*\\} 1", metrics);
        Assert.Contains("registries_resolution_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        Assert.Contains("registries_store_operation_duration_seconds_count", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("metrics.registries.test", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(environment, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthReady_StoreKeyOpenToOthers_Answers503WhileLiveAnswers200_Then200OnceMended()
    {
        using var probe = new HttpClient();
        using (var ready = await probe.GetAsync(_sample.Page("/health/ready")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
        }

        // The first probe made the key (as the first password would): other users may now read it, which the store refuses.
        var key = Assert.Single(Directory.GetFiles(_sample.StoreDirectory, "*.key"));
        var mode = File.GetUnixFileMode(key);
        File.SetUnixFileMode(key, mode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using (var ready = await probe.GetAsync(_sample.Page("/health/ready")))
        using (var live = await probe.GetAsync(_sample.Page("/health/live")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        File.SetUnixFileMode(key, mode);
        using (var ready = await probe.GetAsync(_sample.Page("/health/ready")))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
    }
}
