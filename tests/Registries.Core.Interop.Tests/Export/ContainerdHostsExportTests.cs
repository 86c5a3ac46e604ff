using Registries.Testing;

namespace Registries.Core.Interop.Tests;

public sealed class ContainerdHostsExportTests
{
    private const string Canary = "CANARY-containerd-p4ss";

    [Fact]
    public async Task RenderAsync_DockerHubWithTwoMirrors_ServerThenMirrorsInOrder()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        await AddMirrorAsync(domain, "docker.io", "10.0.0.5:5000");

        var files = await (await ExportAsync(domain)).RenderAsync();

        var file = Assert.Single(files);
        Assert.Equal("docker.io/hosts.toml", file.RelativePath);
        Assert.Equal(
            """
            # Mirrors of docker.io, written by registries export --format containerd-hosts.
            # Replaced at each export: change the environment's mirrors, not this file.
            server = "https://registry-1.docker.io"

            [host."https://mirror.example.com"]
              capabilities = ["pull", "resolve"]

            [host."https://10.0.0.5:5000"]
              capabilities = ["pull", "resolve"]

            """.ReplaceLineEndings("\n"),
            file.Content);
    }

    [Theory]
    [InlineData("^(.*)$", "cache/$1", "cache")]
    [InlineData("(.*)", "cache/docker/${1}", "cache/docker")]
    [InlineData("^(.+)$", "a.b/c_d/$1", "a.b/c_d")]
    public async Task RenderAsync_PrefixRewrite_ApiRootWithOverridePath(string pattern, string replacement, string prefix)
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "registry.example.com:5000", "mirror.example.com", MirrorRewrite.Parse(pattern, replacement));

        var export = await ExportAsync(domain);
        var file = Assert.Single(await export.RenderAsync());

        Assert.Equal("registry.example.com:5000", file.Folder);
        Assert.Contains("server = \"https://registry.example.com:5000\"\n", file.Content, StringComparison.Ordinal);
        Assert.Contains($"[host.\"https://mirror.example.com/v2/{prefix}\"]\n  capabilities = [\"pull\", \"resolve\"]\n  override_path = true\n", file.Content, StringComparison.Ordinal);
        Assert.Empty(export.Notes);
        export.EnsureExpressible();
    }

    [Theory]
    [InlineData("^library/(.*)$", "dockerhub/library/$1")]
    [InlineData("^(.*)$", "$1/cache")]
    [InlineData("^(.*)/(.*)$", "cache/$1/$2")]
    [InlineData("^(team)/(.*)$", "cache/$1/$2")]
    [InlineData("(.*)", "cache/${1}/${1}")]
    public async Task RenderAsync_RewriteNotAPrefix_MirrorLeftOutWithNoteAndStrictRefuses(string pattern, string replacement)
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "rewriting.example.com", MirrorRewrite.Parse(pattern, replacement));
        await AddMirrorAsync(domain, "docker.io", "plain.example.com");

        var export = await ExportAsync(domain);
        var file = Assert.Single(await export.RenderAsync());

        Assert.DoesNotContain("rewriting.example.com", file.Content, StringComparison.Ordinal);
        Assert.Contains("[host.\"https://plain.example.com\"]", file.Content, StringComparison.Ordinal);
        var note = Assert.Single(export.Notes);
        Assert.StartsWith("docker.io -> rewriting.example.com: left out:", note, StringComparison.Ordinal);
        var refusal = Assert.Throws<ContainerdHostsExportRefusedException>(export.EnsureExpressible);
        Assert.Contains("rewriting.example.com", refusal.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<RegistryRuleException>(refusal);
    }

    [Fact]
    public async Task RenderAsync_MirrorOnly_LastMirrorIsTheServerTooAndTheUpstreamIsNeverNamed()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "registry.example.com", "first.example.com");
        await AddMirrorAsync(domain, "registry.example.com", "last.example.com:443", MirrorRewrite.Parse("^(.*)$", "up/$1"), mirrorOnly: true);

        var export = await ExportAsync(domain);
        var file = Assert.Single(await export.RenderAsync());

        Assert.Contains("server = \"https://last.example.com:443/v2/up\"\ncapabilities = [\"pull\", \"resolve\"]\noverride_path = true\n", file.Content, StringComparison.Ordinal);
        Assert.Contains("[host.\"https://first.example.com\"]", file.Content, StringComparison.Ordinal);
        Assert.Contains("[host.\"https://last.example.com:443/v2/up\"]", file.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("https://registry.example.com", file.Content, StringComparison.Ordinal);
        Assert.Contains(export.Notes, n => n.StartsWith("registry.example.com: mirror-only:", StringComparison.Ordinal));
        export.EnsureExpressible();
    }

    [Fact]
    public async Task RenderAsync_MirrorOnlyWithoutAWritableMirror_UpstreamMayOnlyBePushedTo()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "registry.example.com", "mirror.example.com", MirrorRewrite.Parse("^library/(.*)$", "hub/$1"), mirrorOnly: true);

        var export = await ExportAsync(domain);
        var file = Assert.Single(await export.RenderAsync());

        Assert.Contains("server = \"https://registry.example.com\"\ncapabilities = [\"push\"]\n", file.Content, StringComparison.Ordinal);
        Assert.Contains("[host.\"https://registry.example.com\"]\n  capabilities = [\"push\"]\n", file.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("\"pull\"", file.Content, StringComparison.Ordinal);
        Assert.Equal(2, export.Notes.Count);
        Assert.Throws<ContainerdHostsExportRefusedException>(export.EnsureExpressible);
    }

    [Fact]
    public async Task RenderAsync_Policy_NotWrittenNoteAndStrictRefuses()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        await domain.Service.SetPolicyRuleAsync(domain.EnvironmentId, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com/team")));

        var export = await ExportAsync(domain);

        var note = Assert.Single(export.Notes);
        Assert.Contains("deny registry.example.com/team", note, StringComparison.Ordinal);
        Assert.Contains("containerd has no registry policy", note, StringComparison.Ordinal);
        Assert.Throws<ContainerdHostsExportRefusedException>(export.EnsureExpressible);
    }

    [Fact]
    public async Task RenderAsync_HostsWithCredentials_NoteSaysWhereTheyGoAndNoSecretAnywhere()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        await domain.AddAsync("mirror.example.com", "robot", Canary);
        await domain.AddAsync("docker.io", "hub", Canary);
        await domain.AddAsync("unrelated.example.com", "other", Canary);

        var export = await ExportAsync(domain);
        var files = await export.RenderAsync();

        var note = Assert.Single(export.Notes);
        Assert.StartsWith("mirror.example.com, docker.io: credentials not written:", note, StringComparison.Ordinal);
        Assert.Contains("registry.configs", note, StringComparison.Ordinal);
        Assert.Contains("ctr with --user", note, StringComparison.Ordinal);
        Assert.DoesNotContain("unrelated", note, StringComparison.Ordinal);
        export.EnsureExpressible();
        Assert.All(files, f => Assert.DoesNotContain(Canary, f.Content, StringComparison.Ordinal));
        Assert.All(files, f => Assert.DoesNotContain("robot", f.Content, StringComparison.Ordinal));
        Assert.DoesNotContain(Canary, string.Join(' ', export.Notes) + export, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_NoMirrors_NoFiles()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("docker.io", "hub", Canary);

        var export = await ExportAsync(domain);

        Assert.Empty(await export.RenderAsync());
        Assert.Empty(export.Upstreams);
        Assert.Empty(export.Notes);
    }

    [Fact]
    public async Task RenderAsync_CaFilesInTheCertificatesDirectory_CaFieldsPerHost()
    {
        using var directory = new TestDirectory("registries-containerd-ca-");
        var certificates = directory.Combine("certs \"quoted\"\\dir");
        Directory.CreateDirectory(Path.Combine(certificates, "registry.example.com:5000"));
        Directory.CreateDirectory(Path.Combine(certificates, "mirror.example.com"));
        await File.WriteAllTextAsync(Path.Combine(certificates, "registry.example.com:5000", "ca.crt"), "x");
        await File.WriteAllTextAsync(Path.Combine(certificates, "mirror.example.com", "ca.crt"), "x");
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "registry.example.com:5000", "mirror.example.com");
        await AddMirrorAsync(domain, "registry.example.com:5000", "other.example.com");

        var file = Assert.Single(await (await ExportAsync(domain)).RenderAsync(certificates));

        var escaped = certificates.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        Assert.Contains($"server = \"https://registry.example.com:5000\"\nca = \"{escaped}/registry.example.com:5000/ca.crt\"\n", file.Content, StringComparison.Ordinal);
        Assert.Contains($"[host.\"https://mirror.example.com\"]\n  capabilities = [\"pull\", \"resolve\"]\n  ca = \"{escaped}/mirror.example.com/ca.crt\"\n", file.Content, StringComparison.Ordinal);
        Assert.Contains("[host.\"https://other.example.com\"]\n  capabilities = [\"pull\", \"resolve\"]\n\n", file.Content + "\n", StringComparison.Ordinal);
        await AssertTomlAsync(file.Content, $"{certificates}/mirror.example.com/ca.crt");
    }

    [Fact]
    public async Task RenderAsync_RelativeCertificatesDirectory_ArgumentException()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        var export = await ExportAsync(domain);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => export.RenderAsync("certs.d"));

        Assert.Contains("absolute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_Tree_ReplacesOursLeavesOthersAndWrites0644()
    {
        using var directory = new TestDirectory("registries-containerd-tree-");
        var tree = directory.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(tree, "docker.io"));
        Directory.CreateDirectory(Path.Combine(tree, "quay.io"));
        await File.WriteAllTextAsync(Path.Combine(tree, "docker.io", "hosts.toml"), "server = \"https://old.example.com\"\n");
        await File.WriteAllTextAsync(Path.Combine(tree, "docker.io", "ca.crt"), "kept");
        await File.WriteAllTextAsync(Path.Combine(tree, "quay.io", "hosts.toml"), "server = \"https://quay.io\"\n");
        var outside = directory.Combine("outside.toml");
        await File.WriteAllTextAsync(outside, "outside");
        File.CreateSymbolicLink(Path.Combine(tree, "docker.io", "hosts.toml.link"), outside);
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        await AddMirrorAsync(domain, "[fe80::1]:5000", "mirror.example.com");

        var written = await (await ExportAsync(domain)).WriteAsync(tree);

        Assert.Equal([Path.Combine(tree, "docker.io", "hosts.toml"), Path.Combine(tree, "[fe80::1]:5000", "hosts.toml")], written);
        Assert.Contains("https://mirror.example.com", await File.ReadAllTextAsync(written[0]), StringComparison.Ordinal);
        Assert.DoesNotContain("old.example.com", await File.ReadAllTextAsync(written[0]), StringComparison.Ordinal);
        Assert.Contains("server = \"https://[fe80::1]:5000\"", await File.ReadAllTextAsync(written[1]), StringComparison.Ordinal);
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(tree, "docker.io", "ca.crt")));
        Assert.Equal("server = \"https://quay.io\"\n", await File.ReadAllTextAsync(Path.Combine(tree, "quay.io", "hosts.toml")));
        Assert.Equal("outside", await File.ReadAllTextAsync(outside));
        Assert.All(written, path => Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            File.GetUnixFileMode(path)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(tree, "docker.io"), "*.tmp"));
    }

    [Fact]
    public async Task WriteAsync_HostsFileIsASymbolicLink_ReplacedNotFollowed()
    {
        using var directory = new TestDirectory("registries-containerd-link-");
        var tree = directory.Combine("certs.d");
        Directory.CreateDirectory(Path.Combine(tree, "docker.io"));
        var outside = directory.Combine("outside.toml");
        await File.WriteAllTextAsync(outside, "outside");
        File.CreateSymbolicLink(Path.Combine(tree, "docker.io", "hosts.toml"), outside);
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");

        await (await ExportAsync(domain)).WriteAsync(tree);

        Assert.Equal("outside", await File.ReadAllTextAsync(outside));
        Assert.Null(new FileInfo(Path.Combine(tree, "docker.io", "hosts.toml")).LinkTarget);
    }

    [Fact]
    public async Task WriteAsync_HostFolderIsASymbolicLink_RefusedAndNothingWritten()
    {
        using var directory = new TestDirectory("registries-containerd-folder-link-");
        var tree = directory.Combine("certs.d");
        Directory.CreateDirectory(tree);
        var elsewhere = directory.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateSymbolicLink(Path.Combine(tree, "quay.io"), elsewhere);
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");
        await AddMirrorAsync(domain, "quay.io", "mirror.example.com");

        var error = await Assert.ThrowsAsync<IOException>(async () => await (await ExportAsync(domain)).WriteAsync(tree));

        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
        Assert.False(Directory.Exists(Path.Combine(tree, "docker.io")));
    }

    [Fact]
    public async Task WriteAsync_OutputIsAFile_IOExceptionAndTheFileKept()
    {
        using var directory = new TestDirectory("registries-containerd-file-");
        var file = directory.Combine("certs.d");
        await File.WriteAllTextAsync(file, "a file");
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");

        await Assert.ThrowsAsync<IOException>(async () => await (await ExportAsync(domain)).WriteAsync(file));

        Assert.Equal("a file", await File.ReadAllTextAsync(file));
    }

    [Theory]
    [InlineData("docker.io", "docker.io")]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("Registry.Example.COM:5000", "registry.example.com:5000")]
    [InlineData("[fe80::1]:5000", "[fe80::1]:5000")]
    [InlineData("localhost:5000", "localhost:5000")]
    public void FolderName_Address_AsContainerdLooksItUp(string address, string expected)
        => Assert.Equal(expected, ContainerdHostsExport.FolderName(RegistryAddress.Parse(address)));

    [Fact]
    public void FolderName_Pattern_Refused()
        => Assert.Throws<RegistryRuleException>(() => ContainerdHostsExport.FolderName(RegistryAddress.ParsePattern("*.corp.example")));

    [Theory]
    [InlineData("^(.*)$", "p/$1", true)]
    [InlineData("(.*)$", "p/q/${1}", true)]
    [InlineData("^(.*)", "p/$1", true)]
    [InlineData("^(.*)$", "$1", false)]
    [InlineData("^(.*)$", "p/$1/x", false)]
    [InlineData("^(?<n>.*)$", "p/${n}", false)]
    [InlineData("^(.*)$", "p$$/$1", false)]
    [InlineData("^a(.*)$", "p/$1", false)]
    public void TryGetPrefix_Forms(string pattern, string replacement, bool expected)
        => Assert.Equal(expected, ContainerdHostsExport.TryGetPrefix(MirrorRewrite.Parse(pattern, replacement), out _));

    [Fact]
    public async Task ExportAsync_ReadOnlyMember_MayExportOutsiderMayNot()
    {
        var domain = await Domain.CreateAsync();
        await AddMirrorAsync(domain, "docker.io", "mirror.example.com");

        var export = await new ContainerdHostsExporter(domain.As("reader")).ExportAsync(domain.EnvironmentId);

        Assert.Equal([RegistryAddress.Parse("docker.io")], export.Upstreams);
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => new ContainerdHostsExporter(domain.As("mallory")).ExportAsync(domain.EnvironmentId));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("line\nbreak\ttab\u007f\u0001", "\"line\\nbreak\\ttab\\u007F\\u0001\"")]
    [InlineData("é😀", "\"é😀\"")]
    public void TomlQuote_Escapes(string value, string expected) => Assert.Equal(expected, TomlText.Quote(value));

    [Fact]
    public void TomlQuote_UnpairedSurrogate_ArgumentException()
        => Assert.Throws<ArgumentException>(() => TomlText.Quote("a\uD800b"));

    private static Task<ContainerdHostsExport> ExportAsync(Domain domain) => new ContainerdHostsExporter(domain.Service).ExportAsync(domain.EnvironmentId);

    private static async Task AddMirrorAsync(Domain domain, string upstream, string mirror, MirrorRewrite? rewrite = null, bool mirrorOnly = false)
        => await domain.Service.AddMirrorAsync(domain.EnvironmentId, RegistryMirror.Create(RegistryAddress.Parse(upstream), RegistryAddress.Parse(mirror), rewrite, mirrorOnly));

    // An independent TOML reader (Python's tomllib) reads the file back: the mirror's ca is the path as given.
    private static async Task AssertTomlAsync(string content, string expectedCa)
    {
        var result = await Processes.RunAsync(
            "python3",
            ["-c", "import sys, tomllib; d = tomllib.loads(sys.stdin.read()); print(d['host']['https://mirror.example.com']['ca'], end='')"],
            input: content,
            timeout: TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, "tomllib could not read the file: " + result.Error);
        Assert.Equal(expectedCa, result.Output);
    }
}
