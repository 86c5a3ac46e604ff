using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

public sealed class InsecureCommandTests : IDisposable
{
    private readonly RegistriesCli _cli = new();

    private string DaemonJson => Path.Combine(_cli.Folder, "daemon.json");

    private string DockerOpts => Path.Combine(_cli.Folder, "docker");

    [Fact]
    public async Task AddThenRemove_DaemonJson_KeepsOtherKeysAndIsIdempotent()
    {
        await File.WriteAllTextAsync(DaemonJson, "{\n  \"log-driver\": \"json-file\",\n  \"insecure-registries\": [\"old.example.com:5000\"]\n}\n");

        var added = await _cli.SucceedAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--json");
        var document = await File.ReadAllTextAsync(DaemonJson);
        var again = await _cli.SucceedAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts);
        var removed = await _cli.SucceedAsync("insecure", "remove", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts);

        Snapshot.Match(added.Replace(_cli.Folder, "<dir>", StringComparison.Ordinal), "InsecureCommandTests.Add_Json");
        Snapshot.Match(document, "InsecureCommandTests.DaemonJson");
        Assert.EndsWith("Nothing to change.\n", again, StringComparison.Ordinal);
        Assert.Contains("updated " + DaemonJson, removed, StringComparison.Ordinal);
        Assert.DoesNotContain("10.0.0.5:5000", await File.ReadAllTextAsync(DaemonJson), StringComparison.Ordinal);
        Assert.Contains("log-driver", await File.ReadAllTextAsync(DaemonJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_DockerOptsTarget_AppendsToTheLine()
    {
        await File.WriteAllTextAsync(DockerOpts, "# Docker Upstart and SysV initscript\nDOCKER_OPTS=\"--dns 8.8.8.8\"\n");

        await _cli.SucceedAsync("insecure", "add", "registry.example.com:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--target", "docker-opts");

        Snapshot.Match(await File.ReadAllTextAsync(DockerOpts), "InsecureCommandTests.DockerOpts");
        Assert.False(File.Exists(DaemonJson));
    }

    [Fact]
    public async Task Add_DryRun_WritesNothing()
    {
        var text = await _cli.SucceedAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--dry-run");

        Assert.Equal($"would create {DaemonJson}: added '10.0.0.5:5000' to insecure-registries\nThe Docker daemon would need a restart.\n", text);
        Assert.False(File.Exists(DaemonJson));
    }

    [Theory]
    [InlineData(2, "insecure", "add", "https://x:5000/v2", "--daemon-json", "{json}", "--docker-opts-file", "{opts}")]
    [InlineData(2, "insecure", "add", "10.0.0.5:5000", "--daemon-json", "{json}", "--docker-opts-file", "{opts}", "--target", "systemd")]
    [InlineData(2, "insecure", "add")]
    [InlineData(2, "insecure", "10.0.0.5:5000")]
    [InlineData(4, "insecure", "add", "10.0.0.5:5000", "--daemon-json", "{bad}", "--docker-opts-file", "{opts}", "--target", "daemon-json")]
    [InlineData(4, "insecure", "remove", "10.0.0.5:5000", "--daemon-json", "{bad}", "--docker-opts-file", "{opts}")]
    public async Task BadInput_OneLineOnStderr_FilesUnchanged(int exitCode, params string[] args)
    {
        var bad = Path.Combine(_cli.Folder, "bad.json");
        await File.WriteAllTextAsync(bad, "{ \"insecure-registries\": \"not a list\" ");

        var result = await _cli.RunAsync(args.Select(a => a.Replace("{json}", DaemonJson, StringComparison.Ordinal).Replace("{opts}", DockerOpts, StringComparison.Ordinal).Replace("{bad}", bad, StringComparison.Ordinal)).ToArray());

        result.AssertOneLineError(exitCode);
        Assert.False(File.Exists(DaemonJson));
        Assert.False(File.Exists(DockerOpts));
        Assert.Equal("{ \"insecure-registries\": \"not a list\" ", await File.ReadAllTextAsync(bad));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("docker-opts")]
    [InlineData("daemon-json")]
    public async Task Add_HostAlreadyConfiguredBothWays_RefusedWithExit3AndNothingWritten(string? target)
    {
        const string Json = "{\n  \"insecure-registries\": [\"a.example.com:5000\"]\n}\n";
        const string Opts = "DOCKER_OPTS=\"--insecure-registry=b.example.com:5000\"\n";
        await File.WriteAllTextAsync(DaemonJson, Json);
        await File.WriteAllTextAsync(DockerOpts, Opts);
        string[] args = ["insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts];

        var result = await _cli.RunAsync(target is null ? args : [.. args, "--target", target]);

        var error = result.AssertOneLineError(3);
        Assert.Contains("both in", error, StringComparison.Ordinal);
        Assert.Equal(Json, await File.ReadAllTextAsync(DaemonJson));
        Assert.Equal(Opts, await File.ReadAllTextAsync(DockerOpts));
    }

    [Fact]
    public async Task Add_DockerOptsTargetWhileDaemonJsonHasTheKey_RefusedWithExit3()
    {
        const string Json = "{\"insecure-registries\": []}";
        await File.WriteAllTextAsync(DaemonJson, Json);

        var result = await _cli.RunAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--target", "docker-opts");

        Assert.Contains("Use the target auto or daemon-json", result.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Equal(Json, await File.ReadAllTextAsync(DaemonJson));
        Assert.False(File.Exists(DockerOpts));
    }

    [Fact]
    public async Task Add_TargetBoth_IsNoLongerAccepted()
    {
        var result = await _cli.RunAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--target", "both");

        Assert.Contains("both", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.False(File.Exists(DaemonJson));
        Assert.False(File.Exists(DockerOpts));
    }

    [Theory]
    [InlineData("[::1]")]
    [InlineData("[2001:db8::1]")]
    public async Task Add_IPv6WithoutPort_BadInputShowingTheFormToGive(string address)
    {
        var result = await _cli.RunAsync("insecure", "add", address, "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts);

        Assert.Contains($"'{address}:5000'", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.False(File.Exists(DaemonJson));
    }

    [Fact]
    public async Task Add_FifoAsDaemonJsonInADryRun_RefusedAtOnce()
    {
        await RegistriesCli.MakeFifoAsync(DaemonJson);

        // Bounded well below the harness's own limit: a read that blocks fails here.
        var result = await _cli.RunAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts, "--dry-run")
            .WaitAsync(TimeSpan.FromSeconds(30));

        var error = result.AssertOneLineError(4);
        Assert.Contains(DaemonJson, error, StringComparison.Ordinal);
        Assert.Contains("FIFO", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DOCKER_OPTS=$'--label=a\\tb'\n", "$'...'")]
    [InlineData("# defaults\nDOCKER_OPTS=--label=a\\\n", "backslash")]
    [InlineData("DOCKER_OPTS=\"$EXTRA_OPTS --debug\"\n", "$EXTRA_OPTS")]
    public async Task Add_DockerOptsWithShellSyntaxItCannotKeep_RefusedWithExit3NamingFileAndLine(string opts, string expected)
    {
        await File.WriteAllTextAsync(DockerOpts, opts);

        var result = await _cli.RunAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts);

        var error = result.AssertOneLineError(3);
        Assert.Contains(DockerOpts, error, StringComparison.Ordinal);
        Assert.Contains("line " + opts.Count(c => c == '\n'), error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Equal(opts, await File.ReadAllTextAsync(DockerOpts));
        Assert.False(File.Exists(DaemonJson));
    }

    [Fact]
    public async Task Add_LabelWithEscapedBlank_KeepsTheValueTheShellSees()
    {
        await File.WriteAllTextAsync(DockerOpts, "DOCKER_OPTS=--label=a\\ b\n");

        await _cli.SucceedAsync("insecure", "add", "10.0.0.5:5000", "--daemon-json", DaemonJson, "--docker-opts-file", DockerOpts);

        Assert.Equal("DOCKER_OPTS=--label=a\\ b\" --insecure-registry=10.0.0.5:5000\"\n", await File.ReadAllTextAsync(DockerOpts));
    }

    public void Dispose() => _cli.Dispose();
}
