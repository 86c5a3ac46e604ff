using System.Text.Json.Nodes;

namespace Registries.Core.FileStore.Tests;

/// <summary>An environment's policy rules and mirrors in the store file: written in order as format 4 (only once there
/// is one), read back by another store, a format 3 file read as having none, and a damaged or hand-edited rule or mirror
/// refused by name with the file left as it was.</summary>
public sealed class FileRegistryStorePolicyTests : IDisposable
{
    private const string Environment = """{"id":"1a1","name":"a","orchestration":"Cattle","members":{"alice":"Owner"},"version":1""";
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task UpdateEnvironmentAsync_PolicyAndMirrors_WrittenInOrderAsFormatFourAndReadBackByAnotherStore()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var policy = RegistryPolicy.Empty
            .WithRule(PolicyRule.Deny(RegistryScope.ParseScope("*.evil.example")))
            .WithRule(PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000/team"), digestOnly: true))
            .WithRule(PolicyRule.Allow(RegistryScope.ParseScope("docker.io/library")));
        var mirrors = RegistryMirrors.Empty
            .WithMirror(RegistryMirror.Create(RegistryAddress.Parse("index.docker.io"), RegistryAddress.Parse("mirror.example.com:5000"), MirrorRewrite.Parse("^library/(.*)", "hub/${1}")))
            .WithMirror(RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("[fe80::1]:5000"), mirrorOnly: true));

        await store.UpdateEnvironmentAsync(environment.WithPolicy(policy).WithMirrors(mirrors));

        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.Equal(4, (int)document["formatVersion"]!);
        var written = document["environments"]![0]!;
        Assert.Equal(
            """[{"scope":"*.evil.example","effect":"deny","digestOnly":false},{"scope":"registry.example.com:5000/team","effect":"allow","digestOnly":true},{"scope":"docker.io/library","effect":"allow","digestOnly":false}]""",
            written["policy"]!.ToJsonString());
        Assert.Equal(
            """[{"upstream":"docker.io","address":"mirror.example.com:5000","rewrite":{"pattern":"^library/(.*)","replacement":"hub/${1}"},"mirrorOnly":false},{"upstream":"docker.io","address":"[fe80::1]:5000","mirrorOnly":true}]""",
            written["mirrors"]!.ToJsonString());
        var read = await FileRegistryStore.Open(path).GetEnvironmentAsync(environment.Id);
        Assert.Equal(policy, read?.Policy);
        Assert.Equal(mirrors, read?.Mirrors);
        Assert.Equal(EnvironmentRole.Owner, read?.RoleOf("alice"));
    }

    [Fact]
    public async Task FormatThreeFile_ReadWithoutPolicyThenFormatFourWithTheFirstRuleAndThreeAgainWithoutIt()
    {
        var path = _folder.Combine("store.json");
        await File.WriteAllTextAsync(path, $$"""
            {"formatVersion":3,"sequence":2,"environments":[{{Environment}}}],
             "registries":[{"id":"1r2","environmentId":"1a1","address":"r.example.com","state":"Active","email":"a@b.c","username":"","sequence":2,"version":1,"sourceKind":"credential-helper","sourceName":"pass"}]}
            """);
        var store = FileRegistryStore.Open(path);

        var old = await store.GetEnvironmentAsync("1a1");
        Assert.NotNull(old);
        Assert.True(old.Policy.IsEmpty);
        Assert.True(old.Mirrors.IsEmpty);
        var withRule = await store.UpdateEnvironmentAsync(old.WithPolicy(old.Policy.WithRule(PolicyRule.Deny(RegistryScope.ParseScope("r.example.com/team")))));

        // Older releases read format 3 at most: a file with a rule is one they refuse rather than read as allowing all.
        Assert.Equal(4, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);
        var entry = Assert.Single(await FileRegistryStore.Open(path).ListRegistriesAsync("1a1"));
        Assert.Equal(CredentialSource.CredentialHelper("pass"), entry.Registry.Source);
        Assert.Equal(["deny r.example.com/team"], (await FileRegistryStore.Open(path).GetEnvironmentAsync("1a1"))!.Policy.Rules.Select(r => r.ToString()));

        await store.UpdateEnvironmentAsync(withRule.WithPolicy(RegistryPolicy.Empty));
        var content = await File.ReadAllTextAsync(path);
        Assert.Equal(3, (int)JsonNode.Parse(content)!["formatVersion"]!);
        Assert.DoesNotContain("\"policy\"", content, StringComparison.Ordinal);
        Assert.DoesNotContain("\"mirrors\"", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMirror_OnAFormatOneFile_BecomesFormatFour()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.DockerHub), new RegistryCredential("ops@example.com", "ops", "p"));
        Assert.Equal(1, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);

        await store.UpdateEnvironmentAsync(environment.WithMirrors(RegistryMirrors.Empty.WithMirror(RegistryMirror.Create(RegistryAddress.DockerHub, RegistryAddress.Parse("mirror.example.com")))));

        Assert.Equal(4, (int)JsonNode.Parse(await File.ReadAllTextAsync(path))!["formatVersion"]!);
        Assert.Equal("mirror.example.com", Assert.Single((await FileRegistryStore.Open(path).GetEnvironmentAsync(environment.Id))!.Mirrors.All).Address.ToString());
    }

    [Theory]
    [InlineData(4, """ "policy":[{"scope":"https://r.example.com/team","effect":"allow","digestOnly":false}] """, "policy rule 1 has a scope that is not valid")]
    [InlineData(4, """ "policy":[{"scope":"r.example.com/Team","effect":"allow","digestOnly":false}] """, "policy rule 1 has a scope that is not valid")]
    [InlineData(4, """ "policy":[{"effect":"allow","digestOnly":false}] """, "policy rule 1 has no scope")]
    [InlineData(4, """ "policy":[{"scope":"r.example.com","effect":"allow"},{"scope":"s.example.com","effect":"permit"}] """, "policy rule 2 (s.example.com) has an effect that is neither 'allow' nor 'deny'")]
    [InlineData(4, """ "policy":[{"scope":"r.example.com","effect":"deny","digestOnly":true}] """, "digest-only deny rule")]
    [InlineData(4, """ "policy":[{"scope":"r.example.com/team","effect":"allow"},{"scope":"R.EXAMPLE.COM/team","effect":"deny"}] """, "policy rules 1 and 2 both have the scope r.example.com/team")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"m.example.com","rewrite":{"pattern":"(a)\\1","replacement":"x"}}] """, "mirror 1 (m.example.com of docker.io) has a rewrite that does not parse")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"m.example.com","rewrite":{"pattern":"^(a)","replacement":"$2"}}] """, "has a rewrite that does not parse")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"m.example.com","rewrite":{"pattern":"^a"}}] """, "has a rewrite without a replacement")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"index.docker.io"}] """, "cannot be a mirror of itself")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"*.corp.example"}] """, "mirror 1 has an address that is not valid")]
    [InlineData(4, """ "mirrors":[{"address":"m.example.com"}] """, "mirror 1 has no upstream")]
    [InlineData(4, """ "mirrors":[{"upstream":"docker.io","address":"m.example.com"},{"upstream":"docker.io","address":"M.example.com","mirrorOnly":true}] """, "mirrors 1 and 2 are both m.example.com of docker.io")]
    [InlineData(3, """ "policy":[{"scope":"r.example.com","effect":"deny"}] """, "environment '1a1' has a policy, which format version 3 does not have")]
    [InlineData(2, """ "mirrors":[{"upstream":"docker.io","address":"m.example.com"}] """, "environment '1a1' has mirrors, which format version 2 does not have")]
    public async Task ListEnvironmentsAsync_PolicyOrMirrorBreakingARule_RefusedNamingTheEnvironmentAndFileUnchanged(int version, string fields, string expected)
    {
        var path = _folder.Combine("store.json");
        var content = $$"""{"formatVersion":{{version}},"sequence":1,"environments":[{{Environment}},{{fields}}}],"registries":[]}""";
        await File.WriteAllTextAsync(path, content);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        foreach (var e in new[] { read, write })
        {
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
            Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
            Assert.Contains("environment '1a1'", e.Message, StringComparison.Ordinal);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains("It was not changed", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }

        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(""" "policy":{"scope":"r.example.com"} """)]
    [InlineData(""" "policy":[{"scope":7,"effect":"allow"}] """)]
    [InlineData(""" "mirrors":[{"upstream":"docker.io","address":"m.example.com","mirrorOnly":"yes"}] """)]
    public async Task ListEnvironmentsAsync_PolicyOrMirrorsOfTheWrongShape_RefusedAsDamagedAndFileUnchanged(string fields)
    {
        var path = _folder.Combine("store.json");
        var content = $$"""{"formatVersion":4,"sequence":1,"environments":[{{Environment}},{{fields}}}],"registries":[]}""";
        await File.WriteAllTextAsync(path, content);

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).GetEnvironmentAsync("1a1"));

        Assert.Contains("is damaged", e.Message, StringComparison.Ordinal);
        Assert.Contains("environments[0]", e.Message, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task ListEnvironmentsAsync_ScopeWithTerminalEscapes_MessageShowsThemEscapedOnOneLine()
    {
        var path = _folder.Combine("store.json");
        var content = $$"""{"formatVersion":4,"sequence":1,"environments":[{{Environment}},"policy":[{"scope":"r.example.com/a\u001b[2J\nb","effect":"deny"}]}],"registries":[]}""";
        await File.WriteAllTextAsync(path, content);

        var e = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).ListEnvironmentsAsync());

        Assert.Contains("policy rule 1 has a scope that is not valid", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
