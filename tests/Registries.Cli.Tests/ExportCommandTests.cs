using System.Text;
using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>export (and its first name, docker-config): the docker-daemon fragment, k3s mirrors, the policy in the
/// credential formats, notes on stderr and in the --json summary, and --strict refusing with nothing written.</summary>
/// <remarks>Policy and mirrors are set with the CLI's own policy and mirror commands, over the file store.</remarks>
public sealed class ExportCommandTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Export_AndItsFirstNameDockerConfig_PrintTheSameDocument()
    {
        _cli.CopyStoreFrom(seed.Cli);

        foreach (var format in new[] { "docker", "containers-auth", "k3s", "docker-daemon" })
        {
            string[] certificates = format == "k3s" ? ["--certs-dir", _cli.Combine("none")] : [];
            var exported = await _cli.SucceedAsync(["export", "1a1", "--format", format, .. certificates]);
            var aliased = await _cli.SucceedAsync(["docker-config", "1a1", "--format", format, .. certificates]);

            Assert.Equal(exported, aliased);
        }
    }

    [Fact]
    public async Task Export_DockerDaemon_PrintsDockerHubMirrorsAndNotesWhatDockerCannotHoldOnStderr()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "1a1", "docker.io", "mirror.example.com:5000");
        await _cli.SucceedAsync("mirror", "add", "1a1", "docker.io", "second.example.com", "--mirror-only");
        await _cli.SucceedAsync("mirror", "add", "1a1", "registry.example.com:5000", "cache.example.com");
        await _cli.SucceedAsync("policy", "deny", "1a1", "docker.io/bad");

        var result = await _cli.RunAsync("export", "1a1", "--format", "docker-daemon");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var mirrors = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("registry-mirrors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["https://mirror.example.com:5000", "https://second.example.com"], mirrors);
        Assert.DoesNotContain(SeededStore.Canary, result.Stdout, StringComparison.Ordinal);
        var notes = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(notes, n => Assert.StartsWith("registries: note: ", n, StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("registries: note: docker.io: mirror-only, but dockerd always falls back", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("registries: note: registry.example.com:5000: its mirrors (cache.example.com) are not written", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("registries: note: policy 'deny docker.io/bad': not written", StringComparison.Ordinal));
        Assert.Equal(3, notes.Length);
    }

    [Fact]
    public async Task Export_DockerDaemonStrict_ExitThreeAndNothingWritten()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "1a1", "quay.io", "quay-cache.example.com");
        var file = _cli.Combine("docker", "daemon.json");

        var result = await _cli.RunAsync("export", "1a1", "--format", "docker-daemon", "--strict", "--output", file);

        var error = result.AssertOneLineError(3);
        Assert.Contains("quay.io: its mirrors (quay-cache.example.com) are not written", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public async Task Export_DockerDaemonToAFile_OwnerOnlyAndTheJsonSummaryListsTheNotes()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("mirror", "add", "1a1", "docker.io", "mirror.example.com:5000", "--rewrite", "^library/(.*)", "hub/library/$1");
        var file = _cli.Combine("daemon.json");

        var summary = JsonDocument.Parse(await _cli.SucceedAsync("export", "1a1", "--format", "docker-daemon", "--output", file, "--json")).RootElement;

        Assert.Equal("{\n  \"registry-mirrors\": []\n}\n", await File.ReadAllTextAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal("docker-daemon", summary.GetProperty("format").GetString());
        var note = Assert.Single(summary.GetProperty("notes").EnumerateArray()).GetString()!;
        Assert.StartsWith("mirror.example.com:5000: mirror of docker.io not written: it renames repositories", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_K3sWithMirrors_WritesMirrorsWithRewriteAndTheMirrorCredentialInConfigs()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedWithInputAsync(SeededStore.Canary, "registry", "add", "1a1", "--address", "mirror.example.com:5000", "--email", "ops@example.com", "--username", "mirror-user", "--password-stdin");
        await _cli.SucceedAsync("mirror", "add", "1a1", "docker.io", "mirror.example.com:5000", "--rewrite", "^library/(.*)", "hub/library/$1");

        var yaml = await _cli.SucceedAsync("export", "1a1", "--format", "k3s", "--certs-dir", _cli.Combine("none"), "--strict");

        var expected = """
            mirrors:
              "docker.io":
                endpoint:
                  - "https://mirror.example.com:5000"
                rewrite:
                  "^library/(.*)": "hub/library/$1"
            configs:
              "docker.io":
                auth:
                  username: "u"
                  password: "canary-Pa55:word/+é \"q\""
              "mirror.example.com:5000":
                auth:
                  username: "mirror-user"
                  password: "canary-Pa55:word/+é \"q\""
              "registry.example.com:5000":
                auth:
                  username: "deployer"
                  password: "canary-Pa55:word/+é \"q\""

            """;
        Assert.Equal(expected, yaml);
    }

    [Fact]
    public async Task Export_PolicyDeniesAHost_ItsCredentialIsLeftOutWithANoteAndStrictRefuses()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "deny", "1a1", "registry.example.com:5000");
        var file = _cli.Combine("config.json");

        var result = await _cli.RunAsync("export", "1a1", "--format", "docker");
        var strict = await _cli.RunAsync("export", "1a1", "--format", "docker", "--strict", "--output", file);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var auths = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("auths");
        Assert.Equal(["https://index.docker.io/v1/"], auths.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            "registries: note: registry.example.com:5000: not exported: the environment's policy denies every image it would be sent for (the environment's policy denies 'registry.example.com:5000').",
            result.Stderr.TrimEnd('\n'));
        var error = strict.AssertOneLineError(3);
        Assert.Contains("registry.example.com:5000: not exported", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Export_PolicyDeniesPartOfAHost_WrittenWithANoteThatTheFileCannotRefuseSingleImages()
    {
        _cli.CopyStoreFrom(seed.Cli);
        await _cli.SucceedAsync("policy", "allow", "1a1", "docker.io/library");
        await _cli.SucceedAsync("policy", "allow", "1a1", "registry.example.com:5000");

        var result = await _cli.RunAsync("export", "1a1", "--format", "containers-auth");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var auth = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("auths").GetProperty("docker.io").GetProperty("auth").GetString()!;
        Assert.Equal("u:" + SeededStore.Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
        var note = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("registries: note: docker.io: written, but the environment's policy denies some of its images (the environment's policy allows only 'docker.io/library' of it);", note, StringComparison.Ordinal);
        Assert.DoesNotContain(SeededStore.Canary, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--name", "pull-secret")]
    [InlineData("--certs-dir", "/etc/docker/certs.d")]
    public async Task Export_DockerDaemonWithAnOptionOfAnotherFormat_IsAUsageError(string option, string value)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync("export", "1a1", "--format", "docker-daemon", option, value);

        var error = result.AssertOneLineError(2);
        Assert.Contains("not --format docker-daemon", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsEveryFormatAndTheAlias()
    {
        var help = await _cli.SucceedAsync("export", "--help");
        var commands = await _cli.SucceedAsync("--help");

        foreach (var format in new[] { "docker", "kubernetes", "containers-auth", "k3s", "docker-daemon" })
        {
            Assert.Contains(format, help, StringComparison.Ordinal);
        }

        Assert.Contains("docker-config, export <ENV>", commands, StringComparison.Ordinal);
        Assert.Contains("registry-mirrors", help, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
