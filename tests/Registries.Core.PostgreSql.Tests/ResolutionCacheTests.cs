using Microsoft.Extensions.Time.Testing;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>The cache's own rules, on a fake clock: trust only within the bound, never keep what was read across an invalidation, stay bounded.</summary>
public sealed class ResolutionCacheTests
{
    private static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(5);
    private static readonly RegistryEnvironment Environment = new("1a1", "prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>(), 1);

    private readonly FakeTimeProvider _time = new();
    private readonly ResolutionCache _cache;

    public ResolutionCacheTests() => _cache = new ResolutionCache(MaxStaleness, _time);

    [Fact]
    public void TryGet_NeverProvedAlive_MissAndKeepsNothing()
    {
        _cache.KeepEnvironment(_cache.Take("1a1"), Environment);

        Assert.False(_cache.IsTrusted);
        Assert.False(_cache.TryGetEnvironment("1a1", out _));
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void TryGet_LastRoundTripBeganAtTheBound_MissThenHitAgainAfterTheNextRoundTrip()
    {
        Trust();
        _cache.KeepEnvironment(_cache.Take("1a1"), Environment);
        Assert.True(_cache.TryGetEnvironment("1a1", out var held));
        Assert.Same(Environment, held);

        _time.Advance(MaxStaleness - TimeSpan.FromMilliseconds(1));
        Assert.True(_cache.TryGetEnvironment("1a1", out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_cache.TryGetEnvironment("1a1", out _));

        // The connection was slow, not lost: what it delivered since is in order, so the answer is good again.
        _cache.RoundTripSucceeded(_time.GetTimestamp());
        Assert.True(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void Keep_InvalidatedWhileReading_NotKept()
    {
        Trust();
        var ticket = _cache.Take("1a1");

        _cache.Invalidate("1a1");
        _cache.KeepEnvironment(ticket, Environment);
        _cache.KeepRegistries(ticket, "1a1", "docker.io", []);

        Assert.False(_cache.TryGetEnvironment("1a1", out _));
        Assert.False(_cache.TryGetRegistries("1a1", "docker.io", out _));
        _cache.KeepEnvironment(_cache.Take("1a1"), Environment);
        Assert.True(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void Keep_OtherEnvironmentInvalidatedWhileReading_Kept()
    {
        Trust();
        var ticket = _cache.Take("1a1");

        _cache.Invalidate("1a2");
        _cache.KeepEnvironment(ticket, Environment);

        Assert.True(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void Keep_DroppedOrListeningAgainWhileReading_NotKept()
    {
        Trust();
        var beforeDrop = _cache.Take("1a1");
        _cache.Distrust();
        var whileDown = _cache.Take("1a1");
        _cache.Listening();
        Trust();

        _cache.KeepEnvironment(beforeDrop, Environment);
        _cache.KeepEnvironment(whileDown, Environment);

        Assert.False(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void Distrust_ForgetsEverythingAtOnce()
    {
        Trust();
        _cache.KeepEnvironment(_cache.Take("1a1"), Environment);
        _cache.KeepRegistries(_cache.Take("1a1"), "1a1", "docker.io", []);
        Assert.Equal(2, _cache.Count);

        _cache.Distrust();

        Assert.Equal(0, _cache.Count);
        Trust();
        Assert.False(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void Keep_BeyondCapacity_AnsweredButNotKept()
    {
        Trust();
        for (var i = 0; i < ResolutionCache.Capacity + 10; i++)
        {
            _cache.KeepRegistries(_cache.Take("1a1"), "1a1", "host" + i, []);
        }

        Assert.Equal(ResolutionCache.Capacity, _cache.Count);
        Assert.False(_cache.TryGetRegistries("1a1", "host" + ResolutionCache.Capacity, out _));

        // Invalidating frees the room.
        _cache.Invalidate("1a1");
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void Invalidate_ManyUnknownEnvironments_StaysBounded()
    {
        Trust();
        for (var i = 0; i < ResolutionCache.Capacity + 10; i++)
        {
            _cache.Invalidate("1a" + i);
        }

        // Still correct afterwards: a read across an invalidation is not kept.
        var ticket = _cache.Take("1a1");
        _cache.Invalidate("1a1");
        _cache.KeepEnvironment(ticket, Environment);
        Assert.False(_cache.TryGetEnvironment("1a1", out _));
    }

    [Fact]
    public void TryGetResolution_Kept_HitForTheSameAddressInAnyCaseAndNotForAnother()
    {
        Trust();
        _cache.KeepResolution(_cache.Take("1a1"), Environment, RegistryAddress.Parse("registry-42.example.com"), []);

        Assert.True(_cache.TryGetResolution("1a1", RegistryAddress.Parse("REGISTRY-42.Example.com"), out var environment, out var records));
        Assert.Same(Environment, environment);
        Assert.Empty(records!);
        Assert.False(_cache.TryGetResolution("1a1", RegistryAddress.Parse("registry-42.example.com:5000"), out _, out _));
        Assert.False(_cache.TryGetResolution("1a1", RegistryAddress.Parse("registry-43.example.com"), out _, out _));
        Assert.False(_cache.TryGetResolution("1a2", RegistryAddress.Parse("registry-42.example.com"), out _, out _));
        Assert.Equal(2, _cache.Count);
    }

    [Fact]
    public void TryGetResolution_DockerHubByAnyOfItsNames_OneAnswer()
    {
        Trust();
        _cache.KeepResolution(_cache.Take("1a1"), Environment, RegistryAddress.DockerHub, []);

        Assert.True(_cache.TryGetResolution("1a1", RegistryAddress.Parse("index.docker.io"), out _, out _));
        Assert.True(_cache.TryGetResolution("1a1", RegistryAddress.Parse("registry-1.docker.io"), out _, out _));
    }

    [Fact]
    public void TryGetResolution_Hit_AllocatesNothing()
    {
        // The cause of the cached path's cost: every hit built the address key, the covering patterns and a query
        // (about 450 bytes) before it looked anything up.
        Trust();
        var address = RegistryAddress.Parse("registry-42.example.com");
        _cache.KeepResolution(_cache.Take("1a1"), Environment, address, []);
        Assert.True(_cache.TryGetResolution("1a1", address, out _, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _cache.TryGetResolution("1a1", address, out _, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void TryGetResolution_NotTrustedOrInvalidatedWhileReading_MissAndNotKept()
    {
        var address = RegistryAddress.Parse("registry-42.example.com");
        _cache.KeepResolution(_cache.Take("1a1"), Environment, address, []);
        Assert.False(_cache.TryGetResolution("1a1", address, out _, out _));
        Assert.Equal(1, _cache.UntrustedLookups);

        Trust();
        var ticket = _cache.Take("1a1");
        _cache.Invalidate("1a1");
        _cache.KeepResolution(ticket, Environment, address, []);
        Assert.False(_cache.TryGetResolution("1a1", address, out _, out _));
        Assert.Equal(1, _cache.UntrustedLookups);

        _cache.KeepResolution(_cache.Take("1a1"), Environment, address, []);
        Assert.True(_cache.TryGetResolution("1a1", address, out _, out _));
        _cache.Invalidate("1a1");
        Assert.False(_cache.TryGetResolution("1a1", address, out _, out _));
        Assert.Equal(0, _cache.Count);
    }

    [Fact]
    public void Distrust_ForgetsResolutionsAndCountsTheFlush()
    {
        Trust();
        var address = RegistryAddress.Parse("registry-42.example.com");
        _cache.KeepResolution(_cache.Take("1a1"), Environment, address, []);
        var flushes = _cache.Flushes;

        _cache.Distrust();
        Trust();

        Assert.False(_cache.TryGetResolution("1a1", address, out _, out _));
        Assert.Equal(flushes + 1, _cache.Flushes);
        Assert.Equal(0, _cache.Count);
    }

    private void Trust() => _cache.RoundTripSucceeded(_time.GetTimestamp());
}
