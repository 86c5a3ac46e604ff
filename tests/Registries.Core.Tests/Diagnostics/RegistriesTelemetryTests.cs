using System.Diagnostics;
using Registries.Core.Diagnostics;
using Registries.Core.Engine;
using Registries.Core.Storage;
using Registries.Core.Testing;
using Registries.Core.Tests.Domain;
using static Registries.Core.Diagnostics.TelemetryNames;

namespace Registries.Core.Tests.Diagnostics;

/// <summary>Each instrument moves when its event happens, with the documented tags and no others; the spans nest as
/// documented; a canary password appears nowhere.</summary>
public sealed class RegistriesTelemetryTests
{
    private const string Canary = DomainFixture.Canary;

    [Fact]
    public async Task LaunchResolve_DeniedByState_CountsDeniedWithReasonStateAndSourceStored()
    {
        using var capture = new TelemetryCapture();
        var (store, environmentId) = await SeedAsync();
        var service = new RegistryService(store).As("olivia");
        var registry = await service.AddRegistryAsync(environmentId, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("ops@example.com", "deploy", Canary));
        await service.DeactivateRegistryAsync(environmentId, registry.Id);
        var resolver = new LaunchResolver(store, telemetry: capture.Telemetry);

        var resolution = await resolver.ResolveAsync(environmentId, ImageReference.Parse("registry.example.com/app:1"));

        Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
        var counted = Assert.Single(capture.Of(Resolutions));
        Assert.Equal(1, counted.Value);
        Assert.Equal(
            new Dictionary<string, object?> { [OutcomeTag] = "denied", [PathTag] = "launch", [SourceKindTag] = "stored", [DeniedReasonTag] = "state" },
            counted.Tags);
        var duration = Assert.Single(capture.Of(ResolutionDuration));
        Assert.True(duration.Value >= 0);
        Assert.Equal(new Dictionary<string, object?> { [OutcomeTag] = "denied", [PathTag] = "launch" }, duration.Tags);
        Assert.Equal(new Dictionary<string, object?> { [StoreOperationTag] = ReadResolution }, Assert.Single(capture.Of(StoreOperationDuration)).Tags);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerResolve_AuthenticatedAndAnonymous_CountEachOutcomeOnTheCallerPath()
    {
        using var capture = new TelemetryCapture();
        var (store, environmentId) = await SeedAsync();
        var service = new RegistryService(store, telemetry: capture.Telemetry).As("olivia");
        await service.AddRegistryAsync(environmentId, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("ops@example.com", "deploy", Canary));

        await service.ResolveAsync(environmentId, ImageReference.Parse("registry.example.com/app:1"));
        await service.ResolveAsync(environmentId, ImageReference.Parse("other.example.com/app:1"));

        var counted = capture.Of(Resolutions);
        Assert.Equal(2, counted.Count);
        Assert.Equal(new Dictionary<string, object?> { [OutcomeTag] = "authenticated", [PathTag] = "caller", [SourceKindTag] = "stored" }, counted[0].Tags);
        Assert.Equal(new Dictionary<string, object?> { [OutcomeTag] = "anonymous", [PathTag] = "caller" }, counted[1].Tags);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_Spans_ResolveIsAChildOfTheCurrentActivityAndTheStoreReadItsChild()
    {
        using var capture = new TelemetryCapture();
        var (store, environmentId) = await SeedAsync();
        var resolver = new LaunchResolver(store, telemetry: capture.Telemetry);

        await resolver.ResolveAsync(environmentId, ImageReference.Parse("registry.example.com/app:1"));

        var resolve = Assert.Single(capture.Spans, s => s.OperationName == ResolveSpan);
        var read = Assert.Single(capture.Spans, s => s.OperationName == StoreReadSpan);
        Assert.Equal(capture.Root.SpanId, resolve.ParentSpanId);
        Assert.Equal(resolve.SpanId, read.ParentSpanId);
        Assert.Equal("anonymous", resolve.GetTagItem(OutcomeTag));
        Assert.Equal(ActivityStatusCode.Unset, resolve.Status);
        capture.AssertOnlyDocumentedTags();
    }

    [Fact]
    public async Task Resolve_UnknownEnvironment_RecordsTheErrorOnTheSpanAndTheDurationWithErrorType()
    {
        using var capture = new TelemetryCapture();
        var (store, _) = await SeedAsync();
        var resolver = new LaunchResolver(store, telemetry: capture.Telemetry);

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(async () => await resolver.ResolveAsync("no-such-environment", ImageReference.Parse("registry.example.com/app:1")));

        var resolve = Assert.Single(capture.Spans, s => s.OperationName == ResolveSpan);
        Assert.Equal(ActivityStatusCode.Error, resolve.Status);
        var exception = Assert.Single(resolve.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Equal(typeof(EnvironmentNotFoundException).FullName, exception.Tags.Single(t => t.Key == "exception.type").Value);
        Assert.Equal(ActivityStatusCode.Unset, Assert.Single(capture.Spans, s => s.OperationName == StoreReadSpan).Status);
        Assert.Empty(capture.Of(Resolutions));
        Assert.Equal(
            new Dictionary<string, object?> { [PathTag] = "launch", [ErrorTypeTag] = typeof(EnvironmentNotFoundException).FullName },
            Assert.Single(capture.Of(ResolutionDuration)).Tags);
        capture.AssertOnlyDocumentedTags();
    }

    [Fact]
    public async Task EnsureImage_PresentPulledDeniedFailed_CountsEachPullOutcome_WithThePullAChildOfEnsureImage()
    {
        using var capture = new TelemetryCapture();
        var (store, environmentId) = await SeedAsync();
        var service = new RegistryService(store).As("olivia");
        var denied = await service.AddRegistryAsync(environmentId, RegistryAddress.Parse("denied.example.com"), new RegistryCredential("ops@example.com", "deploy", Canary));
        await service.DeactivateRegistryAsync(environmentId, denied.Id);
        await service.AddRegistryAsync(environmentId, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("ops@example.com", "deploy", Canary));
        var engine = new FakeImageEngine().AddImage("registry.example.com/present:1").FailNextPull("registry.example.com/broken:1", ImagePullError.NotFound);
        var pulls = new ImagePullService(new LaunchResolver(store, telemetry: capture.Telemetry), engine);

        await pulls.EnsureImageAsync(environmentId, ImageReference.Parse("registry.example.com/present:1"));
        await pulls.EnsureImageAsync(environmentId, ImageReference.Parse("registry.example.com/app:1"));
        await Assert.ThrowsAsync<ImagePullException>(async () => await pulls.EnsureImageAsync(environmentId, ImageReference.Parse("denied.example.com/app:1")));
        await Assert.ThrowsAsync<ImagePullException>(async () => await pulls.EnsureImageAsync(environmentId, ImageReference.Parse("registry.example.com/broken:1")));

        Assert.Equal(
            [
                new Dictionary<string, object?> { [PullOutcomeTag] = "present" },
                new Dictionary<string, object?> { [PullOutcomeTag] = "pulled", [PullOriginTag] = "upstream" },
                new Dictionary<string, object?> { [PullOutcomeTag] = "denied", [ErrorTypeTag] = "denied" },
                new Dictionary<string, object?> { [PullOutcomeTag] = "failed", [PullOriginTag] = "upstream", [ErrorTypeTag] = "not_found" },
            ],
            capture.Of(Pulls).Select(m => m.Tags).ToArray());
        Assert.Equal(4, capture.Of(PullDuration).Count);
        var pulled = capture.Spans.Where(s => s.OperationName == EnsureImageSpan).ElementAt(1);
        Assert.Equal(pulled.SpanId, Assert.Single(capture.Spans, s => s.OperationName == ResolveSpan && s.ParentSpanId == pulled.SpanId).ParentSpanId);
        Assert.Contains(capture.Spans, s => s.OperationName == PullSpan && s.ParentSpanId == pulled.SpanId);
        Assert.Equal(ActivityStatusCode.Error, capture.Spans.Where(s => s.OperationName == EnsureImageSpan).Last().Status);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Observers_Throw_CountsEachFailureByKind()
    {
        using var capture = new TelemetryCapture();
        var (store, environmentId) = await SeedAsync();
        var service = new RegistryService(store, observers: [new ThrowingEventObserver()], resolutionObservers: [new ThrowingResolutionObserver()], telemetry: capture.Telemetry).As("olivia");

        await service.AddRegistryAsync(environmentId, RegistryAddress.Parse("registry.example.com"), new RegistryCredential("ops@example.com", "deploy", Canary));
        await service.ResolveAsync(environmentId, ImageReference.Parse("registry.example.com/app:1"));

        Assert.Equal(
            [
                new Dictionary<string, object?> { [ObserverKindTag] = "registry_event" },
                new Dictionary<string, object?> { [ObserverKindTag] = "resolution" },
            ],
            capture.Of(ObserverFailures).Select(m => m.Tags).ToArray());
        capture.AssertOnlyDocumentedTags();
    }

    [Fact]
    public void SourceScope_FetchRenewalAndFailure_CountByKindOnly_UnderAFetchSpan()
    {
        using var capture = new TelemetryCapture();

        using (var fetch = capture.Telemetry.BeginSourceFetch(CredentialSourceKinds.Name(CredentialSourceKind.CredentialHelper), renewal: false))
        {
            fetch.Complete();
        }

        using (var renewal = capture.Telemetry.BeginSourceFetch(CredentialSourceKinds.Name(CredentialSourceKind.IdentityToken), renewal: true))
        {
            renewal.Complete();
        }

        using (var failed = capture.Telemetry.BeginSourceFetch(CredentialSourceKinds.Name(CredentialSourceKind.KubeletPlugin), renewal: false))
        {
            Assert.False(failed.Fail(new InvalidOperationException("the plugin exited with 1"), "plugin_failed"));
        }

        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "credential_helper" }, Assert.Single(capture.Of(SourceFetches)).Tags);
        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "identity_token" }, Assert.Single(capture.Of(SourceRenewals)).Tags);
        Assert.Equal(new Dictionary<string, object?> { [SourceKindTag] = "kubelet_plugin", [ErrorTypeTag] = "plugin_failed" }, Assert.Single(capture.Of(SourceFailures)).Tags);
        Assert.Equal(3, capture.Spans.Count(s => s.OperationName == SourceFetchSpan && s.ParentSpanId == capture.Root.SpanId));
        Assert.Equal(ActivityStatusCode.Error, capture.Spans.Last().Status);
        capture.AssertOnlyDocumentedTags();
    }

    [Fact]
    public void SourceKindName_EveryKind_IsDocumentedSnakeCase()
    {
        Assert.Equal(
            ["stored", "credential_helper", "kubelet_plugin", "identity_token"],
            Enum.GetValues<CredentialSourceKind>().Select(CredentialSourceKinds.Name).ToArray());
    }

    [Fact]
    public void OutcomeName_EveryOutcome_IsItsLowerCaseName()
    {
        foreach (var outcome in Enum.GetValues<ResolutionOutcome>())
        {
            Assert.Equal(outcome.ToString().ToLowerInvariant(), RegistriesTelemetry.OutcomeName(outcome));
        }
    }

    private static async Task<(InMemoryRegistryStore Store, string EnvironmentId)> SeedAsync()
    {
        var store = new InMemoryRegistryStore();
        var environment = await new RegistryService(store).As("olivia").CreateEnvironmentAsync("production", OrchestrationKind.Cattle);
        return (store, environment.Id);
    }
}
