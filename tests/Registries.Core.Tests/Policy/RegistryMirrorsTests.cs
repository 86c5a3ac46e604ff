namespace Registries.Core.Tests.Policy;

/// <summary>Where an image is pulled from: the mirrors of its registry in order, then the upstream unless one of them
/// is mirror-only; a rewrite names the image on its mirror, and a rewrite that gives no valid path skips that mirror.</summary>
public sealed class RegistryMirrorsTests
{
    private static readonly RegistryAddress Hub = RegistryAddress.DockerHub;
    private static readonly RegistryAddress Quay = RegistryAddress.Quay;
    private static readonly RegistryAddress First = RegistryAddress.Parse("first.example.com:5000");
    private static readonly RegistryAddress Second = RegistryAddress.Parse("second.example.com");

    [Fact]
    public void Plan_NoMirrorOfTheRegistry_JustTheUpstream()
    {
        var mirrors = RegistryMirrors.Empty.WithMirror(RegistryMirror.Create(Quay, First));

        var plan = mirrors.Plan(ImageReference.Parse("alpine:3"));

        var only = Assert.Single(plan);
        Assert.True(only.IsUpstream);
        Assert.Equal("docker.io/library/alpine:3", only.Image.ToString());
    }

    [Fact]
    public void Plan_MirrorsInTheOrderAdded_ThenTheUpstream_OtherRegistriesLeftOut()
    {
        var mirrors = RegistryMirrors.Empty
            .WithMirror(RegistryMirror.Create(Hub, First))
            .WithMirror(RegistryMirror.Create(Quay, First))
            .WithMirror(RegistryMirror.Create(Hub, Second));

        var plan = mirrors.Plan(ImageReference.Parse("alpine@sha256:" + new string('d', 64)));

        Assert.Equal(
            ["first.example.com:5000/library/alpine@sha256:" + new string('d', 64), "second.example.com/library/alpine@sha256:" + new string('d', 64), "docker.io/library/alpine@sha256:" + new string('d', 64)],
            plan.Select(s => s.Image.ToString()));
        Assert.Equal([false, false, true], plan.Select(s => s.IsUpstream));
        Assert.Equal([First, Second], plan.Where(s => !s.IsUpstream).Select(s => s.Mirror!.Address));
    }

    [Fact]
    public void Plan_AnyMirrorOnly_NoUpstream_WhicheverPositionItHas()
    {
        var mirrors = RegistryMirrors.Empty
            .WithMirror(RegistryMirror.Create(Hub, First))
            .WithMirror(RegistryMirror.Create(Hub, Second, mirrorOnly: true));

        var plan = mirrors.Plan(ImageReference.Parse("alpine"));

        Assert.Equal([First, Second], plan.Select(s => s.Mirror!.Address));
        Assert.False(mirrors.FallsBackToUpstream(Hub));
        Assert.True(mirrors.FallsBackToUpstream(Quay));
    }

    [Fact]
    public void Plan_Rewrite_RenamesThePathOnly_TagAndDigestKept_UnmatchedPathKeepsItsName()
    {
        var mirrors = RegistryMirrors.Empty.WithMirror(RegistryMirror.Create(Hub, First, MirrorRewrite.Parse("^library/(.*)$", "hub/${1}")));

        var official = mirrors.Plan(ImageReference.Parse("alpine:3.20"));
        var other = mirrors.Plan(ImageReference.Parse("acme/app:1"));

        Assert.Equal("first.example.com:5000/hub/alpine:3.20", official[0].Image.ToString());
        Assert.Equal("first.example.com:5000/acme/app:1", other[0].Image.ToString());
    }

    [Fact]
    public void Plan_RewriteGivesNoValidPath_ThatMirrorIsSkipped()
    {
        var mirrors = RegistryMirrors.Empty
            .WithMirror(RegistryMirror.Create(Hub, First, MirrorRewrite.Parse("^(.*)$", "UPPER/$1")))
            .WithMirror(RegistryMirror.Create(Hub, Second));

        var plan = mirrors.Plan(ImageReference.Parse("alpine"));

        Assert.Equal([Second], plan.Where(s => !s.IsUpstream).Select(s => s.Mirror!.Address));
        Assert.True(plan[^1].IsUpstream);
    }

    [Theory]
    [InlineData("(a)\\1", "x")]
    [InlineData("(?=a)b", "x")]
    [InlineData("^(.*)$", "$2")]
    [InlineData("^(.*)$", "$1a")]
    [InlineData("^(.*)$", "${1")]
    [InlineData("a\nb", "x")]
    public void RewriteParse_WhatK3sCannotRunOrReadsOtherwise_IsRefusedWithWhatToFix(string pattern, string replacement)
    {
        var error = Assert.Throws<RegistryRuleException>(() => MirrorRewrite.Parse(pattern, replacement));

        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Create_PatternOrItsOwnMirror_IsRefused()
    {
        Assert.Throws<RegistryRuleException>(() => RegistryMirror.Create(Hub, Hub));
        Assert.Throws<RegistryRuleException>(() => RegistryMirror.Create(RegistryAddress.ParsePattern("*.corp.example"), First));
    }

    [Fact]
    public void WithMirror_SameUpstreamAndAddress_ReplacedInPlace_WithoutMirrorRemoves()
    {
        var mirrors = RegistryMirrors.Empty
            .WithMirror(RegistryMirror.Create(Hub, First))
            .WithMirror(RegistryMirror.Create(Hub, Second));

        var replaced = mirrors.WithMirror(RegistryMirror.Create(Hub, First, mirrorOnly: true));
        var removed = replaced.WithoutMirror(Hub, First);

        Assert.Equal([First, Second], replaced.All.Select(m => m.Address));
        Assert.True(replaced.All[0].MirrorOnly);
        Assert.Equal([Second], removed.All.Select(m => m.Address));
        Assert.Same(removed, removed.WithoutMirror(Hub, First));
        Assert.Same(mirrors, mirrors.WithMirror(RegistryMirror.Create(Hub, First)));
    }
}
