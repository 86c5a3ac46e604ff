using System.Diagnostics;
using Registries.Core.AspNetCore.Tests.Infrastructure;

namespace Registries.Core.AspNetCore.Tests.Endpoints;

/// <summary>The HTTP API's resolution joins the request's trace: ASP.NET Core's request activity (continuing the
/// caller's <c>traceparent</c>) is the parent of the library's <c>registries.resolve</c> span, whose store read is its
/// child; no attribute holds the password, the user or the image.</summary>
public sealed class RequestTraceTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private readonly List<Activity> _stopped = [];
    private ActivityListener? _listener;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Registries.Core",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_stopped)
                {
                    _stopped.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        await _api.SeedAsync();
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Resolve_OverHttp_TheResolveSpanIsAChildOfTheRequestActivityInTheCallersTrace()
    {
        var trace = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        var response = await _api.SendAsync(
            HttpMethod.Get,
            $"/api/registries/environments/{_api.EnvironmentId}/resolve?image={Uri.EscapeDataString(ApiFactory.Address + "/team/app:1")}",
            ApiFactory.Member,
            headers: [new("traceparent", $"00-{trace}-{callerSpan}-01")]);

        Assert.Equal(200, response.Status);
        Activity[] ours;
        lock (_stopped)
        {
            ours = _stopped.Where(a => a.TraceId == trace).ToArray();
        }

        var request = Assert.Single(ours, a => a.Source.Name == "Microsoft.AspNetCore");
        var resolve = Assert.Single(ours, a => a.OperationName == "registries.resolve");
        var read = Assert.Single(ours, a => a.OperationName == "registries.store.read");
        Assert.Equal(callerSpan, request.ParentSpanId);
        Assert.Equal(request.SpanId, resolve.ParentSpanId);
        Assert.Equal(resolve.SpanId, read.ParentSpanId);
        Assert.Equal("authenticated", resolve.GetTagItem("registries.resolution.outcome"));
        Assert.Equal("caller", resolve.GetTagItem("registries.resolution.path"));
        var attributes = string.Join(' ', resolve.TagObjects.Concat(read.TagObjects).Select(t => $"{t.Key}={t.Value}"));
        foreach (var secretOrUnbounded in new[] { ApiFactory.Canary, ApiFactory.Member, ApiFactory.Address, _api.EnvironmentId })
        {
            Assert.DoesNotContain(secretOrUnbounded, attributes, StringComparison.Ordinal);
        }
    }
}
