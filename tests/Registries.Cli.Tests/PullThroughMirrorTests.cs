using System.Formats.Tar;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

// `pull` through a mirror with the real dockerd: the shared registry is the upstream, a private registry this test
// starts is the mirror, with its own user; the image is only on the mirror.
[Trait("Category", "Integration")]
public sealed class PullThroughMirrorTests : IAsyncLifetime
{
    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();
    private readonly TestDirectory _docker = new("registries-cli-mirror-docker-");
    private readonly string _repository = "cli-mirror/app";
    private readonly string _tag = "t-" + Guid.NewGuid().ToString("N")[..8];
    private DistributionRegistry _mirror = null!;

    private string Upstream => $"{_services.Registry}/{_repository}:{_tag}";

    private string OnMirror => $"{_mirror.Address}/{_repository}:{_tag}";

    [Fact]
    public async Task Pull_ImageOnlyTheMirrorHas_SaysPulledFromTheMirrorAndLeavesTheUpstreamName()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(_services.Password, "registry", "add", "prod", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");
        await _cli.SucceedWithInputAsync(_mirror.Password, "registry", "add", "prod", "--address", _mirror.Address, "--email", "ci@example.com", "--username", _mirror.User, "--password-stdin");
        await _cli.SucceedAsync("mirror", "add", "prod", _services.Registry, _mirror.Address);

        var json = await _cli.SucceedAsync("pull", "prod", Upstream, "--docker-host", _services.DockerHost, "--json");
        await DockerAsync("rmi", Upstream);
        var text = await _cli.SucceedAsync("pull", "prod", Upstream, "--docker-host", _services.DockerHost);

        var root = JsonDocument.Parse(json).RootElement;
        Assert.True(root.GetProperty("pulled").GetBoolean());
        Assert.Equal(OnMirror, root.GetProperty("pulledFrom").GetString());
        Assert.Equal(_mirror.Address, root.GetProperty("mirror").GetString());
        Assert.Equal(_mirror.User, root.GetProperty("username").GetString());
        Assert.DoesNotContain(_mirror.Password, json, StringComparison.Ordinal);
        Assert.EndsWith($"Pulled {Upstream} from mirror {_mirror.Address} as {_mirror.User} with registry {root.GetProperty("registryId").GetString()}.\n", text, StringComparison.Ordinal);
        Assert.Equal(0, (await DockerAsync("image", "inspect", Upstream)).ExitCode);
        Assert.NotEqual(0, (await DockerAsync("image", "inspect", OnMirror)).ExitCode);
    }

    public async Task InitializeAsync()
    {
        _mirror = await DistributionRegistry.StartAsync(_services);
        try
        {
            var tarball = _docker.Combine("rootfs.tar");
            await using (var file = File.Create(tarball))
            {
                await using var writer = new TarWriter(file, TarEntryFormat.Pax);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "hello.txt") { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"cli mirror {_tag}\n")) });
            }

            Check(await DockerWithInputAsync(_mirror.Password, "login", "--username", _mirror.User, "--password-stdin", _mirror.Address), "login");
            Check(await DockerAsync("import", tarball, OnMirror), "import");
            Check(await DockerAsync("push", OnMirror), "push");
            Check(await DockerAsync("rmi", OnMirror), "rmi");
        }
        catch
        {
            // xUnit does not dispose a class whose InitializeAsync failed: the registry must not outlive it.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await DockerAsync("rmi", "--force", Upstream);
            await DockerAsync("rmi", "--force", OnMirror);
        }
        finally
        {
            await _mirror.DisposeAsync();
            _docker.Dispose();
            _cli.Dispose();
        }
    }

    private static void Check(ProcessResult result, string what) => Assert.True(result.ExitCode == 0, $"docker {what} failed: {result.Error}{result.Output}");

    private Task<ProcessResult> DockerAsync(params string[] arguments) => DockerWithInputAsync(null, arguments);

    private Task<ProcessResult> DockerWithInputAsync(string? input, params string[] arguments)
        => Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, "--config", _docker.Path, .. arguments], input: input, timeout: TimeSpan.FromMinutes(2));
}
