using CsCheck;
using Registries.Core.Storage;

namespace Registries.Core.Tests.Domain;

/// <summary>Scopes (issue 16): path prefixes and host patterns, how they parse, what they cover, which one decides.</summary>
public sealed class RegistryScopeTests
{
    [Theory]
    [InlineData("registry.example.com", null, "registry.example.com")]
    [InlineData("registry.example.com:5000", "team", "registry.example.com:5000/team")]
    [InlineData("registry.example.com", "team/sub", "registry.example.com/team/sub")]
    [InlineData("registry.example.com", "a.b_c__d-e--f/g", "registry.example.com/a.b_c__d-e--f/g")]
    [InlineData("*.corp.example", null, "*.corp.example")]
    [InlineData("*.*.Corp.Example:5000", "team", "*.*.corp.example:5000/team")]
    [InlineData("*.dkr.ecr.eu-west-1.amazonaws.com", null, "*.dkr.ecr.eu-west-1.amazonaws.com")]
    [InlineData("docker.io", "library", "docker.io/library")]
    public void Parse_ValidScope_IsWrittenBack(string address, string? path, string expected)
    {
        var scope = RegistryScope.Parse(address, path);

        Assert.Equal(expected, scope.ToString());
        Assert.Equal(path ?? string.Empty, scope.Path);
        Assert.Equal(address.StartsWith('*'), scope.Address.IsPattern);
    }

    [Theory]
    [InlineData("team/", "starts or ends with '/'", "'team'")]
    [InlineData("/team", "starts or ends with '/'", "'team'")]
    [InlineData("team//sub", "empty component", null)]
    [InlineData("Team", "'Team' is not lowercase", null)]
    [InlineData("team:v1", "without a scheme, a tag or a digest", null)]
    [InlineData("team@sha256:abc", "without a scheme, a tag or a digest", null)]
    [InlineData("team a", "blanks", null)]
    [InlineData("team\nsub", "blanks or control characters", null)]
    [InlineData("team-", "'team-' is not lowercase", null)]
    [InlineData("a-.b", "'a-.b'", null)]
    [InlineData("a___b", "'a___b'", null)]
    [InlineData("..", "'..'", null)]
    public void Parse_InvalidPath_ThrowsWithWhatToFix(string path, string expected, string? suggestion)
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryScope.Parse("registry.example.com", path));

        Assert.Equal(RegistryAddressError.InvalidPath, error.Error);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        if (suggestion is not null)
        {
            Assert.Contains("give " + suggestion, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_PathLongerThanAName_IsRefused()
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryScope.Parse("registry.example.com", new string('a', 256)));

        Assert.Contains("longer than 255", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.com", "at least two labels")]
    [InlineData("*.localhost", "at least two labels")]
    [InlineData("*.docker.io", "Docker Hub is one registry")]
    [InlineData("*.*.docker.io", "Docker Hub is one registry")]
    [InlineData("*.0.0.1", "IP address")]
    [InlineData("reg*.corp.example", "'*' stands for one whole label")]
    [InlineData("*.corp.*.example", "only the first labels")]
    [InlineData("*corp.example", "'*' stands for one whole label")]
    [InlineData("*.corp.example:0", "invalid port")]
    [InlineData("*.corp.example/v2", "has a path")]
    [InlineData("https://*.corp.example", "starts with a scheme")]
    public void ParsePattern_Invalid_ThrowsWithWhatToFix(string pattern, string expected)
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.ParsePattern(pattern));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(RegistryAddress.TryParsePattern(pattern, out _));
    }

    [Theory]
    [InlineData("*.alice:CANARY-pw@corp.example")]
    [InlineData("alice:CANARY-pw@*.corp.example")]
    [InlineData("https://alice:CANARY-pw@*.corp.example")]
    [InlineData("*.corp.*.alice:CANARY-pw@example")]
    public void ParsePattern_UserInfo_NeverShowsThePassword(string pattern)
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryScope.Parse(pattern));

        Assert.DoesNotContain("CANARY", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alice:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.", "no host after its '*.' labels")]
    [InlineData("*.corp.example\n", "contains blanks")]
    public void ParsePattern_BadHostAfterTheWildcards_SaysWhatIsWrong(string pattern, string expected)
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.ParsePattern(pattern.Replace("\\n", "\n", StringComparison.Ordinal)));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ParsePattern_NoWildcard_SaysToGiveAnAddress()
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.ParsePattern("corp.example"));

        Assert.Equal(RegistryAddressError.InvalidPattern, error.Error);
        Assert.Contains("it has no '*'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AddressWithWildcard_PointsToTheScopeOfAnEntry()
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse("*.corp.example"));

        Assert.Contains("host pattern", error.Message, StringComparison.Ordinal);
        Assert.Contains("--address '*.corp.example'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PastedUrl_IsStillRefusedWithTheAddressCorrection()
    {
        var error = Assert.Throws<RegistryAddressFormatException>(() => RegistryScope.Parse("https://registry.example.com:5000/v2/"));

        Assert.Contains("give 'registry.example.com:5000'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*.corp.example", "eu.corp.example", true)]
    [InlineData("*.corp.example", "EU.Corp.Example", true)]
    [InlineData("*.corp.example", "corp.example", false)]
    [InlineData("*.corp.example", "a.b.corp.example", false)]
    [InlineData("*.*.corp.example", "a.b.corp.example", true)]
    [InlineData("*.corp.example", "eu.corp.example:5000", false)]
    [InlineData("*.corp.example:5000", "eu.corp.example:5000", true)]
    [InlineData("*.corp.example:5000", "eu.corp.example", false)]
    [InlineData("*.corp.example", "eucorp.example", false)]
    [InlineData("*.corp.example", "eu.xcorp.example", false)]
    public void Covers_Pattern_MatchesExactlyOneLabelPerWildcardAndTheSamePort(string pattern, string address, bool expected)
    {
        Assert.Equal(expected, RegistryAddress.ParsePattern(pattern).Covers(RegistryAddress.Parse(address)));
    }

    [Fact]
    public void GetCoveringPatterns_ListsEveryPatternThatCouldCover_MostSpecificFirst()
    {
        var patterns = RegistryAddress.Parse("a.eu.corp.example:5000").GetCoveringPatterns();

        Assert.Equal(["*.eu.corp.example:5000", "*.*.corp.example:5000"], patterns.Select(p => p.ToString()));
        Assert.All(patterns, p => Assert.True(p.Covers(RegistryAddress.Parse("a.eu.corp.example:5000"))));
        Assert.Empty(RegistryAddress.Parse("corp.example").GetCoveringPatterns());
        Assert.Empty(RegistryAddress.DockerHub.GetCoveringPatterns());
        Assert.Empty(RegistryAddress.Parse("10.0.0.5:5000").GetCoveringPatterns());
        Assert.Empty(RegistryAddress.Parse("[fe80::1]:5000").GetCoveringPatterns());
    }

    [Theory]
    [InlineData("team", "registry.example.com/team/app", true)]
    [InlineData("team", "registry.example.com/team/sub/app", true)]
    [InlineData("team", "registry.example.com/team-b/app", false)]
    [InlineData("team", "registry.example.com/teams/app", false)]
    [InlineData("team", "registry.example.com/team", true)]
    [InlineData("team/sub", "registry.example.com/team/app", false)]
    [InlineData("team/sub", "registry.example.com/team/sub/app:1.0", true)]
    [InlineData("team", "other.example.com/team/app", false)]
    public void Covers_Path_MatchesOnSlashBoundariesOnly(string path, string image, bool expected)
    {
        Assert.Equal(expected, RegistryScope.Parse("registry.example.com", path).Covers(ImageReference.Parse(image)));
    }

    [Fact]
    public void Covers_DockerHubPath_IsTheFullRepositoryPath()
    {
        var library = RegistryScope.Parse("docker.io", "library");

        Assert.True(library.Covers(ImageReference.Parse("ubuntu")));
        Assert.False(library.Covers(ImageReference.Parse("bitnami/redis")));
        Assert.True(RegistryScope.Parse("index.docker.io", "bitnami").Covers(ImageReference.Parse("docker.io/bitnami/redis")));
    }

    [Fact]
    public void Covers_AddressResolution_OnlyHostLevelScopes()
    {
        var address = RegistryAddress.Parse("registry.example.com");

        Assert.True(RegistryScope.Parse("registry.example.com").Covers(address));
        Assert.False(RegistryScope.Parse("registry.example.com", "team").Covers(address));
        Assert.False(RegistryScope.Parse("*.example.com").Covers(RegistryAddress.Parse("example.com")));
        Assert.True(RegistryScope.Parse("*.example.com").Covers(address));
        Assert.True(RegistryScope.Parse("*.example.com").Covers(RegistryAddress.Parse("eu.example.com")));
    }

    [Fact]
    public void Equality_AddressCaseAndDockerHubAliasesIgnored_PathExact()
    {
        Assert.Equal(RegistryScope.Parse("Registry.Example.com", "team"), RegistryScope.Parse("registry.example.com", "team"));
        Assert.Equal(RegistryScope.Parse("index.docker.io", "library"), RegistryScope.Parse("docker.io", "library"));
        Assert.NotEqual(RegistryScope.Parse("registry.example.com", "team"), RegistryScope.Parse("registry.example.com", "team/sub"));
        Assert.NotEqual(RegistryScope.Parse("registry.example.com"), RegistryScope.Parse("registry.example.com", "team"));
        Assert.NotEqual(RegistryAddress.ParsePattern("*.example.com"), RegistryAddress.Parse("x.example.com"));
        Assert.Equal(RegistryScope.Parse("registry.example.com", "team").GetHashCode(), RegistryScope.Parse("REGISTRY.example.com", "team").GetHashCode());
    }

    [Fact]
    public async Task Resolve_IssueStory_TeamPathDecidesTeamBGetsTheHostEntryAndDeactivationDenies()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var host = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com:5000"), DomainFixture.Credential("host", "wrong"));
        var team = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com:5000", "team"), DomainFixture.Credential("robot", DomainFixture.Canary));

        var teamImage = await fixture.ResolveAsync("registry.example.com:5000/team/app:1.0");
        var teamB = await fixture.ResolveAsync("registry.example.com:5000/team-b/app");
        var address = await fixture.Resolver.ResolveAsync(fixture.EnvironmentId, RegistryAddress.Parse("registry.example.com:5000"));
        Assert.Equal((ResolutionOutcome.Authenticated, team.Id, DomainFixture.Canary), (teamImage.Outcome, teamImage.RegistryId, teamImage.Password!.Reveal()));
        Assert.Equal((ResolutionOutcome.Authenticated, host.Id), (teamB.Outcome, teamB.RegistryId));
        Assert.Equal((ResolutionOutcome.Authenticated, host.Id), (address.Outcome, address.RegistryId));

        await service.DeactivateRegistryAsync(fixture.EnvironmentId, team.Id);

        var denied = await fixture.ResolveAsync("registry.example.com:5000/team/app");
        Assert.Equal((ResolutionOutcome.Denied, team.Id), (denied.Outcome, denied.RegistryId));
        Assert.Contains("registry.example.com:5000/team", denied.Reason, StringComparison.Ordinal);
        Assert.Equal(host.Id, (await fixture.ResolveAsync("registry.example.com:5000/team-b/app")).RegistryId);
    }

    [Fact]
    public async Task Resolve_ExactHostBeforePattern_MorePreciseBeforeWider_RemovedScopeFallsThrough()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var exact = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("eu.corp.example"), DomainFixture.Credential("exact"));
        var pattern = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("*.corp.example"), DomainFixture.Credential("pattern"));
        var patternTeam = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("*.corp.example", "team"), DomainFixture.Credential("pattern-team"));
        var wide = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("*.*.corp.example"), DomainFixture.Credential("wide"));

        Assert.Equal(exact.Id, (await fixture.ResolveAsync("eu.corp.example/team/app")).RegistryId);
        Assert.Equal(patternTeam.Id, (await fixture.ResolveAsync("us.corp.example/team/app")).RegistryId);
        Assert.Equal(pattern.Id, (await fixture.ResolveAsync("us.corp.example/other/app")).RegistryId);
        Assert.Equal(wide.Id, (await fixture.ResolveAsync("a.us.corp.example/team/app")).RegistryId);
        Assert.Equal(ResolutionOutcome.Anonymous, (await fixture.ResolveAsync("corp.example/team/app")).Outcome);
        Assert.Equal(ResolutionOutcome.Anonymous, (await fixture.ResolveAsync("us.corp.example:5000/team/app")).Outcome);

        // Deleting every entry of a scope removes the scope: the next one decides. Deactivating does not.
        await service.DeactivateRegistryAsync(fixture.EnvironmentId, exact.Id);
        Assert.Equal(ResolutionOutcome.Denied, (await fixture.ResolveAsync("eu.corp.example/team/app")).Outcome);
        await service.DeleteRegistryAsync(fixture.EnvironmentId, exact.Id);
        Assert.Equal(patternTeam.Id, (await fixture.ResolveAsync("eu.corp.example/team/app")).RegistryId);
    }

    [Fact]
    public async Task ResolveAsync_Scope_AnswersTheScopesOwnEffectiveEntry()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com"), DomainFixture.Credential("host"));
        var team = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("team", DomainFixture.Canary));
        var pattern = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("*.corp.example"), DomainFixture.Credential("corp"));
        await service.DeactivateRegistryAsync(fixture.EnvironmentId, pattern.Id);

        var teamAnswer = await service.ResolveAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"));
        var patternAnswer = await service.ResolveAsync(fixture.EnvironmentId, RegistryScope.Parse("*.corp.example"));
        var none = await service.ResolveAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team/sub"));

        Assert.Equal((ResolutionOutcome.Authenticated, team.Id, DomainFixture.Canary), (teamAnswer.Outcome, teamAnswer.RegistryId, teamAnswer.Password!.Reveal()));
        Assert.Null(teamAnswer.Image);
        Assert.Equal((ResolutionOutcome.Denied, pattern.Id, "*.corp.example"), (patternAnswer.Outcome, patternAnswer.RegistryId, patternAnswer.Address.ToString()));
        Assert.Equal(ResolutionOutcome.Anonymous, none.Outcome);
        await Assert.ThrowsAsync<PermissionDeniedException>(() => fixture.Service.As(DomainFixture.Reader).ResolveAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com")).AsTask());
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => fixture.Service.As(DomainFixture.Outsider).ResolveAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com")).AsTask());
    }

    [Fact]
    public async Task ListRegistries_EffectiveAndOverriddenArePerScope()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var host = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com"), DomainFixture.Credential("host"));
        var teamOld = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("old"));
        var teamNew = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("new"));

        var listed = (await service.ListRegistriesAsync(fixture.EnvironmentId)).ToDictionary(e => e.Registry.Id);

        Assert.True(listed[host.Id].IsEffective);
        Assert.True(listed[teamOld.Id].IsOverridden);
        Assert.True(listed[teamNew.Id].IsEffective);
        Assert.True((await service.GetRegistryAsync(fixture.EnvironmentId, host.Id)).IsEffective);
        Assert.Contains(fixture.Events, e => e.Kind == Events.RegistryEventKind.Overridden && e.Registry.Id == teamOld.Id);
        Assert.DoesNotContain(fixture.Events, e => e.Kind == Events.RegistryEventKind.Overridden && e.Registry.Id == host.Id);
        Assert.Equal("team", listed[teamNew.Id].Registry.Path);
    }

    [Fact]
    public async Task Explain_GivesTheVerdictOfEveryCandidateWithoutAPassword()
    {
        var fixture = await DomainFixture.CreateAsync();
        var service = fixture.Service.As(DomainFixture.Owner);
        var removed = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("removed", DomainFixture.Canary));
        await service.DeactivateRegistryAsync(fixture.EnvironmentId, removed.Id);
        await service.DeleteRegistryAsync(fixture.EnvironmentId, removed.Id);
        var host = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com"), DomainFixture.Credential("host", DomainFixture.Canary));
        var old = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("old", DomainFixture.Canary));
        var effective = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team"), DomainFixture.Credential("new", DomainFixture.Canary));
        var otherPath = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("registry.example.com", "team-b"), DomainFixture.Credential("b", DomainFixture.Canary));
        var pattern = await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("*.corp.example"), DomainFixture.Credential("p", DomainFixture.Canary));
        await service.AddRegistryAsync(fixture.EnvironmentId, RegistryScope.Parse("other.example.com"), DomainFixture.Credential("other", DomainFixture.Canary));

        // A ReadOnly member may read the explanation: it holds no password.
        var explanation = await fixture.Service.As(DomainFixture.Reader).ExplainAsync(fixture.EnvironmentId, ImageReference.Parse("registry.example.com/team/app"));

        Assert.Equal(ResolutionOutcome.Authenticated, explanation.Outcome);
        Assert.Equal(effective.Id, explanation.DecidingRegistry?.Id);
        Assert.Equal("registry.example.com/team", explanation.DecidingScope?.ToString());
        var verdicts = explanation.Candidates.ToDictionary(c => c.Registry.Id, c => c.Verdict);
        Assert.Equal(
            new Dictionary<string, CandidateVerdict>
            {
                [removed.Id] = CandidateVerdict.Removed,
                [host.Id] = CandidateVerdict.LessSpecific,
                [old.Id] = CandidateVerdict.Overridden,
                [effective.Id] = CandidateVerdict.Effective,
                [otherPath.Id] = CandidateVerdict.PathDidNotMatch,
                [pattern.Id] = CandidateVerdict.PatternDidNotMatch,
            },
            verdicts);
        Assert.All(explanation.Candidates, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason)));
        var text = explanation + string.Join("\n", explanation.Candidates.Select(c => c.ToString() + c.Reason));
        Assert.DoesNotContain(DomainFixture.Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(typeof(ResolutionExplanation).GetProperties(), p => p.PropertyType == typeof(RegistrySecret));
    }

    [Fact]
    public async Task Explain_NonMember_IsNotFoundLikeAnUnknownEnvironment()
    {
        var fixture = await DomainFixture.CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => fixture.Service.As(DomainFixture.Outsider).ExplainAsync(fixture.EnvironmentId, ImageReference.Parse("ubuntu")).AsTask());
    }

    // Whatever the order of the adds, the most specific covering scope decides, and in it the newest entry.
    [Fact]
    public void Resolve_Property_MostSpecificScopeDecidesWhateverTheOrderOfAdds()
    {
        var scopes = new[]
        {
            RegistryScope.Parse("a.corp.example"),
            RegistryScope.Parse("a.corp.example", "team"),
            RegistryScope.Parse("a.corp.example", "team/sub"),
            RegistryScope.Parse("a.corp.example", "team-b"),
            RegistryScope.Parse("*.corp.example"),
            RegistryScope.Parse("*.corp.example", "team"),
            RegistryScope.Parse("*.*.corp.example"),
            RegistryScope.Parse("b.corp.example"),
        };
        var images = new[] { "a.corp.example/team/sub/app", "a.corp.example/team/app", "a.corp.example/team-b/x", "a.corp.example/teams/x", "c.corp.example/team/x", "c.corp.example/x", "d.c.corp.example/x", "b.corp.example/team/x" };
        var entries = Gen.Select(Gen.Int[0, scopes.Length - 1], Gen.Int[0, 2]).Array[1, 12];
        Gen.Select(entries, Gen.Int[0, images.Length - 1]).Sample((adds, imageIndex) =>
        {
            var image = ImageReference.Parse(images[imageIndex]);
            var records = adds.Select((add, i) =>
            {
                var state = add.Item2 switch { 0 => RegistryState.Active, 1 => RegistryState.Inactive, _ => RegistryState.Removed };
                var registry = new Registry("1r" + (i + 1), "1a1", scopes[add.Item1], state, "e@example.com", "u" + i, i + 1, 1);
                return new StoredRegistry(registry, state == RegistryState.Removed ? null : new RegistrySecret("p" + i));
            }).ToArray();

            var resolution = CredentialResolver.Resolve(image, records);

            // The model: the live covering entries, the most specific scope's, the newest of them.
            var live = records.Where(r => r.Registry.State != RegistryState.Removed && r.Registry.Scope.Covers(image)).ToList();
            if (live.Count == 0)
            {
                return resolution.Outcome == ResolutionOutcome.Anonymous;
            }

            var best = live.Max(r => Rank(r.Registry.Scope));
            var expected = live.Where(r => Rank(r.Registry.Scope) == best).MaxBy(r => r.Registry.Sequence)!;
            var shuffled = CredentialResolver.Resolve(image, [.. records.Reverse()]);
            return resolution.RegistryId == expected.Registry.Id
                && shuffled.RegistryId == expected.Registry.Id
                && resolution.Outcome == (expected.Registry.State == RegistryState.Active ? ResolutionOutcome.Authenticated : ResolutionOutcome.Denied);
        });

        // Exact before pattern, more labels before fewer, then more path segments.
        static (int, int, int) Rank(RegistryScope scope)
            => (scope.Address.IsPattern ? 0 : 1, scope.Address.ToString().Split(':')[0].Split('.').Count(l => l != "*"), scope.Path.Length == 0 ? 0 : scope.Path.Split('/').Length);
    }

    // A path prefix covers a repository exactly when the repository is the prefix or goes on with '/'.
    [Fact]
    public void CoversPath_Property_SegmentBoundariesHold()
    {
        var run = Gen.String[Gen.Char["ab0"], 1, 3];
        var component = Gen.Select(run, Gen.OneOfConst(string.Empty, "-", "--", ".", "_", "__"), run, (a, separator, b) => separator.Length == 0 ? a : a + separator + b);
        var path = component.Array[1, 3].Select(c => string.Join('/', c));
        Gen.Select(path, path).Sample((prefix, repository) =>
        {
            ImageReference image;
            try
            {
                image = ImageReference.Parse("r.example.com/" + repository);
            }
            catch (ImageReferenceFormatException)
            {
                return true;
            }

            var expected = repository == prefix || repository.StartsWith(prefix + "/", StringComparison.Ordinal);
            return RegistryScope.Parse("r.example.com", prefix).Covers(image) == expected
                && RegistryScope.Parse("r.example.com", prefix).Covers(ImageReference.Parse("r.example.com/" + prefix + "x/y")) == false;
        });
    }
}
