using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>What the export makes of an environment's policy and mirrors: k3s mirrors, the docker-daemon fragment, and
/// the credential formats obeying the policy where a file keyed by registry can.</summary>
public sealed class ExportPolicyAndMirrorsTests
{
    private const string FakePassword = "fake-password-1";
    private const string Canary = "canary-policy-Pa55";

    private static readonly DockerConfigFormat[] CredentialFormats =
        [DockerConfigFormat.Docker, DockerConfigFormat.Kubernetes, DockerConfigFormat.ContainersAuth, DockerConfigFormat.K3s];

    [Fact]
    public async Task ExportAsync_PolicyAndMirrors_AreCarried()
    {
        var domain = await Domain.CreateAsync();
        await DenyAsync(domain, "evil.example.com");
        await MirrorAsync(domain, "docker.io", "mirror.example.com:5000");

        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        Assert.Equal("deny evil.example.com", Assert.Single(export.Policy.Rules).ToString());
        Assert.Equal("mirror.example.com:5000", Assert.Single(export.Mirrors.All).Address.ToString());
    }

    [Fact]
    public async Task RenderAsync_K3sWithMirrors_MatchesTheGoldenFile()
    {
        var export = await ArrangeMirrorsAsync();

        var document = await export.RenderAsync(DockerConfigFormat.K3s);

        Assert.Equal("registries.yaml", Assert.Single(document.Files).Path);
        Assert.Equal(Golden.Read("Export/golden/k3s-mirrors.yaml"), document.Files[0].GetText());
        Assert.Equal(await export.ToK3sRegistriesYamlAsync(), document.Files[0].GetText());
        Assert.Empty(document.Notes);
        export.EnsureExpressible(DockerConfigFormat.K3s);
    }

    [Fact]
    public async Task RenderAsync_K3sWithMirrors_ReadsBackThroughAYamlParser()
    {
        var export = await ArrangeMirrorsAsync();
        var yaml = (await export.RenderAsync(DockerConfigFormat.K3s)).Files[0].GetText();

        var result = await Processes.RunAsync(
            "python3",
            ["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin.read()), sys.stdout)"],
            input: yaml,
            timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.Error);
        var mirrors = JsonDocument.Parse(result.Output).RootElement.GetProperty("mirrors");
        Assert.Equal(["https://mirror.example.com:5000", "https://[fd00::5]:5000"], mirrors.GetProperty("docker.io").GetProperty("endpoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("proxy/team/$1", mirrors.GetProperty("registry.example.com:5000").GetProperty("rewrite").GetProperty("^team/(.*)").GetString());
    }

    [Fact]
    public async Task K3s_MirrorOnly_WrittenWithANoteAndRefusedWhenStrict()
    {
        var domain = await Domain.CreateAsync();
        await MirrorAsync(domain, "docker.io", "mirror.example.com:5000", mirrorOnly: true);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var document = await export.RenderAsync(DockerConfigFormat.K3s);

        Assert.Contains("\"https://mirror.example.com:5000\"", document.Files[0].GetText(), StringComparison.Ordinal);
        var note = Assert.Single(document.Notes);
        Assert.Contains("--disable-default-registry-endpoint", note, StringComparison.Ordinal);
        var refused = Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.K3s));
        Assert.Equal("docker.io", Assert.Single(refused.Scopes).ToString());
    }

    [Fact]
    public async Task K3s_MirrorsWithDifferentRewrites_TheFirstRewriteIsWrittenTheOtherMirrorNoted()
    {
        var domain = await Domain.CreateAsync();
        await MirrorAsync(domain, "docker.io", "a.example.com", MirrorRewrite.Parse("^library/(.*)", "hub/library/$1"));
        await MirrorAsync(domain, "docker.io", "b.example.com");
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var yaml = (await export.RenderAsync(DockerConfigFormat.K3s)).Files[0].GetText();

        Assert.Contains("https://a.example.com", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("b.example.com", yaml, StringComparison.Ordinal);
        Assert.Contains(export.GetNotes(DockerConfigFormat.K3s), n => n.StartsWith("b.example.com: mirror of docker.io not written", StringComparison.Ordinal));
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.K3s));
    }

    [Fact]
    public async Task RenderAsync_DockerDaemon_MatchesTheGoldenFileWithoutAnyCredential()
    {
        var export = await ArrangeMirrorsAsync();

        var document = await export.RenderAsync(DockerConfigFormat.DockerDaemon);

        Assert.Equal("daemon.json", Assert.Single(document.Files).Path);
        Assert.Equal(Golden.Read("Export/golden/docker-daemon.json"), document.Files[0].GetText());
        Assert.Empty(export.GetScopes(DockerConfigFormat.DockerDaemon));
        Assert.DoesNotContain(FakePassword, document.Files[0].GetText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerDaemon_WhatDockerCannotExpress_IsNotedAndRefusedWhenStrict()
    {
        var export = await ArrangeMirrorsAsync();

        var notes = export.GetNotes(DockerConfigFormat.DockerDaemon);

        // The mirror of another registry, the mirror with its own credential; each names what it is about.
        Assert.Contains(notes, n => n.StartsWith("registry.example.com:5000: its mirrors (cache.example.com) are not written: dockerd mirrors Docker Hub only", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("mirror.example.com:5000: written as a mirror, but daemon.json holds no credential", StringComparison.Ordinal));
        Assert.Equal(2, notes.Count);
        var refused = Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.DockerDaemon));
        Assert.Equal(DockerConfigFormat.DockerDaemon, refused.Format);
    }

    [Fact]
    public async Task DockerDaemon_RewriteMirrorOnlyAndPolicy_AreNotesAndTheRewritingMirrorIsLeftOut()
    {
        var domain = await Domain.CreateAsync();
        await MirrorAsync(domain, "docker.io", "hub.example.com", MirrorRewrite.Parse("^library/(.*)", "dockerhub/library/$1"));
        await MirrorAsync(domain, "docker.io", "plain.example.com", mirrorOnly: true);
        await DenyAsync(domain, "docker.io/bad");
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var document = await export.RenderAsync(DockerConfigFormat.DockerDaemon);

        var mirrors = JsonDocument.Parse(document.Files[0].GetText()).RootElement.GetProperty("registry-mirrors");
        Assert.Equal(["https://plain.example.com"], mirrors.EnumerateArray().Select(e => e.GetString()));
        Assert.Collection(
            document.Notes,
            n => Assert.StartsWith("hub.example.com: mirror of docker.io not written: it renames repositories (^library/(.*) -> dockerhub/library/$1)", n, StringComparison.Ordinal),
            n => Assert.StartsWith("docker.io: mirror-only, but dockerd always falls back to Docker Hub", n, StringComparison.Ordinal),
            n => Assert.StartsWith("policy 'deny docker.io/bad': not written: dockerd has no image policy", n, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DockerDaemon_NoMirrors_WritesAnEmptyListAndNoNote()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var document = await export.RenderAsync(DockerConfigFormat.DockerDaemon);

        Assert.Equal("{\n  \"registry-mirrors\": []\n}\n", document.Files[0].GetText());
        Assert.Empty(document.Notes);
        export.EnsureExpressible(DockerConfigFormat.DockerDaemon);
    }

    [Fact]
    public async Task CredentialFormats_HostWhollyDenied_IsNotWrittenAndTheNoteNamesTheRule()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("evil.example.com", "evil-user", Canary);
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await DenyAsync(domain, "evil.example.com");
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        foreach (var format in CredentialFormats)
        {
            var document = await export.RenderAsync(format);
            var text = Readable(format, document.Files[0].GetText());
            Assert.DoesNotContain("evil.example.com", text, StringComparison.Ordinal);
            Assert.Contains("registry.example.com:5000", text, StringComparison.Ordinal);
            var note = Assert.Single(document.Notes);
            Assert.Equal("evil.example.com: not exported: the environment's policy denies every image it would be sent for (the environment's policy denies 'evil.example.com').", note);
            Assert.DoesNotContain("evil.example.com", export.GetScopes(format).Select(s => s.ToString()));
            var refused = Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(format));
            Assert.Equal("evil.example.com", Assert.Single(refused.Scopes).ToString());
        }
    }

    [Fact]
    public async Task CredentialFormats_AllowListWithoutTheHost_TheHostIsNotWritten()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("other.example.com", "other", Canary);
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope("registry.example.com:5000")));
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var json = export.ToDockerConfigJson();

        Assert.DoesNotContain("other.example.com", json, StringComparison.Ordinal);
        Assert.Contains("registry.example.com:5000", json, StringComparison.Ordinal);
        Assert.Contains(export.GetNotes(DockerConfigFormat.Docker), n => n.StartsWith("other.example.com: not exported", StringComparison.Ordinal) && n.Contains("no allow rule", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CredentialFormats_HostPartlyDenied_IsWrittenWithANoteAndRefusedWhenStrict()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await DenyAsync(domain, "registry.example.com:5000/team-b");
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        foreach (var format in CredentialFormats)
        {
            Assert.Contains("registry.example.com:5000", export.GetScopes(format).Select(s => s.ToString()));
            var note = Assert.Single(export.GetNotes(format));
            Assert.StartsWith("registry.example.com:5000: written, but the environment's policy denies some of its images (the environment's policy denies 'registry.example.com:5000/team-b');", note, StringComparison.Ordinal);
            Assert.Contains("cannot refuse single images", note, StringComparison.Ordinal);
            Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(format));
        }
    }

    [Fact]
    public async Task ContainersAuth_PathEntryUnderADeniedPath_IsNotWrittenWhileItsHostIs()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await DockerConfigExportScopeTests.AddScopedAsync(domain, "registry.example.com:5000", "team/sub", "team-user", Canary);
        await DenyAsync(domain, "registry.example.com:5000/team");
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var json = export.ToContainersAuthJson();

        var keys = JsonDocument.Parse(json).RootElement.GetProperty("auths").EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["registry.example.com:5000"], keys);
        var notes = export.GetNotes(DockerConfigFormat.ContainersAuth);
        Assert.Contains(notes, n => n.StartsWith("registry.example.com:5000/team/sub: not exported: the environment's policy denies every image", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("registry.example.com:5000: written, but the environment's policy denies some", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CredentialFormats_MirrorHostOutsideTheAllowList_IsStillWrittenForTheUpstreamItServes()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("mirror.example.com:5000", "mirror-user", FakePassword);
        await MirrorAsync(domain, "docker.io", "mirror.example.com:5000");
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Allow(RegistryScope.ParseScope("docker.io")));
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var yaml = await export.ToK3sRegistriesYamlAsync();

        // Policy is decided on the name asked for (docker.io/...), never on the mirror's: the mirror needs its credential.
        Assert.Contains("\"mirror.example.com:5000\":\n    auth:", yaml, StringComparison.Ordinal);
        var note = Assert.Single(export.GetNotes(DockerConfigFormat.K3s));
        Assert.Contains("though it is written for the upstreams it mirrors", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialFormats_NoPolicy_NoteOrRefusalAsBefore()
    {
        var export = await ArrangeMirrorsAsync();

        foreach (var format in new[] { DockerConfigFormat.Docker, DockerConfigFormat.Kubernetes, DockerConfigFormat.ContainersAuth })
        {
            Assert.Empty(export.GetNotes(format));
            export.EnsureExpressible(format);
        }
    }

    [Fact]
    public async Task WriteAsync_EachFormat_WritesWhatRenderAsyncRendersOwnerOnly()
    {
        using var directory = new TestDirectory("registries-export-");
        var export = await ArrangeMirrorsAsync();

        foreach (var format in Enum.GetValues<DockerConfigFormat>())
        {
            var path = directory.Combine(format.ToString(), "file");
            var written = await export.WriteAsync(format, path);

            Assert.Equal((await export.RenderAsync(format)).Files[0].GetText(), await File.ReadAllTextAsync(path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal(export.GetNotes(format), written.Notes);
            Assert.False(written.IsTree);
        }
    }

    [Fact]
    public async Task ExportDocumentAndFile_ToString_NeverHoldTheContent()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", Canary);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);

        var document = await export.RenderAsync(DockerConfigFormat.Docker);

        Assert.DoesNotContain("canary", document.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("canary", document.Files[0].ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Matches("^config.json \\(\\d+ bytes\\)$", document.Files[0].ToString());
    }

    // The Secret's config.json is base64 inside the manifest; the other formats are read as they are.
    private static string Readable(DockerConfigFormat format, string text)
        => format == DockerConfigFormat.Kubernetes
            ? System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(JsonDocument.Parse(text).RootElement.GetProperty("data").GetProperty(".dockerconfigjson").GetString()!))
            : text;

    // docker.io: two mirrors (one with its own credential, one IPv6); registry.example.com:5000: one rewriting mirror.
    private static async Task<DockerConfigExport> ArrangeMirrorsAsync()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deployer", FakePassword);
        await domain.AddAsync("mirror.example.com:5000", "mirror-user", FakePassword);
        await MirrorAsync(domain, "docker.io", "mirror.example.com:5000");
        await MirrorAsync(domain, "registry.example.com:5000", "cache.example.com", MirrorRewrite.Parse("^team/(.*)", "proxy/team/$1"));
        await MirrorAsync(domain, "docker.io", "[fd00::5]:5000");
        return await domain.Exporter().ExportAsync(domain.EnvironmentId);
    }

    private static async Task MirrorAsync(Domain domain, string upstream, string mirror, MirrorRewrite? rewrite = null, bool mirrorOnly = false)
        => await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse(upstream), RegistryAddress.Parse(mirror), rewrite, mirrorOnly));

    private static async Task DenyAsync(Domain domain, string scope)
        => await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope(scope)));
}
