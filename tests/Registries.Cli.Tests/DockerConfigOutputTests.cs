using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

// docker-config --output FILE: the passwords go to a file only its owner can read (0600, whatever was there), written
// atomically through the Interop library; nothing on stdout but, with --json, what was written.
public sealed class DockerConfigOutputTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(45);

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Output_ExistingWorldReadableFile_ReplacedWithMode0600AndNothingPrinted()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var file = Path.Combine(_cli.Folder, "config.json");
        await File.WriteAllTextAsync(file, "old contents");
        File.SetUnixFileMode(file, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var stdout = await _cli.SucceedAsync("docker-config", "prod", "--output", file);

        Assert.Equal(string.Empty, stdout);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        var auths = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement.GetProperty("auths");
        Assert.Equal("deployer:" + SeededStore.Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!)));
        Assert.Empty(Directory.GetFiles(_cli.Folder, ".config.json.*"));
    }

    [Fact]
    public async Task Output_MissingFolders_CreatedOwnerOnly()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var outer = Path.Combine(_cli.Folder, "home", ".docker");
        var file = Path.Combine(outer, "nested", "config.json");

        await _cli.SucceedAsync("docker-config", "prod", "--output", file);

        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.Combine(_cli.Folder, "home")));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(outer));
        Assert.Equal(OwnerOnlyFolder, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Output_Json_SaysWhatWasWrittenWithoutAnyPassword()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var file = Path.Combine(_cli.Folder, "config.json");

        var stdout = await _cli.SucceedAsync("docker-config", "prod", "--output", file, "--json");

        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(file, root.GetProperty("path").GetString());
        Assert.Equal("docker", root.GetProperty("format").GetString());
        Assert.Equal(["docker.io", "registry.example.com:5000"], root.GetProperty("registries").EnumerateArray().Select(e => e.GetString()).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("canary", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("auth\"", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:" + SeededStore.Canary))[..12], stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_Kubernetes_WritesTheSecretManifest0600()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var file = Path.Combine(_cli.Folder, "secret.json");

        var stdout = await _cli.SucceedAsync("docker-config", "prod", "--kubernetes", "--name", "pull-secret", "--output", file, "--json");

        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(file)).RootElement;
        Assert.Equal("kubernetes.io/dockerconfigjson", manifest.GetProperty("type").GetString());
        Assert.Equal("pull-secret", manifest.GetProperty("metadata").GetProperty("name").GetString());
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));
        Assert.Equal("kubernetes", JsonDocument.Parse(stdout).RootElement.GetProperty("format").GetString());
    }

    [Fact]
    public async Task Output_Fifo_RefusedAtOnceAndLeftAsItIs()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var fifo = Path.Combine(_cli.Folder, "fifo");
        await RegistriesCli.MakeFifoAsync(fifo);

        var result = await _cli.RunInShellAsync(string.Empty, Limit, "docker-config", "prod", "--output", fifo);

        Assert.Contains("FIFO", result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(fifo).Length);
        Assert.Empty(Directory.GetFiles(_cli.Folder, ".fifo.*"));
    }

    [Fact]
    public async Task Output_Folder_Refused()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await _cli.RunAsync("docker-config", "prod", "--output", _cli.Folder);

        Assert.Contains("is a folder", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_SymbolicLink_KeptAndItsTargetReplaced()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var target = Path.Combine(_cli.Folder, "dotfiles", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await File.WriteAllTextAsync(target, "{}");
        var link = Path.Combine(_cli.Folder, "config.json");
        File.CreateSymbolicLink(link, target);

        await _cli.SucceedAsync("docker-config", "prod", "--output", link);

        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(target));
        Assert.True(JsonDocument.Parse(await File.ReadAllTextAsync(target)).RootElement.GetProperty("auths").TryGetProperty("https://index.docker.io/v1/", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadOnlyMember_ActiveOrNothingActive_RefusedWithExitCode3AndNoFile(bool anythingActive)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("env", "member", "add", "prod", "reader", "--role", "readonly");
        if (anythingActive)
        {
            await _cli.SucceedWithInputAsync("canary-readonly", "registry", "add", "prod", "--quay", "--email", "e@example.com", "--username", "q", "--password-stdin");
        }

        var file = Path.Combine(_cli.Folder, "out", "config.json");
        var printed = await _cli.RunAsync("docker-config", "prod", "--as", "reader");
        var written = await _cli.RunAsync("docker-config", "prod", "--as", "reader", "--output", file);

        Assert.Contains("ReadOnly", printed.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Contains("ReadOnly", written.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", printed.Stderr + written.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    public void Dispose() => _cli.Dispose();
}

// The real docker CLI reads what --output wrote: it sends the credential to the test registry, which then answers
// about the image ("manifest unknown"), not about authentication.
[Trait("Category", "Integration")]
public sealed class DockerConfigOutputDockerCliTests : IDisposable
{
    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task Output_DockerCli_AuthenticatesWithTheWrittenFile()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(_services.Password, "registry", "add", "prod", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");
        var good = Path.Combine(_cli.Folder, "good", "config.json");
        await _cli.SucceedAsync("docker-config", "prod", "--output", good);
        await _cli.SucceedWithInputAsync(_services.Password + "-wrong", "registry", "add", "prod", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");
        var wrong = Path.Combine(_cli.Folder, "wrong", "config.json");
        await _cli.SucceedAsync("docker-config", "prod", "--output", wrong);

        // A tag that does not exist: nothing is pulled, so no image of another test is touched.
        var reference = $"{_services.Registry}/{_services.OtherImage.Split(':')[0]}:absent-{Guid.NewGuid():N}";
        var accepted = await DockerPullAsync(good, reference);
        var refused = await DockerPullAsync(wrong, reference);

        Assert.NotEqual(0, accepted.ExitCode);
        Assert.Contains("manifest unknown", accepted.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("unauthorized", accepted.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("WARNING", accepted.Error, StringComparison.Ordinal);
        Assert.Contains("unauthorized", refused.Error, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<(int ExitCode, string Error)> DockerPullAsync(string config, string reference)
    {
        var result = await Processes.RunAsync(
            _services.DockerCli,
            ["--config", Path.GetDirectoryName(config)!, "--host", _services.DockerHost, "pull", reference],
            timeout: TimeSpan.FromSeconds(60));
        return (result.ExitCode, result.Output + result.Error);
    }

    public void Dispose() => _cli.Dispose();
}
