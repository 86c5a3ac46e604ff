namespace Registries.Cli.Tests;

// Values typed on the command line that the library's options refuse (an empty path, a --docker-host that is no
// endpoint, a store path that names a folder): exit code 2 and one line that names the option typed and what to give,
// never the C# property of the options class, and nothing touched.
public sealed class OptionValueTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Theory]
    [InlineData("--docker-host 'relative' is relative: give an absolute URI such as unix:///var/run/docker.sock", "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", "relative")]
    [InlineData("--docker-host 'ftp://docker.example.com/' uses the unsupported scheme 'ftp'", "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", "ftp://docker.example.com")]
    [InlineData("--docker-host 'unix:///' names no socket path: write unix:///PATH/TO/docker.sock", "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", "unix:///")]
    [InlineData("--docker-host 'tcp://docker.example.com/' needs a host and a port", "pull", "prod", "registry.example.com:5000/team/app", "--docker-host", "tcp://docker.example.com")]
    [InlineData("--certs-dir is empty; give an absolute path, for example '/etc/docker/certs.d'", "trust", "127.0.0.1:1", "--certs-dir", "")]
    [InlineData("--ca-bundle is empty; give an absolute path", "trust", "127.0.0.1:1", "--ca-bundle", "")]
    [InlineData("--daemon-json is empty; give an absolute path, for example '/etc/docker/daemon.json'", "insecure", "add", "10.0.0.5:5000", "--daemon-json", "")]
    [InlineData("--docker-opts-file is empty; give an absolute path, for example '/etc/default/docker'", "insecure", "remove", "10.0.0.5:5000", "--docker-opts-file", " ")]
    [InlineData("--helper-dir is empty: give the absolute folder that holds docker-credential-* helpers", "registry", "import", "prod", "--docker-config", "CONFIG", "--default-email", "ops@example.com", "--helper-dir", "")]
    [InlineData("--certs-dir is empty: give Docker's certs.d folder", "registry", "add", "prod", "--quay", "--email", "q@example.com", "--username", "q", "--password-stdin", "--verify", "--certs-dir", "")]
    public async Task RefusedByTheOptionsRules_BadInputNamingTheOption(string expected, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var config = _cli.Combine("config.json");
        await File.WriteAllTextAsync(config, "{\"auths\":{\"quay.io\":{\"username\":\"q\",\"password\":\"canary-q\"}}}");
        var before = _cli.StoreBytes();
        var files = Directory.GetFiles(_cli.Folder).Order(StringComparer.Ordinal).ToArray();

        // Bounded well below the runner's limit: the options are checked before any network or Docker is tried.
        var result = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), "canary-typed", [.. args.Select(a => a == "CONFIG" ? config : a)]);

        var line = result.AssertOneLineError(2);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("Options.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("canary", line, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
        Assert.Equal(files, Directory.GetFiles(_cli.Folder).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StoreOfAHundredThousandCharacters_OneBoundedLine()
    {
        var result = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), null, "env", "list", "--store", new string('a', 100_000));

        var line = result.AssertOneLineError(4);
        Assert.True(line.Length < 2200, $"The error line has {line.Length} characters.");
        Assert.Contains("more characters)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseHostOfAHundredThousandCharacters_BadInputNamingStore()
    {
        var result = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), null, "env", "list", "--store", "Host=" + new string('a', 100_000) + ";Username=u;Database=d", "--key-file", _cli.Combine("k.key"));

        var line = result.AssertOneLineError(2);
        Assert.Contains("--store names a Host longer than 253 characters", line, StringComparison.Ordinal);
        Assert.True(line.Length < 2200, $"The error line has {line.Length} characters.");
    }

    [Fact]
    public async Task StoreThatNamesAFolder_BadInputNamingStoreAndAFileToGive()
    {
        var folder = _cli.Combine("state") + "/";

        var result = await _cli.RunAsync("--store", folder, "env", "create", "prod");

        var line = result.AssertOneLineError(2);
        Assert.Contains($"--store '{folder}' names a folder; give a file in it, such as '{folder}registries.json'", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }

    public void Dispose() => _cli.Dispose();
}
