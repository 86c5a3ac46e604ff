using CsCheck;

namespace Registries.Core.Interop.Tests;

/// <summary>registries.conf and policy.json from a policy and mirrors: what each file says, judged by a model of
/// containers/image, and never wider than the environment.</summary>
public sealed class ContainersPolicyExportTests
{
    private const string Digest = "@sha256:1111111111111111111111111111111111111111111111111111111111111111";

    private static ContainersPolicyExport Export(PolicyRule[] rules, params RegistryMirror[] mirrors)
        => ContainersPolicyExport.Create(RegistryPolicy.Create(rules), RegistryMirrors.Create(mirrors));

    private static PolicyRule Allow(string scope, bool digestOnly = false) => PolicyRule.Allow(RegistryScope.ParseScope(scope), digestOnly);

    private static PolicyRule Deny(string scope) => PolicyRule.Deny(RegistryScope.ParseScope(scope));

    private static RegistryMirror Mirror(string upstream, string address, (string Regex, string Replacement)? rewrite = null, bool mirrorOnly = false)
        => RegistryMirror.Create(RegistryAddress.Parse(upstream), RegistryAddress.Parse(address), rewrite is { } r ? MirrorRewrite.Parse(r.Regex, r.Replacement) : null, mirrorOnly);

    private static ContainersImageModel Model(ContainersPolicyExport export) => new(export.ToPolicyJson(), export.ToRegistriesConf());

    private static ImageReference Image(string name) => ImageReference.Parse(name);

    [Fact]
    public void PolicyJson_NoRules_AcceptsAnything()
    {
        var export = Export([]);

        Assert.Equal("{\n  \"default\": [\n    {\n      \"type\": \"insecureAcceptAnything\"\n    }\n  ]\n}\n", export.ToPolicyJson());
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.PolicyJson));
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.RegistriesConf));
        export.EnsureExpressible(ContainersPolicyFormat.PolicyJson);
    }

    [Fact]
    public void PolicyJson_AllowList_RejectsByDefaultAndAcceptsEachAllowedScope()
    {
        var export = Export([Allow("registry.example.com:5000/team"), Allow("docker.io/library"), Deny("registry.example.com:5000/team/secret")]);

        var expected = """
            {
              "default": [
                {
                  "type": "reject"
                }
              ],
              "transports": {
                "docker": {
                  "docker.io/library": [
                    {
                      "type": "insecureAcceptAnything"
                    }
                  ],
                  "registry.example.com:5000/team": [
                    {
                      "type": "insecureAcceptAnything"
                    }
                  ],
                  "registry.example.com:5000/team/secret": [
                    {
                      "type": "reject"
                    }
                  ]
                }
              }
            }

            """;
        Assert.Equal(expected, export.ToPolicyJson());
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.PolicyJson));
        var model = Model(export);
        Assert.True(model.Accepts(Image("registry.example.com:5000/team/app:1")));
        Assert.False(model.Accepts(Image("registry.example.com:5000/team-b/app:1")));
        Assert.False(model.Accepts(Image("registry.example.com:5000/team/secret/app:1")));
        Assert.True(model.Accepts(Image("ubuntu:22.04")));
        Assert.False(model.Accepts(Image("quay.io/org/app:1")));
    }

    [Fact]
    public void PolicyJson_AnAllowRuleUnderADenyRule_IsWrittenAsReject()
    {
        var export = Export([Allow("registry.example.com"), Deny("registry.example.com/team"), Allow("registry.example.com/team/sub")]);

        var model = Model(export);

        // policy.json would let the more specific accept win; our deny rule covers it, so it is a reject.
        Assert.False(model.Accepts(Image("registry.example.com/team/sub/app:1")));
        Assert.False(model.Accepts(Image("registry.example.com/team/app:1")));
        Assert.True(model.Accepts(Image("registry.example.com/other/app:1")));
        Assert.Contains("\"registry.example.com/team/sub\": [\n        {\n          \"type\": \"reject\"", export.ToPolicyJson(), StringComparison.Ordinal);
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.PolicyJson));
    }

    [Fact]
    public void PolicyJson_APatternDenyRuleWithAPath_RejectsThatPathOnEveryConcreteHostItCovers()
    {
        var export = Export([Allow("eu.corp.example"), Deny("*.corp.example/team")]);

        var model = Model(export);

        Assert.False(model.Accepts(Image("eu.corp.example/team/app:1")));
        Assert.True(model.Accepts(Image("eu.corp.example/other/app:1")));
        var note = Assert.Single(export.GetNotes(ContainersPolicyFormat.PolicyJson));
        Assert.Contains("*.corp.example/team: denied, written as policy.json's '*.corp.example'", note, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyJson_DigestOnly_IsRejectedAltogetherWithANote_AndStrictRefuses()
    {
        var export = Export([Allow("registry.example.com/pinned", digestOnly: true)]);

        var model = Model(export);

        Assert.False(model.Accepts(Image("registry.example.com/pinned/app:1")));
        Assert.False(model.Accepts(Image("registry.example.com/pinned/app" + Digest)));
        Assert.Contains("pulls by digest are refused too", Assert.Single(export.GetNotes(ContainersPolicyFormat.PolicyJson)), StringComparison.Ordinal);
        var refused = Assert.Throws<ContainersPolicyExportRefusedException>(() => export.EnsureExpressible(ContainersPolicyFormat.PolicyJson));
        Assert.Equal(ContainersPolicyFormat.PolicyJson, refused.Format);
        Assert.Contains("registry.example.com/pinned", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyJson_APatternAllowRule_IsNotAccepted_BecausePolicyJsonsWildcardIsWider()
    {
        var export = Export([Allow("*.corp.example")]);

        var model = Model(export);

        Assert.False(model.Accepts(Image("a.b.corp.example/app:1")));
        Assert.False(model.Accepts(Image("eu.corp.example/app:1")));
        Assert.DoesNotContain("*.corp.example", export.ToPolicyJson(), StringComparison.Ordinal);
        Assert.Contains("a.b.corp.example", Assert.Single(export.GetNotes(ContainersPolicyFormat.PolicyJson)), StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyJson_DenyRulesWithoutAnAllowList_NoteThatCapitalsEscape()
    {
        var export = Export([Deny("evil.example")]);

        Assert.Contains("capitals", Assert.Single(export.GetNotes(ContainersPolicyFormat.PolicyJson)), StringComparison.Ordinal);
        Assert.Empty(Export([Deny("10.0.0.5:5000")]).GetNotes(ContainersPolicyFormat.PolicyJson));
    }

    [Fact]
    public void RegistriesConf_Mirrors_AreTriedInOrderThenTheUpstream()
    {
        var export = Export([], Mirror("docker.io", "mirror.example:5000"), Mirror("docker.io", "cache.example"));

        var expected = """
            # containers-registries.conf(5), version 2: an environment's mirrors and deny rules, written by Registries.Core.
            # Pair it with the policy.json of the same environment, which holds its allow rules.

            [[registry]]
            prefix = "docker.io"
            location = "docker.io"

            [[registry.mirror]]
            location = "mirror.example:5000"

            [[registry.mirror]]
            location = "cache.example"

            """;
        Assert.Equal(expected, export.ToRegistriesConf());
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.RegistriesConf));
        Assert.Equal(["mirror.example:5000/library/ubuntu:22.04", "cache.example/library/ubuntu:22.04", "docker.io/library/ubuntu:22.04"], Model(export).Sources(Image("ubuntu:22.04")));
    }

    [Fact]
    public void RegistriesConf_MirrorOnly_MakesTheLastMirrorTheLocation_SoTheUpstreamIsNeverContacted()
    {
        var export = Export([], Mirror("quay.io", "m1.example"), Mirror("quay.io", "m2.example", mirrorOnly: true));

        Assert.Equal(["m1.example/org/app:1", "m2.example/org/app:1"], Model(export).Sources(Image("quay.io/org/app:1")));

        // Exact for the names written as here; QUAY.io/org/app is another string to containers/image.
        Assert.Contains("quay.io (mirror-only): registries.conf compares host names as written", Assert.Single(export.GetNotes(ContainersPolicyFormat.RegistriesConf)), StringComparison.Ordinal);
    }

    [Fact]
    public void RegistriesConf_APrefixSwapRewrite_IsATableAtThatPrefix()
    {
        var export = Export([], Mirror("docker.io", "harbor.example", ("^library/(.*)", "hub-proxy/library/$1")), Mirror("docker.io", "plain.example"));

        var model = Model(export);

        Assert.Equal(["harbor.example/hub-proxy/library/ubuntu:1", "plain.example/library/ubuntu:1", "docker.io/library/ubuntu:1"], model.Sources(Image("ubuntu:1")));
        Assert.Equal(["harbor.example/org/app:1", "plain.example/org/app:1", "docker.io/org/app:1"], model.Sources(Image("org/app:1")));
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.RegistriesConf));
    }

    [Fact]
    public void RegistriesConf_AnotherRewrite_IsLeftOutWithANote()
    {
        var export = Export([], Mirror("docker.io", "harbor.example", ("library", "x")));

        Assert.DoesNotContain("harbor.example", export.ToRegistriesConf(), StringComparison.Ordinal);
        Assert.Contains("not a prefix swap", Assert.Single(export.GetNotes(ContainersPolicyFormat.RegistriesConf)), StringComparison.Ordinal);
        Assert.Throws<ContainersPolicyExportRefusedException>(() => export.EnsureExpressible(ContainersPolicyFormat.RegistriesConf));
    }

    [Fact]
    public void RegistriesConf_DenyRules_AreBlocked_AndADeniedPathOfAMirroredUpstreamToo()
    {
        var export = Export([Deny("10.0.0.5:5000/team"), Deny("10.0.0.6:5000")], Mirror("10.0.0.5:5000", "10.0.0.7:5000"));

        var model = Model(export);

        Assert.True(model.Find(Image("10.0.0.5:5000/team/app:1"))!.Blocked);
        Assert.True(model.Find(Image("10.0.0.6:5000/app:1"))!.Blocked);
        Assert.False(model.Find(Image("10.0.0.5:5000/team-b/app:1"))!.Blocked);
        Assert.Empty(export.GetNotes(ContainersPolicyFormat.RegistriesConf));
    }

    [Fact]
    public void RegistriesConf_DigestOnlyOnAMirroredUpstream_SetsMirrorByDigestOnly_WithANote()
    {
        var export = Export([Allow("docker.io/library", digestOnly: true), Allow("docker.io")], Mirror("docker.io", "mirror.example"));

        var model = Model(export);

        Assert.Equal(["docker.io/library/ubuntu:1"], model.Sources(Image("ubuntu:1")));
        Assert.Equal(["mirror.example/library/ubuntu" + Digest, "docker.io/library/ubuntu" + Digest], model.Sources(Image("ubuntu" + Digest)));
        Assert.Contains(export.GetNotes(ContainersPolicyFormat.RegistriesConf), n => n.Contains("mirror-by-digest-only", StringComparison.Ordinal));
    }

    // Random policies and mirrors over a small world of hosts, paths and patterns, judged by the model of
    // containers/image: policy.json never accepts what the policy denies, and is exact when it has no note;
    // registries.conf blocks every image a deny rule covers, and sends the others where our plan does.
    [Fact]
    public void BothFiles_NeverWiderThanTheEnvironment()
    {
        string[] hosts = ["docker.io", "reg.example.com:5000", "a.corp.example", "b.corp.example", "x.y.corp.example", "a.corp.example:5000", "127.0.0.1:5000"];
        string[] paths = ["", "team", "team/sub", "library"];
        string[] patterns = ["*.corp.example", "*.corp.example/team", "*.corp.example:5000", "*.*.corp.example"];
        var scopes = hosts.SelectMany(h => paths.Select(p => p.Length == 0 ? h : h + "/" + p)).Concat(patterns).ToArray();
        string[] repositories = ["team/app", "team/sub/app", "team-b/app", "library/ubuntu", "other/app"];
        var images = hosts.SelectMany(h => repositories.SelectMany(r => new[] { $"{h}/{r}:1", $"{h}/{r}{Digest}" })).Select(Image).ToArray();
        (string, string)?[] rewrites = [null, null, ("^team/(.*)", "cache/team/$1"), ("^(.*)$", "hub/${1}"), ("team", "x")];
        string[] upstreams = ["docker.io", "reg.example.com:5000", "a.corp.example"];
        string[] mirrorHosts = ["m1.example:5000", "m2.example"];

        var rule = Gen.Select(Gen.Int[0, scopes.Length - 1], Gen.Int[0, 2]);
        var mirror = Gen.Select(Gen.Int[0, upstreams.Length - 1], Gen.Int[0, mirrorHosts.Length - 1], Gen.Int[0, rewrites.Length - 1], Gen.Int[0, 4]);
        Gen.Select(rule.Array[0, 6], mirror.Array[0, 3]).Sample((ruleChoices, mirrorChoices) =>
        {
            var rules = new Dictionary<string, PolicyRule>(StringComparer.Ordinal);
            foreach (var (scope, kind) in ruleChoices)
            {
                rules[scopes[scope]] = kind switch { 0 => Deny(scopes[scope]), 1 => Allow(scopes[scope]), _ => Allow(scopes[scope], digestOnly: true) };
            }

            var mirrors = new Dictionary<(string, string), RegistryMirror>();
            foreach (var (upstream, host, rewrite, only) in mirrorChoices)
            {
                mirrors[(upstreams[upstream], mirrorHosts[host])] = Mirror(upstreams[upstream], mirrorHosts[host], rewrites[rewrite], mirrorOnly: only == 0);
            }

            var policy = RegistryPolicy.Create(rules.Values);
            var set = RegistryMirrors.Create(mirrors.Values);
            var export = ContainersPolicyExport.Create(policy, set);
            var model = Model(export);
            var policyNotes = export.GetNotes(ContainersPolicyFormat.PolicyJson);
            var confNotes = export.GetNotes(ContainersPolicyFormat.RegistriesConf);
            foreach (var image in images)
            {
                var decision = policy.Evaluate(image);
                var accepted = model.Accepts(image);
                Assert.False(accepted && !decision.IsAllowed, $"policy.json accepts {image}, which {policy} denies:\n{export.ToPolicyJson()}");
                Assert.False(policyNotes.Count == 0 && accepted != decision.IsAllowed, $"policy.json without notes refuses {image}, which {policy} allows:\n{export.ToPolicyJson()}");

                var table = model.Find(image);
                var deniedByRule = decision.Rule is { Effect: PolicyEffect.Deny };
                Assert.False(deniedByRule && table is not { Blocked: true }, $"registries.conf does not block {image}, which {policy} denies:\n{export.ToRegistriesConf()}");
                var plan = set.Plan(image).Select(s => s.Image.ToString()).ToList();
                var quirk = image.Address.Port is not null && set.Upstreams().Any(u => u.Port is null && image.Address.ToString().StartsWith(u + ":", StringComparison.Ordinal));
                var digestOnlyTag = table is { DigestOnly: true } && image.Digest is null;
                if (table is { Blocked: false } && !quirk && !digestOnlyTag && confNotes.All(n => !n.Contains("not a prefix swap", StringComparison.Ordinal)))
                {
                    Assert.True(plan.SequenceEqual(model.Sources(image)), $"{image}: plan {string.Join(", ", plan)} but registries.conf {string.Join(", ", model.Sources(image))}:\n{export.ToRegistriesConf()}");
                }

                if (table is { Blocked: true } && !deniedByRule)
                {
                    // Narrower only where a note says so, or a mirror-only upstream has no mirror for the image.
                    Assert.True(confNotes.Count > 0 || plan.Count == 0, $"registries.conf blocks {image} without a note:\n{export.ToRegistriesConf()}");
                }
            }
        }, iter: 300);
    }

    [Fact]
    public async Task Exporter_AReadOnlyMember_MayExport_AnOutsiderMayNot()
    {
        var domain = await Domain.CreateAsync();
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, Deny("evil.example"));
        await domain.Service.SetMemberAsync(domain.EnvironmentId, "reader", EnvironmentRole.ReadOnly);

        var export = await new ContainersPolicyExporter(domain.As("reader")).ExportAsync(domain.EnvironmentId);

        Assert.Contains("\"evil.example\"", export.ToPolicyJson(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => new ContainersPolicyExporter(domain.As("mallory")).ExportAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task WriteAsync_WritesAFileEveryoneMayRead()
    {
        using var directory = new Registries.Testing.TestDirectory("registries-containers-write-");
        var path = directory.Combine("etc", "containers", "policy.json");

        await Export([Deny("10.0.0.5:5000")]).WriteAsync(ContainersPolicyFormat.PolicyJson, path);

        Assert.Contains("10.0.0.5:5000", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
    }
}
