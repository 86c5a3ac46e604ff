using Registries.Core.Diagnostics;
using Registries.Core.Engine;
using Registries.Core.Testing;
using Registries.Testing;
using static Registries.Core.Diagnostics.TelemetryNames;
using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

/// <summary>The pull service through mirrors, over the faithful engine double, with resolutions planned as the resolvers
/// plan them: each mirror's credential resolved by the environment's entries for the mirror's name of the image.</summary>
public sealed class ImagePullServiceMirrorTests
{
    private const string Upstream = "registry.example.com";
    private const string MirrorA = "mirror-a.example.com:5000";
    private const string MirrorB = "mirror-b.example.com";
    private const string Image = Upstream + "/team/app:1.0";

    [Fact]
    public async Task EnsureImageAsync_MirrorHasTheImage_PullsItThereWithTheMirrorsCredentialAndNamesItAsAsked()
    {
        var f = await CreateAsync();
        await f.AddAsync(Upstream, "upstream-user", "upstream-pw");
        var mirrorEntry = await f.AddAsync(MirrorA, "mirror-user", Canary);
        var engine = new FakeImageEngine().RequireCredentials(MirrorA, "mirror-user", Canary);
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        var pull = Assert.Single(engine.Pulls);
        Assert.Equal(ImageReference.Parse(MirrorA + "/team/app:1.0"), pull.Image);
        Assert.Equal(mirrorEntry.Id, pull.RegistryId);
        var tag = Assert.Single(engine.Tags);
        Assert.Equal((pull.Image, ImageReference.Parse(Image)), (tag.Image, tag.Name));
        Assert.Equal(pull.Image, Assert.Single(engine.Untags));
        Assert.Equal([Image + ""], engine.Images);
        Assert.True(result.Pulled);
        Assert.Equal(MirrorA, result.PulledFrom!.Mirror!.Address.ToString());
        Assert.Equal(pull.Image, result.PulledFrom.Image);
        Assert.Equal("mirror-user", result.PulledWith!.Username);
        Assert.Equal("upstream-user", result.Resolution!.Username);
        Assert.Empty(result.Attempts);
        Assert.DoesNotContain(Canary, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorNameAlreadyOnTheHost_KeepsIt()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine().AddImage(MirrorA + "/team/app:1.0");
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Single(engine.Tags);
        Assert.Empty(engine.Untags);
        Assert.True(engine.Contains(MirrorA + "/team/app:1.0"));
        Assert.True(engine.Contains(Image));
    }

    [Theory]
    [InlineData(ImagePullError.RegistryUnreachable)]
    [InlineData(ImagePullError.NotFound)]
    [InlineData(ImagePullError.Unauthorized)]
    [InlineData(ImagePullError.CertificateNotTrusted)]
    public async Task EnsureImageAsync_FirstMirrorFails_FallsThroughToTheNextInOrder(ImagePullError error)
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine().FailNextPullFrom(MirrorA, error);
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA), Mirror(MirrorB));

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Equal([MirrorA, MirrorB], engine.Pulls.Select(p => p.Image.Address.ToString()));
        Assert.Equal(MirrorB, result.PulledFrom!.Mirror!.Address.ToString());
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((MirrorA, error, false), (attempt.Source.Mirror!.Address.ToString(), attempt.Error, attempt.Skipped));
        Assert.True(engine.Contains(Image));
        Assert.Equal([Image], engine.Images);
    }

    [Fact]
    public async Task EnsureImageAsync_EveryMirrorDown_FallsBackToTheUpstreamWithItsOwnCredential()
    {
        var f = await CreateAsync();
        var upstreamEntry = await f.AddAsync(Upstream, "upstream-user", "upstream-pw");
        var engine = new FakeImageEngine().FailNextPullFrom(MirrorA, ImagePullError.RegistryUnreachable);
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Equal([MirrorA, Upstream], engine.Pulls.Select(p => p.Image.Address.ToString()));
        Assert.Equal(upstreamEntry.Id, engine.Pulls[1].RegistryId);
        Assert.True(result.PulledFrom!.IsUpstream);
        Assert.Same(result.Resolution, result.PulledWith);
        Assert.Empty(engine.Tags);
        Assert.Equal([Image], engine.Images);
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorOnlyAndEveryMirrorDown_FailsWithEachMirrorsReasonAndNeverReachesTheUpstream()
    {
        var f = await CreateAsync();
        await f.AddAsync(MirrorA, "mirror-user", Canary);
        var engine = new FakeImageEngine()
            .FailNextPullFrom(MirrorA, ImagePullError.RegistryUnreachable, "mirror a is down")
            .FailNextPullFrom(MirrorB, ImagePullError.NotFound, "mirror b lacks it");
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA, mirrorOnly: true), Mirror(MirrorB));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution).AsTask());

        Assert.Equal(ImagePullError.MirrorsFailed, error.Error);
        Assert.Equal([MirrorA, MirrorB], error.Attempts.Select(a => a.Source.Mirror!.Address.ToString()));
        Assert.Contains("mirror a is down", error.Message, StringComparison.Ordinal);
        Assert.Contains("mirror b lacks it", error.Message, StringComparison.Ordinal);
        Assert.Contains("mirrors only", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(engine.Pulls, p => p.Image.Address.ToString() == Upstream);
        Assert.Empty(engine.Images);
    }

    [Fact]
    public async Task EnsureImageAsync_MirrorsEntryInactive_SkipsThatMirrorWithItsReasonAndNeverSendsAnything()
    {
        var f = await CreateAsync();
        var mirrorEntry = await f.AddAsync(MirrorA, "mirror-user", "mirror-pw");
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, mirrorEntry.Id);
        var engine = new FakeImageEngine();
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Equal(Upstream, Assert.Single(engine.Pulls).Image.Address.ToString());
        var skipped = Assert.Single(result.Attempts);
        Assert.True(skipped.Skipped);
        Assert.Equal(ImagePullError.Denied, skipped.Error);
        Assert.Contains(mirrorEntry.Id, skipped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImageAsync_UpstreamsEntryInactive_IsDeniedEvenThroughAMirror()
    {
        var f = await CreateAsync();
        var upstreamEntry = await f.AddAsync(Upstream);
        await f.Service.As(Owner).DeactivateRegistryAsync(f.EnvironmentId, upstreamEntry.Id);
        var engine = new FakeImageEngine();
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.Empty(engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_PolicyDeniesAnImageWithAnActiveCredential_NothingReachesTheEngine()
    {
        var f = await CreateAsync();
        await f.AddAsync(Upstream, "upstream-user", Canary);
        var engine = new FakeImageEngine();
        var policy = RegistryPolicy.Create([PolicyRule.Deny(RegistryScope.ParseScope(Upstream + "/team"))]);
        var resolution = await PlanAsync(f, Image, RegistryMirrors.Empty, policy.Evaluate(ImageReference.Parse(Image)));
        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.StartsWith($"Pulling {ImageReference.Parse(Image)} is prohibited: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(Upstream + "/team", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Pulls);
        Assert.Empty(engine.Tags);
        Assert.Equal(1, engine.ExistenceChecks);
    }

    [Fact]
    public async Task EnsureImageAsync_UpstreamCredentialUnavailable_StillTriesTheMirrorsAndSkipsTheUpstream()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine().FailNextPullFrom(MirrorA, ImagePullError.RegistryUnreachable);
        var planned = await PlanAsync(f, Image, Mirror(MirrorA));

        // An upstream whose entry's source could not give a credential: the same plan, the upstream Unavailable.
        var entry = await f.AddAsync(Upstream);
        var unavailable = CredentialResolution.Unavailable(planned.Image, planned.Address, entry, "the helper did not answer")
            .WithPolicyAndMirrors(planned.Policy, [planned.Mirrors[0], new MirrorResolution(planned.Mirrors[1].Source, CredentialResolution.Unavailable(planned.Image, planned.Address, entry, "the helper did not answer"))]);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(unavailable).AsTask());

        Assert.Equal(ImagePullError.CredentialUnavailable, error.Error);
        Assert.Equal([MirrorA], engine.Pulls.Select(p => p.Image.Address.ToString()));
        Assert.True(error.Attempts[^1].Skipped);
        Assert.Contains("the helper did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImageAsync_EngineDownDuringAMirrorPull_StopsWithoutFallingBack()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine().FailNextPullFrom(MirrorA, ImagePullError.EngineUnavailable);
        var resolution = await PlanAsync(f, Image, Mirror(MirrorA));

        var error = await Assert.ThrowsAsync<ImagePullException>(() => new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution).AsTask());

        Assert.Equal(ImagePullError.EngineUnavailable, error.Error);
        Assert.Single(engine.Pulls);
    }

    [Fact]
    public async Task EnsureImageAsync_RewrittenMirrorPath_PullsTheRewrittenName()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine();
        var resolution = await PlanAsync(f, Image, RegistryMirror.Create(RegistryAddress.Parse(Upstream), RegistryAddress.Parse(MirrorA), MirrorRewrite.Parse("^team/(.*)", "cache/team/$1")));

        var result = await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Equal(MirrorA + "/cache/team/app:1.0", Assert.Single(engine.Pulls).Image.ToString());
        Assert.Equal([Image], engine.Images);
        Assert.Equal(MirrorA + "/cache/team/app:1.0", result.PulledFrom!.Image.ToString());
    }

    [Fact]
    public async Task EnsureImageAsync_ImageByDigestFromAMirror_KeepsTheMirrorsDigestedNameAndTagsTheAskedTag()
    {
        var f = await CreateAsync();
        var engine = new FakeImageEngine();
        var digest = "sha256:" + new string('a', 64);
        var resolution = await PlanAsync(f, $"{Upstream}/team/app:1.0@{digest}", Mirror(MirrorA));

        await new ImagePullService(f.Resolver, engine).EnsureImageAsync(resolution);

        Assert.Equal(ImageReference.Parse(Image), Assert.Single(engine.Tags).Name);
        Assert.Empty(engine.Untags);
        Assert.True(engine.Contains($"{MirrorA}/team/app@{digest}"));
    }

    [Fact]
    public async Task EnsureImageAsync_ThroughAMirror_CountsThePullWithTheMirrorOrigin()
    {
        using var capture = new TelemetryCapture();
        var f = await CreateAsync();
        var resolver = new LaunchResolver(f.Store, telemetry: capture.Telemetry);
        var engine = new FakeImageEngine().FailNextPullFrom(MirrorA, ImagePullError.NotFound);
        var service = new ImagePullService(resolver, engine);

        await service.EnsureImageAsync(await PlanAsync(f, Image, Mirror(MirrorA), Mirror(MirrorB)));
        await service.EnsureImageAsync(await PlanAsync(f, Upstream + "/team/other:1", Mirror(MirrorA, mirrorOnly: true)), alwaysPull: true);

        Assert.Equal(
            [
                new Dictionary<string, object?> { [PullOutcomeTag] = PullPulled, [PullOriginTag] = OriginMirror },
                new Dictionary<string, object?> { [PullOutcomeTag] = PullPulled, [PullOriginTag] = OriginMirror },
            ],
            capture.Of(Pulls).Select(m => m.Tags).ToArray());
        Assert.Equal([OriginMirror, OriginMirror, OriginMirror], capture.Spans.Where(s => s.OperationName == PullSpan).Select(s => s.GetTagItem(PullOriginTag)));
        capture.AssertOnlyDocumentedTags();
    }

    [Fact]
    public async Task EnsureImageAsync_EnvironmentsMirrorsAndPolicy_AreTheResolversPlan()
    {
        var f = await CreateAsync();
        await f.AddAsync(Upstream, "upstream-user", Canary);
        await f.AddAsync(MirrorA, "mirror-user", "mirror-pw");
        await f.Service.As(Owner).AddMirrorAsync(f.EnvironmentId, Mirror(MirrorA, mirrorOnly: true));
        await f.Service.As(Owner).SetPolicyRuleAsync(f.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope(Upstream + "/team/secret")));
        var engine = new FakeImageEngine().RequireCredentials(MirrorA, "mirror-user", "mirror-pw");
        var service = new ImagePullService(f.Resolver, engine);

        var result = await service.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse(Image));
        var denied = await Assert.ThrowsAsync<ImagePullException>(() => service.EnsureImageAsync(f.EnvironmentId, ImageReference.Parse(Upstream + "/team/secret/app:1")).AsTask());

        Assert.Equal(MirrorA, result.PulledFrom!.Mirror!.Address.ToString());
        Assert.Equal("mirror-user", result.PulledWith!.Username);
        Assert.Equal(ImagePullError.Denied, denied.Error);
        Assert.Contains(Upstream + "/team/secret", denied.Message, StringComparison.Ordinal);
        Assert.Single(engine.Pulls);
        Assert.Equal([Image], engine.Images);
    }

    private static RegistryMirror Mirror(string address, bool mirrorOnly = false)
        => RegistryMirror.Create(RegistryAddress.Parse(Upstream), RegistryAddress.Parse(address), mirrorOnly: mirrorOnly);

    private static Task<CredentialResolution> PlanAsync(DomainFixture f, string image, params RegistryMirror[] mirrors)
        => PlanAsync(f, image, RegistryMirrors.Create(mirrors), null);

    // As a resolver plans: the image's own resolution, then each source with the credential the entries give its name there.
    private static async Task<CredentialResolution> PlanAsync(DomainFixture f, string image, RegistryMirrors mirrors, PolicyDecision? policy)
    {
        var reference = ImageReference.Parse(image);
        var own = await f.Resolver.ResolveAsync(f.EnvironmentId, reference);
        var planned = new List<MirrorResolution>();
        if (!mirrors.IsEmpty)
        {
            foreach (var source in mirrors.Plan(reference))
            {
                planned.Add(new MirrorResolution(source, source.IsUpstream ? own : await f.Resolver.ResolveAsync(f.EnvironmentId, source.Image)));
            }
        }

        return own.WithPolicyAndMirrors(policy, planned);
    }
}
