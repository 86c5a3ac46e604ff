using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Testing;

namespace Registries.Core.Tests.Sources;

public sealed class CredentialSourcesTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ResolveAsync_HelperEntry_AuthenticatedWithWhatTheSourceGaveAndCachedForTheNext()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("AWS", "token-1", TimeSpan.FromHours(1));

        var first = await f.ResolveAsync("registry.example.com/team/app:1");
        var second = await f.Service.As(SourcesFixture.Owner).ResolveAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/other:2"));

        Assert.Equal(ResolutionOutcome.Authenticated, first.Outcome);
        Assert.Equal("AWS", first.Username);
        Assert.Equal("token-1", first.Password?.Reveal());
        Assert.Equal(CredentialSecretKind.Password, first.SecretKind);
        Assert.Equal(SourcesFixture.Start.AddHours(1), first.ExpiresAt);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), first.Source);
        Assert.Equal(entry.Id, first.RegistryId);
        Assert.Equal("token-1", second.Password?.Reveal());
        Assert.Equal(1, f.Helper.CallCount);
        var request = Assert.Single(f.Helper.Requests);
        Assert.Equal(RegistryAddress.Parse("registry.example.com"), request.Address);
        Assert.Equal("registry.example.com/team/app:1", request.Image?.ToString());
        Assert.Null(request.StoredSecret);
        var fetched = Assert.Single(f.Observer.Events);
        Assert.Equal(CredentialSourceEventKind.Fetched, fetched.Kind);
        Assert.Equal(entry.Id, fetched.RegistryId);
        Assert.Equal(SourcesFixture.Start.AddHours(1), fetched.ExpiresAt);
    }

    [Theory]
    [InlineData(24.0, 12.0)]
    [InlineData(null, 12.0)]
    [InlineData(2.0, 2.0)]
    public async Task ResolveAsync_SourceExpiry_CappedByTheMaximumCacheDuration(double? lifetimeHours, double expectedHours)
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "secret", lifetimeHours is { } h ? TimeSpan.FromHours(h) : null);

        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(SourcesFixture.Start.AddHours(expectedHours), resolution.ExpiresAt);
        f.Time.Advance(TimeSpan.FromHours(expectedHours));
        f.Helper.Returns("user", "renewed", TimeSpan.FromHours(1));
        Assert.Equal("renewed", (await f.ResolveAsync("registry.example.com/app")).Password?.Reveal());
        Assert.Equal(2, f.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_BeforeTheRenewalWindow_NoCall_InIt_RenewsOnce()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "first", TimeSpan.FromHours(1));
        await f.ResolveAsync("registry.example.com/app");

        // One hour of life: renewed when less than max(10% = 6 min, 5 min) is left, that is from minute 54.
        f.Time.Advance(TimeSpan.FromMinutes(53));
        Assert.Equal("first", (await f.ResolveAsync("registry.example.com/app")).Password?.Reveal());
        Assert.Equal(1, f.Helper.CallCount);

        f.Time.Advance(TimeSpan.FromMinutes(2));
        f.Helper.Returns("user", "second", TimeSpan.FromHours(1));
        var renewed = await f.ResolveAsync("registry.example.com/app");
        var again = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal("second", renewed.Password?.Reveal());
        Assert.Equal("second", again.Password?.Reveal());
        Assert.Equal(2, f.Helper.CallCount);
        Assert.Equal(CredentialSourceEventKind.Renewed, f.Observer.Events[^1].Kind);
    }

    [Fact]
    public async Task ResolveAsync_ShortLivedCredential_RenewedAtHalfItsLifeNotOnEveryResolution()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "short", TimeSpan.FromMinutes(2));
        await f.ResolveAsync("registry.example.com/app");

        f.Time.Advance(TimeSpan.FromSeconds(59));
        await f.ResolveAsync("registry.example.com/app");
        Assert.Equal(1, f.Helper.CallCount);

        f.Time.Advance(TimeSpan.FromSeconds(2));
        await f.ResolveAsync("registry.example.com/app");
        Assert.Equal(2, f.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_RenewalFailsBeforeExpiry_KeepsTheValidValueTellsTheObserverAndIsUnavailableAtExpiry()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "still-valid", TimeSpan.FromHours(1));
        await f.ResolveAsync("registry.example.com/app");
        f.Time.Advance(TimeSpan.FromMinutes(57));
        f.Helper.Fails("pass: the gpg agent is locked; unlock it and run registry refresh");

        var kept = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Authenticated, kept.Outcome);
        Assert.Equal("still-valid", kept.Password?.Reveal());
        var failed = f.Observer.Events[^1];
        Assert.Equal(CredentialSourceEventKind.RenewalFailed, failed.Kind);
        Assert.Equal(SourcesFixture.Start.AddHours(1), failed.ExpiresAt);
        Assert.Contains("gpg agent is locked", failed.Reason, StringComparison.Ordinal);

        // At the very instant of its expiry the value is never handed out again.
        f.Time.Advance(TimeSpan.FromMinutes(3));
        var expired = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Unavailable, expired.Outcome);
        Assert.Null(expired.Password);
        Assert.Equal("pass: the gpg agent is locked; unlock it and run registry refresh", expired.Reason);
        Assert.Equal(CredentialSourceEventKind.Failed, f.Observer.Events[^1].Kind);
    }

    [Fact]
    public async Task ResolveAsync_SourceHasNoCredential_UnavailableNamingTheHelperAndAddress()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.HasNone();

        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        Assert.False(resolution.IsAllowed);
        Assert.Equal(entry.Id, resolution.RegistryId);
        Assert.Contains("'pass' has no credential for registry.example.com", resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NoSourceRegisteredForTheKind_UnavailableSayingWhichKindIsNotConfigured()
    {
        var f = await SourcesFixture.CreateAsync(withSource: false);
        await AddPluginAsync(f);

        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        Assert.Contains("no kubelet-plugin source is configured", resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_FailingSourceUnderALessSpecificStoredEntry_UnavailableNeverAFallback()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddStoredAsync("registry.example.com", "hostwide", "host-password");
        await f.AddStoredAsync("*.example.com", "pattern", "pattern-password");
        var helper = await f.AddHelperAsync("registry.example.com/team");
        f.Helper.Fails("helper broken");

        var team = await f.ResolveAsync("registry.example.com/team/app");
        var other = await f.ResolveAsync("registry.example.com/other/app");

        Assert.Equal(ResolutionOutcome.Unavailable, team.Outcome);
        Assert.Equal(helper.Id, team.RegistryId);
        Assert.Null(team.Password);
        Assert.Null(team.Username);
        Assert.Equal("host-password", other.Password?.Reveal());
    }

    [Fact]
    public async Task ResolveAsync_FiftyResolutionsWaitingOnOneFetch_OneCall()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "shared", TimeSpan.FromHours(1));
        f.Helper.Hold();

        var waiting = Enumerable.Range(0, 50).Select(_ => f.ResolveAsync("registry.example.com/app").AsTask()).ToArray();
        using var bound = new CancellationTokenSource(Bound);
        await f.Helper.WaitForCallsAsync(1, bound.Token);
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        f.Helper.Release();
        var resolutions = await Task.WhenAll(waiting).WaitAsync(Bound);

        Assert.Equal(1, f.Helper.CallCount);
        Assert.All(resolutions, r => Assert.Equal("shared", r.Password?.Reveal()));
    }

    [Fact]
    public async Task ResolveAsync_FiftyResolutionsWaitingOnOneRenewal_OneCall()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "old", TimeSpan.FromHours(1));
        await f.ResolveAsync("registry.example.com/app");
        f.Time.Advance(TimeSpan.FromMinutes(58));
        f.Helper.Returns("user", "renewed", TimeSpan.FromHours(1));
        f.Helper.Hold();

        var waiting = Enumerable.Range(0, 50).Select(_ => f.ResolveAsync("registry.example.com/app").AsTask()).ToArray();
        using var bound = new CancellationTokenSource(Bound);
        await f.Helper.WaitForCallsAsync(2, bound.Token);
        f.Helper.Release();
        var resolutions = await Task.WhenAll(waiting).WaitAsync(Bound);

        Assert.Equal(2, f.Helper.CallCount);
        Assert.All(resolutions, r => Assert.Equal("renewed", r.Password?.Reveal()));
    }

    [Fact]
    public async Task ResolveAsync_OneWaiterCancelled_TheSharedFetchGoesOnForTheOthers()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "shared", TimeSpan.FromHours(1));
        f.Helper.Hold();
        using var cancelled = new CancellationTokenSource();

        var first = f.ResolveAsync("registry.example.com/app", cancelled.Token).AsTask();
        var second = f.ResolveAsync("registry.example.com/app").AsTask();
        using var bound = new CancellationTokenSource(Bound);
        await f.Helper.WaitForCallsAsync(1, bound.Token);
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.WaitAsync(Bound));
        f.Helper.Release();
        Assert.Equal("shared", (await second.WaitAsync(Bound)).Password?.Reveal());
        Assert.Equal(1, f.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_SourceDoesNotAnswerWithinTheTimeout_Unavailable()
    {
        var f = await SourcesFixture.CreateAsync(new CredentialSourceOptions { FetchTimeout = TimeSpan.FromSeconds(2) });
        await f.AddHelperAsync();
        f.Helper.Returns("user", "late", TimeSpan.FromHours(1));
        f.Helper.Hold();

        var resolving = f.ResolveAsync("registry.example.com/app").AsTask();
        using var bound = new CancellationTokenSource(Bound);
        await f.Helper.WaitForCallsAsync(1, bound.Token);
        f.Time.Advance(TimeSpan.FromSeconds(2));
        var resolution = await resolving.WaitAsync(Bound);
        f.Helper.Release();

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        Assert.Contains("did not answer within 2 s", resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_EditDeactivateActivateDelete_NeverUsesTheOldVersionsValue()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("user", "v1", TimeSpan.FromHours(1));
        await f.ResolveAsync("registry.example.com/app");

        f.Helper.Returns("user", "v2", TimeSpan.FromHours(1));
        await f.AsOwner.EditRegistryAsync(f.EnvironmentId, entry.Id, RegistryCredential.FromCredentialHelper("ops@example.com", "secretservice"));
        var edited = await f.ResolveAsync("registry.example.com/app");
        Assert.Equal("v2", edited.Password?.Reveal());
        Assert.Equal(CredentialSource.CredentialHelper("secretservice"), f.Helper.Requests[^1].Registry.Source);

        await f.AsOwner.DeactivateRegistryAsync(f.EnvironmentId, entry.Id);
        var denied = await f.ResolveAsync("registry.example.com/app");
        Assert.Equal(ResolutionOutcome.Denied, denied.Outcome);
        Assert.Equal(2, f.Helper.CallCount);

        f.Helper.Returns("user", "v3", TimeSpan.FromHours(1));
        await f.AsOwner.ActivateRegistryAsync(f.EnvironmentId, entry.Id);
        Assert.Equal("v3", (await f.ResolveAsync("registry.example.com/app")).Password?.Reveal());

        await f.AsOwner.DeactivateRegistryAsync(f.EnvironmentId, entry.Id);
        await f.AsOwner.DeleteRegistryAsync(f.EnvironmentId, entry.Id);
        Assert.Equal(ResolutionOutcome.Anonymous, (await f.ResolveAsync("registry.example.com/app")).Outcome);
        Assert.Equal(3, f.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_DeactivatedHelperEntry_NeverRunsItsSource()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("user", "never", TimeSpan.FromHours(1));
        await f.AsOwner.DeactivateRegistryAsync(f.EnvironmentId, entry.Id);

        var launch = await f.ResolveAsync("registry.example.com/app");
        var user = await f.AsOwner.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"));
        var scope = await f.AsOwner.ResolveAsync(f.EnvironmentId, RegistryScope.Parse("registry.example.com"));
        var pull = await Assert.ThrowsAsync<ImagePullException>(async () => await f.Pulls.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app")));

        Assert.Equal(ResolutionOutcome.Denied, launch.Outcome);
        Assert.Equal(ResolutionOutcome.Denied, user.Outcome);
        Assert.Equal(ResolutionOutcome.Denied, scope.Outcome);
        Assert.Equal(ImagePullError.Denied, pull.Error);
        Assert.Equal(0, f.Helper.CallCount);
    }

    [Fact]
    public async Task RefreshRegistryAsync_CachedValue_DroppedAndFetchedAgain()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("user", "before", TimeSpan.FromHours(1));
        await f.ResolveAsync("registry.example.com/app");
        f.Helper.Returns("user", "after", TimeSpan.FromHours(1));

        var dropped = await f.AsOwner.RefreshRegistryAsync(f.EnvironmentId, entry.Id);
        var nothing = await f.AsOwner.RefreshRegistryAsync(f.EnvironmentId, entry.Id);

        Assert.True(dropped);
        Assert.False(nothing);
        Assert.Equal(CredentialSourceEventKind.Invalidated, f.Observer.Events[^1].Kind);
        Assert.Equal("after", (await f.ResolveAsync("registry.example.com/app")).Password?.Reveal());
        Assert.Equal(2, f.Helper.CallCount);
    }

    [Fact]
    public async Task RefreshRegistryAsync_ReaderUnknownEntryOrOutsider_Refused()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(async () => await f.Service.As(SourcesFixture.Reader).RefreshRegistryAsync(f.EnvironmentId, entry.Id));
        await Assert.ThrowsAsync<RegistryNotFoundException>(async () => await f.AsOwner.RefreshRegistryAsync(f.EnvironmentId, "1r999"));
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(async () => await f.Service.As("oscar").RefreshRegistryAsync(f.EnvironmentId, entry.Id));
        await Assert.ThrowsAsync<MissingCallerException>(async () => await f.Service.RefreshRegistryAsync(f.EnvironmentId, entry.Id));
    }

    [Fact]
    public async Task ResolveAsync_RefreshDuringAFetch_WhatItGivesIsNotCached()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("user", "stale", TimeSpan.FromHours(1));
        f.Helper.Hold();
        var resolving = f.ResolveAsync("registry.example.com/app").AsTask();
        using var bound = new CancellationTokenSource(Bound);
        await f.Helper.WaitForCallsAsync(1, bound.Token);

        f.Sources.Invalidate(entry.Id);
        f.Helper.Release();
        Assert.Equal("stale", (await resolving.WaitAsync(Bound)).Password?.Reveal());
        f.Helper.Returns("user", "fresh", TimeSpan.FromHours(1));

        Assert.Equal("fresh", (await f.ResolveAsync("registry.example.com/app")).Password?.Reveal());
        Assert.Equal(0 + 1, f.Sources.CachedCount);
    }

    [Fact]
    public async Task ResolveAsync_CacheScopes_ImageIsPerRepositoryRegistryPerAddress()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "per-image", TimeSpan.FromHours(1), CredentialCacheScope.Image);
        await f.ResolveAsync("registry.example.com/a");
        await f.ResolveAsync("registry.example.com/a:other-tag");
        await f.ResolveAsync("registry.example.com/b");
        Assert.Equal(2, f.Helper.CallCount);

        var g = await SourcesFixture.CreateAsync();
        await g.AddHelperAsync("*.example.com");
        g.Helper.Returns("user", "per-registry", TimeSpan.FromHours(1), CredentialCacheScope.Registry);
        await g.ResolveAsync("one.example.com/a");
        await g.ResolveAsync("one.example.com/b");
        await g.ResolveAsync("two.example.com/a");
        Assert.Equal(2, g.Helper.CallCount);

        var h = await SourcesFixture.CreateAsync();
        await h.AddHelperAsync("*.example.com");
        h.Helper.Returns("user", "per-entry", TimeSpan.FromHours(1), CredentialCacheScope.Entry);
        await h.ResolveAsync("one.example.com/a");
        await h.ResolveAsync("two.example.com/b");
        Assert.Equal(1, h.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_MoreValuesThanTheCap_KeepsAtMostTheCap()
    {
        var f = await SourcesFixture.CreateAsync(new CredentialSourceOptions { MaximumCachedValues = 2 });
        await f.AddHelperAsync("*.example.com");
        f.Helper.Returns("user", "secret", TimeSpan.FromHours(1));

        foreach (var host in new[] { "a", "b", "c", "d" })
        {
            await f.ResolveAsync($"{host}.example.com/app");
        }

        Assert.Equal(2, f.Sources.CachedCount);
        Assert.Equal(4, f.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_SourceGivesAnExpiredCredential_UnavailableNeverHandedOut()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.AnswersWith((_, now) => new SourcedCredential("user", new RegistrySecret("dead"), CredentialSecretKind.Password, now.AddTicks(-1)));

        var resolution = await f.ResolveAsync("registry.example.com/app");

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        Assert.Contains("already expired", resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_IdentityTokenEntry_AsksWithItsRefreshTokenAndPassesTheTokenKind()
    {
        var f = await SourcesFixture.CreateAsync(withSource: false);
        var time = f.Time;
        var exchange = new FakeCredentialSource(CredentialSourceKind.IdentityToken, time)
            .AnswersWith((request, now) => new SourcedCredential("<token>", new RegistrySecret("access-for-" + request.StoredSecret!.Reveal()), CredentialSecretKind.RegistryToken, now.AddMinutes(5)));
        var sources = new CredentialSources([exchange], timeProvider: time);
        var resolver = new LaunchResolver(f.Store, sources: sources);
        var entry = await f.AsOwner.AddRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromIdentityToken("ops@example.com", "bob", new RegistrySecret("refresh-1")));

        var resolution = await resolver.ResolveAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app"));

        Assert.Equal("access-for-refresh-1", resolution.Password?.Reveal());
        Assert.Equal(CredentialSecretKind.RegistryToken, resolution.SecretKind);
        Assert.Equal("<token>", resolution.Username);
        Assert.Equal(entry.Id, exchange.Requests.Single().Registry.Id);
    }

    [Fact]
    public async Task ResolveAsync_StoredCredentialExpired_DeniedNamingTheDateAndWhatToDo()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddStoredAsync("registry.example.com", "robot$ci", "robot-password", SourcesFixture.Start.AddHours(1));

        var before = await f.ResolveAsync("registry.example.com/app");
        f.Time.Advance(TimeSpan.FromHours(1));
        var after = await f.ResolveAsync("registry.example.com/app");
        var user = await f.AsOwner.ResolveAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"));
        var pull = await Assert.ThrowsAsync<ImagePullException>(async () => await f.Pulls.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app")));
        var explanation = await f.AsOwner.ExplainAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app"));

        Assert.Equal(ResolutionOutcome.Authenticated, before.Outcome);
        Assert.Equal(SourcesFixture.Start.AddHours(1), before.ExpiresAt);
        Assert.Equal(ResolutionOutcome.Denied, after.Outcome);
        Assert.Equal(entry.Id, after.RegistryId);
        Assert.Contains("expired at 2030-01-01T01:00:00Z", after.Reason, StringComparison.Ordinal);
        Assert.Contains("Edit the entry with a new credential", after.Reason, StringComparison.Ordinal);
        Assert.Equal(ResolutionOutcome.Denied, user.Outcome);
        Assert.Equal(ImagePullError.Denied, pull.Error);
        Assert.Empty(f.Engine.Pulls);
        Assert.Equal(ResolutionOutcome.Denied, explanation.Outcome);
        Assert.Contains("2030-01-01T01:00:00Z", explanation.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImageAsync_Unavailable_CredentialUnavailableAndNothingPulled()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Fails("ecr-login: no AWS credentials on this host");

        var failure = await Assert.ThrowsAsync<ImagePullException>(async () => await f.Pulls.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app")));

        Assert.Equal(ImagePullError.CredentialUnavailable, failure.Error);
        Assert.Contains("no AWS credentials on this host", failure.Message, StringComparison.Ordinal);
        Assert.Empty(f.Engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_HelperCredential_PulledWithIt()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("AWS", "ecr-token", TimeSpan.FromHours(12));
        f.Engine.RequireCredentials("registry.example.com", "AWS", "ecr-token");

        var result = await f.Pulls.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse("registry.example.com/app"));

        Assert.True(result.Pulled);
        Assert.True(Assert.Single(f.Engine.Pulls).Succeeded);
    }

    [Fact]
    public async Task ExplainAsync_HelperEntry_NamesTheSourceAndHowLongTheCachedValueLasts()
    {
        var f = await SourcesFixture.CreateAsync();
        await f.AddHelperAsync();
        f.Helper.Returns("user", "secret", TimeSpan.FromHours(3));
        var image = ImageReference.Parse("registry.example.com/app");

        var before = await f.Service.As(SourcesFixture.Reader).ExplainAsync(f.EnvironmentId, image);
        await f.ResolveAsync("registry.example.com/app");
        var after = await f.Service.As(SourcesFixture.Reader).ExplainAsync(f.EnvironmentId, image);

        Assert.Equal(ResolutionOutcome.Authenticated, before.Outcome);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), before.Source);
        Assert.Null(before.CachedUntil);
        Assert.Contains("fetched from credential-helper:pass", before.Candidates.Single().Reason, StringComparison.Ordinal);
        Assert.Equal(SourcesFixture.Start.AddHours(3), after.CachedUntil);
        Assert.Contains("cached until 2030-01-01T03:00:00Z", after.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, f.Helper.CallCount);
    }

    [Fact]
    public async Task CanarySecret_NeverInTextEventsOrReasons()
    {
        var f = await SourcesFixture.CreateAsync();
        var entry = await f.AddHelperAsync();
        f.Helper.Returns("user", SourcesFixture.Canary, TimeSpan.FromHours(1));
        var resolution = await f.ResolveAsync("registry.example.com/app");
        f.Time.Advance(TimeSpan.FromMinutes(58));
        f.Helper.AnswersWith((_, _) => throw new InvalidOperationException("leaked " + SourcesFixture.Canary));
        var kept = await f.ResolveAsync("registry.example.com/app");
        f.Time.Advance(TimeSpan.FromMinutes(2));
        var unavailable = await f.ResolveAsync("registry.example.com/app");
        f.Sources.Invalidate(entry.Id);

        Assert.Equal(SourcesFixture.Canary, kept.Password?.Reveal());
        Assert.Equal(ResolutionOutcome.Unavailable, unavailable.Outcome);
        Assert.Contains("InvalidOperationException", unavailable.Reason, StringComparison.Ordinal);
        var texts = new List<string?> { resolution.ToString(), kept.ToString(), unavailable.ToString(), unavailable.Reason, f.Helper.ToString() };
        texts.AddRange(f.Observer.Events.Select(e => e.ToString()));
        texts.AddRange(f.Observer.Events.Select(e => e.Reason));
        texts.AddRange(f.Helper.Requests.Select(r => r.ToString()));
        texts.Add(new SourcedCredential("user", new RegistrySecret(SourcesFixture.Canary), CredentialSecretKind.IdentityToken, null).ToString());
        Assert.Equal(4, f.Observer.Events.Count);
        Assert.All(texts, text => Assert.DoesNotContain("CANARY", text ?? string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_TwoSourcesOfOneKindOrAStoredOne_RefusedSayingWhy()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => new CredentialSources([new FakeCredentialSource(), new FakeCredentialSource()]));
        Assert.Contains("register one per kind", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal([CredentialSourceKind.KubeletPlugin], new CredentialSources([new FakeCredentialSource(CredentialSourceKind.KubeletPlugin)]).Kinds);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FakeCredentialSource(CredentialSourceKind.Stored));
    }

    [Theory]
    [InlineData("MaximumCacheDuration")]
    [InlineData("RenewAheadFraction")]
    [InlineData("RenewAheadMinimum")]
    [InlineData("FetchTimeout")]
    [InlineData("MaximumCachedValues")]
    public void Constructor_InvalidOption_RefusedNamingIt(string option)
    {
        var options = new CredentialSourceOptions();
        switch (option)
        {
            case "MaximumCacheDuration": options.MaximumCacheDuration = TimeSpan.Zero; break;
            case "RenewAheadFraction": options.RenewAheadFraction = double.NaN; break;
            case "RenewAheadMinimum": options.RenewAheadMinimum = TimeSpan.FromMinutes(-1); break;
            case "FetchTimeout": options.FetchTimeout = TimeSpan.FromHours(1); break;
            default: options.MaximumCachedValues = 0; break;
        }

        var error = Assert.Throws<ArgumentException>(() => new CredentialSources(options: options));
        Assert.Contains("CredentialSourceOptions." + option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_OptionsChangedAfterwards_TheCacheKeepsWhatItWasGiven()
    {
        var options = new CredentialSourceOptions { MaximumCacheDuration = TimeSpan.FromMinutes(10) };
        var f = await SourcesFixture.CreateAsync(options);
        options.MaximumCacheDuration = TimeSpan.FromDays(7);
        await f.AddHelperAsync();
        f.Helper.Returns("user", "secret", TimeSpan.FromDays(1));

        Assert.Equal(SourcesFixture.Start.AddMinutes(10), (await f.ResolveAsync("registry.example.com/app")).ExpiresAt);
    }

    private static async Task<Registry> AddPluginAsync(SourcesFixture f)
        => await f.AsOwner.AddRegistryAsync(f.EnvironmentId, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromKubeletPlugin("ops@example.com", "ecr-credential-provider"));
}
