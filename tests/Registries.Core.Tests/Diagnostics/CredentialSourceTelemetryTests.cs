using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Storage;
using Registries.Core.Testing;
using static Registries.Core.Diagnostics.TelemetryNames;

namespace Registries.Core.Tests.Diagnostics;

/// <summary>Fetches through <see cref="CredentialSources"/> move the source counters with the documented tags only,
/// trace a <c>registries.source.fetch</c> span under the resolution, and never carry the fetched secret.</summary>
public sealed class CredentialSourceTelemetryTests
{
    private const string Canary = "CANARY-s0urce\"t0ken:\\+/=Ünïcødé";
    private const string Image = "registry.example.com/team/app:1";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Fetch_Succeeds_CountsAFetchByKind_UnderTheResolveSpan()
    {
        using var capture = new TelemetryCapture();
        var (resolver, source, _, environmentId) = await ArrangeAsync(capture);
        source.Returns("AWS", Canary, TimeSpan.FromHours(1));

        var resolution = await resolver.ResolveAsync(environmentId, ImageReference.Parse(Image));

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        WaitForSpans(capture, SourceFetchSpan, 1);
        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "credential_helper" }, Assert.Single(capture.Of(SourceFetches)).Tags);
        Assert.Empty(capture.Of(SourceRenewals));
        Assert.Empty(capture.Of(SourceFailures));
        var resolve = Assert.Single(capture.Spans, s => s.OperationName == ResolveSpan);
        var fetch = Assert.Single(capture.Spans, s => s.OperationName == SourceFetchSpan);
        Assert.Equal(resolve.SpanId, fetch.ParentSpanId);
        Assert.Equal(resolve.TraceId, fetch.TraceId);
        Assert.Equal("credential_helper", fetch.GetTagItem(SourceKindTag));
        Assert.NotEqual(ActivityStatusCode.Error, fetch.Status);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_InTheRenewalWindow_CountsARenewal_NotASecondFetch()
    {
        using var capture = new TelemetryCapture();
        var (resolver, source, time, environmentId) = await ArrangeAsync(capture);
        source.Returns("AWS", Canary, TimeSpan.FromHours(1));
        await resolver.ResolveAsync(environmentId, ImageReference.Parse(Image));

        // One hour of life: renewed from minute 54 (10 % or 5 min ahead, whichever is longer).
        time.Advance(TimeSpan.FromMinutes(55));
        source.Returns("AWS", Canary + "-renewed", TimeSpan.FromHours(1));
        var renewed = await resolver.ResolveAsync(environmentId, ImageReference.Parse(Image));

        Assert.Equal(Canary + "-renewed", renewed.Password?.Reveal());
        WaitForSpans(capture, SourceFetchSpan, 2);
        Assert.Single(capture.Of(SourceFetches));
        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "credential_helper" }, Assert.Single(capture.Of(SourceRenewals)).Tags);
        Assert.Empty(capture.Of(SourceFailures));
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fetch_SourceFails_CountsAFailureWithKindAndErrorTypeOnly_AndMarksTheFetchSpan()
    {
        using var capture = new TelemetryCapture();
        var (resolver, source, _, environmentId) = await ArrangeAsync(capture);
        source.Fails("the helper exited with status 1: run it by hand to see why");

        var resolution = await resolver.ResolveAsync(environmentId, ImageReference.Parse(Image));

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        WaitForSpans(capture, SourceFetchSpan, 1);
        var failure = Assert.Single(capture.Of(SourceFailures));
        Assert.Equal(1, failure.Value);
        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "credential_helper", [ErrorTypeTag] = "source_failed" }, failure.Tags);
        Assert.Empty(capture.Of(SourceFetches));
        Assert.Empty(capture.Of(SourceRenewals));
        var resolve = Assert.Single(capture.Spans, s => s.OperationName == ResolveSpan);
        var fetch = Assert.Single(capture.Spans, s => s.OperationName == SourceFetchSpan);
        Assert.Equal(resolve.SpanId, fetch.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Error, fetch.Status);
        capture.AssertOnlyDocumentedTags();
    }

    [Theory]
    [InlineData(false, "no_credential")]
    [InlineData(true, "expired")]
    public async Task Fetch_NoCredentialOrAlreadyExpired_CountsAFailureWithThatErrorType(bool expired, string errorType)
    {
        using var capture = new TelemetryCapture();
        var (resolver, source, _, environmentId) = await ArrangeAsync(capture);
        source.AnswersWith((_, now) => expired
            ? new SourcedCredential("AWS", new RegistrySecret(Canary), CredentialSecretKind.Password, now.AddMinutes(-1))
            : null);

        var resolution = await resolver.ResolveAsync(environmentId, ImageReference.Parse(Image));

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        WaitForSpans(capture, SourceFetchSpan, 1);
        Assert.Equal(
            new Dictionary<string, object?> { [SourceKindTag] = "credential_helper", [ErrorTypeTag] = errorType },
            Assert.Single(capture.Of(SourceFailures)).Tags);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    private static async Task<(LaunchResolver Resolver, FakeCredentialSource Source, FakeTimeProvider Time, string EnvironmentId)> ArrangeAsync(TelemetryCapture capture)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var source = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, time);
        var sources = new CredentialSources([source], timeProvider: time, telemetry: capture.Telemetry);
        var store = new InMemoryRegistryStore();
        var service = new RegistryService(store, sources: sources).As("olivia");
        var environment = await service.CreateEnvironmentAsync("production", OrchestrationKind.Cattle);
        await service.AddRegistryAsync(environment.Id, RegistryScope.Parse("registry.example.com", null), RegistryCredential.FromCredentialHelper("ops@example.com", "pass"));
        return (new LaunchResolver(store, sources: sources, telemetry: capture.Telemetry), source, time, environment.Id);
    }

    // The fetch span ends after its waiters are released: wait (bounded) until the capture has seen it end.
    private static void WaitForSpans(TelemetryCapture capture, string name, int count)
        => Assert.True(
            SpinWait.SpinUntil(() => capture.Spans.Count(s => s.OperationName == name) >= count, Bound),
            $"{count} {name} span(s) did not end within {Bound.TotalSeconds} s.");
}
