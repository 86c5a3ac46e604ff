using Registries.Core.Storage;
using Registries.Core.Testing;
using Registries.Core.Tests.Domain;
using Registries.Core.Tests.Sources;
using static Registries.Core.Diagnostics.TelemetryNames;

namespace Registries.Core.Tests.Policy;

/// <summary>The resolution paths decide the environment's policy first, on the image asked for, before any entry or
/// source, and resolve each mirror's credential by the entries without the policy.</summary>
public sealed class PolicyResolutionTests
{
    private const string Canary = SourcesFixture.Canary;

    [Fact]
    public async Task ResolveAsync_DeniedImageWithActiveHelperEntry_DeniedNamingTheRule_NoSourceAsked()
    {
        var fixture = await SourcesFixture.CreateAsync();
        fixture.Helper.Returns("deploy", Canary);
        await fixture.AddHelperAsync("registry.example.com");
        await fixture.AsOwner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com/team")));

        var launch = await fixture.ResolveAsync("registry.example.com/team/app:1");
        var caller = await fixture.AsOwner.ResolveAsync(fixture.EnvironmentId, ImageReference.Parse("registry.example.com/team/app:1"));

        foreach (var resolution in new[] { launch, caller })
        {
            Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
            Assert.False(resolution.IsAllowed);
            Assert.Null(resolution.MatchedRegistry);
            Assert.Null(resolution.RegistryId);
            Assert.Null(resolution.Source);
            Assert.Null(resolution.Password);
            Assert.Null(resolution.Email);
            Assert.Empty(resolution.Mirrors);
            Assert.NotNull(resolution.Policy);
            Assert.False(resolution.Policy.IsAllowed);
            Assert.Equal(RegistryScope.ParseScope("registry.example.com/team"), resolution.Policy.Rule!.Scope);
            Assert.Equal(resolution.Policy.Reason, resolution.Reason);
            Assert.Contains("registry.example.com/team", resolution.Reason, StringComparison.Ordinal);
            Assert.Contains("(policy)", resolution.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, resolution.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, fixture.Helper.CallCount);

        // A sibling path is not covered: the helper is asked for it.
        var sibling = await fixture.ResolveAsync("registry.example.com/team-b/app:1");
        Assert.Equal(ResolutionOutcome.Authenticated, sibling.Outcome);
        Assert.True(sibling.Policy!.IsAllowed);
        Assert.Equal(1, fixture.Helper.CallCount);
    }

    [Fact]
    public async Task ResolveAsync_DeniedImage_OneResolutionRead_NoMirrorEntriesRead()
    {
        var seeded = await CountingStore.CreateSeededAsync();
        var owner = new RegistryService(seeded.Store.Inner).As(DomainFixture.Owner);
        await owner.AddMirrorAsync(seeded.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse("registry.example.com"), RegistryAddress.Parse("mirror-a.example.com")));
        await owner.AddMirrorAsync(seeded.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse("registry.example.com"), RegistryAddress.Parse("mirror-b.example.com")));
        await owner.SetPolicyRuleAsync(seeded.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com/blocked")));
        var resolver = new LaunchResolver(seeded.Store);

        seeded.Store.Reset();
        var denied = await resolver.ResolveAsync(seeded.EnvironmentId, ImageReference.Parse("registry.example.com/blocked/app:1"));
        var deniedReads = seeded.Store.Count(nameof(IRegistryStore.ListRegistriesCoveringAsync));
        seeded.Store.Reset();
        var allowed = await resolver.ResolveAsync(seeded.EnvironmentId, ImageReference.Parse("registry.example.com/app:1"));
        var allowedReads = seeded.Store.Count(nameof(IRegistryStore.ListRegistriesCoveringAsync));

        Assert.Equal(ResolutionOutcome.Denied, denied.Outcome);
        Assert.Null(denied.MatchedRegistry);
        Assert.Equal(1, deniedReads);
        Assert.Equal(ResolutionOutcome.Authenticated, allowed.Outcome);
        Assert.Equal(3, allowed.Mirrors.Count);
        Assert.Equal(3, allowedReads);
    }

    [Fact]
    public async Task ResolveAsync_AllowedImage_HasThePolicyDecision()
    {
        var fixture = await SourcesFixture.CreateAsync();
        await fixture.AddStoredAsync("registry.example.com", password: Canary);

        var noRules = await fixture.ResolveAsync("registry.example.com/app:1");
        await fixture.AsOwner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com")));
        var allowed = await fixture.ResolveAsync("registry.example.com/app:1");
        var uncovered = await fixture.ResolveAsync("other.example.com/app:1");

        Assert.Equal(ResolutionOutcome.Authenticated, noRules.Outcome);
        Assert.True(noRules.Policy!.IsAllowed);
        Assert.Null(noRules.Policy.Rule);
        Assert.Equal(ResolutionOutcome.Authenticated, allowed.Outcome);
        Assert.Equal(PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com")), allowed.Policy!.Rule);
        Assert.Equal(ResolutionOutcome.Denied, uncovered.Outcome);
        Assert.Null(uncovered.Policy!.Rule);
        Assert.Contains("no allow rule", uncovered.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_Address_DeniedOnlyWhenEveryImageIs()
    {
        var fixture = await SourcesFixture.CreateAsync();
        fixture.Helper.Returns("deploy", Canary);
        await fixture.AddHelperAsync("registry.example.com");
        await fixture.AddStoredAsync("quay.io", password: Canary);
        await fixture.AsOwner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com/team")));
        await fixture.AsOwner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("quay.io")));

        var partly = await fixture.Resolver.ResolveAsync(fixture.EnvironmentId, RegistryAddress.Parse("registry.example.com"));
        var wholly = await fixture.AsOwner.ResolveAsync(fixture.EnvironmentId, RegistryAddress.Quay);

        Assert.Equal(ResolutionOutcome.Authenticated, partly.Outcome);
        Assert.True(partly.Policy!.IsAllowed);
        Assert.Equal(ResolutionOutcome.Denied, wholly.Outcome);
        Assert.Null(wholly.MatchedRegistry);
        Assert.Null(wholly.Image);
        Assert.Contains("quay.io", wholly.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, wholly.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_Mirrors_EachWithTheMirrorsCredential_PolicyNeverOnTheMirrorsName()
    {
        var fixture = await SourcesFixture.CreateAsync();
        await fixture.AddStoredAsync("docker.io", username: "hub", password: Canary);
        await fixture.AddStoredAsync("mirror.example.com:5000", username: "cache", password: Canary);
        var owner = fixture.AsOwner;
        await owner.AddMirrorAsync(fixture.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com:5000")));
        await owner.AddMirrorAsync(fixture.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("second.example.com")));

        // Only Docker Hub is allowed: the mirrors' names are outside the allow list and still serve it.
        await owner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope("docker.io")));

        var resolution = await fixture.ResolveAsync("alpine:3");

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal("hub", resolution.Username);
        Assert.Collection(
            resolution.Mirrors,
            first =>
            {
                Assert.False(first.Source.IsUpstream);
                Assert.Equal("mirror.example.com:5000/library/alpine:3", first.Source.Image.ToString());
                Assert.Equal(ResolutionOutcome.Authenticated, first.Credential.Outcome);
                Assert.Equal("cache", first.Credential.Username);
                Assert.Equal(first.Source.Image, first.Credential.Image);
                Assert.Null(first.Credential.Policy);
            },
            second =>
            {
                Assert.Equal("second.example.com/library/alpine:3", second.Source.Image.ToString());
                Assert.Equal(ResolutionOutcome.Anonymous, second.Credential.Outcome);
            },
            upstream =>
            {
                Assert.True(upstream.Source.IsUpstream);
                Assert.Same(resolution.Password, upstream.Credential.Password);
                Assert.Equal("hub", upstream.Credential.Username);
            });
        Assert.DoesNotContain(Canary, string.Join(";", resolution.Mirrors), StringComparison.Ordinal);

        // Other registries have no mirror.
        Assert.Empty((await fixture.ResolveAsync("quay.io/org/app:1")).Mirrors);
    }

    [Fact]
    public async Task ResolveAsync_MirrorOnlyWithRewrite_NoUpstreamAndTheRewrittenName()
    {
        var fixture = await SourcesFixture.CreateAsync();
        var owner = fixture.AsOwner;
        await fixture.AddStoredAsync("mirror.example.com", username: "cache", password: Canary);
        var mirror = RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com"), MirrorRewrite.Parse("^library/(.*)", "dockerhub/$1"), mirrorOnly: true);
        await owner.AddMirrorAsync(fixture.EnvironmentId, mirror);

        var resolution = await fixture.ResolveAsync("alpine:3");

        var only = Assert.Single(resolution.Mirrors);
        Assert.Equal("mirror.example.com/dockerhub/alpine:3", only.Source.Image.ToString());
        Assert.Equal(ResolutionOutcome.Authenticated, only.Credential.Outcome);
        Assert.Equal("cache", only.Credential.Username);
    }

    [Fact]
    public async Task ResolveAsync_MirrorCredentialInactive_MirrorDeniedImageStillAllowed()
    {
        var fixture = await SourcesFixture.CreateAsync();
        var owner = fixture.AsOwner;
        var cache = await fixture.AddStoredAsync("mirror.example.com", username: "cache", password: Canary);
        await owner.DeactivateRegistryAsync(fixture.EnvironmentId, cache.Id);
        await owner.AddMirrorAsync(fixture.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com")));

        var resolution = await fixture.ResolveAsync("alpine:3");

        Assert.Equal(ResolutionOutcome.Anonymous, resolution.Outcome);
        Assert.Equal(2, resolution.Mirrors.Count);
        Assert.Equal(ResolutionOutcome.Denied, resolution.Mirrors[0].Credential.Outcome);
        Assert.Equal(cache.Id, resolution.Mirrors[0].Credential.RegistryId);
        Assert.Equal(ResolutionOutcome.Anonymous, resolution.Mirrors[1].Credential.Outcome);
    }

    [Fact]
    public async Task ResolveAsync_ImageDeniedByPolicyOrByItsEntry_NoMirrors()
    {
        var fixture = await SourcesFixture.CreateAsync();
        var owner = fixture.AsOwner;
        var hub = await fixture.AddStoredAsync("docker.io", password: Canary);
        await owner.AddMirrorAsync(fixture.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com")));
        await owner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("docker.io/library/busybox")));
        await owner.DeactivateRegistryAsync(fixture.EnvironmentId, hub.Id);

        var byPolicy = await fixture.ResolveAsync("busybox");
        var byEntry = await fixture.ResolveAsync("alpine");

        Assert.Equal(ResolutionOutcome.Denied, byPolicy.Outcome);
        Assert.Empty(byPolicy.Mirrors);
        Assert.Equal(ResolutionOutcome.Denied, byEntry.Outcome);
        Assert.Equal(hub.Id, byEntry.RegistryId);
        Assert.True(byEntry.Policy!.IsAllowed);
        Assert.Empty(byEntry.Mirrors);
    }

    [Fact]
    public async Task ResolveAsync_MirrorOnlyAndNoMirrorCanNameTheImage_DeniedPulledFromNowhere()
    {
        var fixture = await SourcesFixture.CreateAsync();
        // The rewrite turns every path into one that ends with '/', never a valid repository path.
        var mirror = RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com"), MirrorRewrite.Parse("^(.*)$", "${1}/"), mirrorOnly: true);
        await fixture.AsOwner.AddMirrorAsync(fixture.EnvironmentId, mirror);

        var resolution = await fixture.ResolveAsync("alpine");

        Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
        Assert.Null(resolution.MatchedRegistry);
        Assert.Empty(resolution.Mirrors);
        Assert.Contains("mirror-only", resolution.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_PureWithEnvironment_SameAnswerAsTheLaunchPath()
    {
        var fixture = await SourcesFixture.CreateAsync();
        var owner = fixture.AsOwner;
        await fixture.AddStoredAsync("docker.io", username: "hub", password: Canary);
        await fixture.AddStoredAsync("mirror.example.com", username: "cache", password: Canary);
        await owner.AddMirrorAsync(fixture.EnvironmentId, RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com")));
        var environment = await owner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("docker.io/library/busybox")));
        var entries = await fixture.Store.ListRegistriesAsync(fixture.EnvironmentId);

        var allowed = CredentialResolver.Resolve(ImageReference.Parse("alpine"), entries, environment: environment);
        var denied = CredentialResolver.Resolve(ImageReference.Parse("busybox"), entries, environment: environment);
        var withoutEnvironment = CredentialResolver.Resolve(ImageReference.Parse("busybox"), entries);

        Assert.Equal(ResolutionOutcome.Authenticated, allowed.Outcome);
        Assert.Equal(["cache", "hub"], allowed.Mirrors.Select(m => m.Credential.Username!));
        Assert.Equal(ResolutionOutcome.Denied, denied.Outcome);
        Assert.Null(denied.MatchedRegistry);
        Assert.Equal(ResolutionOutcome.Authenticated, withoutEnvironment.Outcome);
        Assert.Null(withoutEnvironment.Policy);
    }

    [Fact]
    public void DeniedByPolicy_AnAllowingDecision_IsRefused()
    {
        var allowing = RegistryPolicy.Empty.Evaluate(ImageReference.Parse("alpine"));

        Assert.Throws<ArgumentException>(() => CredentialResolution.DeniedByPolicy(ImageReference.Parse("alpine"), allowing));
        Assert.Throws<ArgumentException>(() => CredentialResolution.DeniedByPolicy(RegistryAddress.DockerHub, allowing));
    }

    [Fact]
    public async Task LaunchResolve_DeniedByPolicy_CountsDeniedWithReasonPolicyAndNoSourceKind()
    {
        using var capture = new TelemetryCapture();
        var fixture = await SourcesFixture.CreateAsync();
        await fixture.AddStoredAsync("registry.example.com", password: Canary);
        await fixture.AsOwner.SetPolicyRuleAsync(fixture.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com")));
        var resolver = new LaunchResolver(fixture.Store, telemetry: capture.Telemetry);

        var resolution = await resolver.ResolveAsync(fixture.EnvironmentId, ImageReference.Parse("registry.example.com/app:1"));

        Assert.Equal(ResolutionOutcome.Denied, resolution.Outcome);
        var counted = Assert.Single(capture.Of(Resolutions));
        Assert.Equal(new Dictionary<string, object?> { [OutcomeTag] = "denied", [PathTag] = "launch", [DeniedReasonTag] = "policy" }, counted.Tags);
        capture.AssertOnlyDocumentedTags();
        Assert.DoesNotContain(Canary, capture.AllText(), StringComparison.Ordinal);
    }
}
