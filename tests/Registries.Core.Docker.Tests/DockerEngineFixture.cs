using System.Formats.Tar;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>The shared dockerd and registry, driven through the Debian docker CLI (an oracle independent of the adapter).</summary>
/// <remarks>
/// Every test pulls an image of its own: the fixture imports one small image, and <see cref="PushUniqueAsync"/> tags and
/// pushes it under a new tag, then removes it from the engine. So tests never fight over an image with each other,
/// nor with other test projects that pull the registry's own test images from the same dockerd.
/// </remarks>
public sealed class DockerEngineFixture : IAsyncLifetime
{
    private const string Repository = "registries-core-docker-tests/hello";
    private readonly TestDirectory _configDirectory = new("registries-docker-tests-");
    private readonly string _seed = $"registries-core-docker-tests/seed:{Guid.NewGuid():N}";

    /// <summary>Gets the services.</summary>
    public TestServices Services { get; } = TestServices.Require();

    /// <summary>Gets the engine options for the shared dockerd, as a caller outside DI passes them.</summary>
    public IOptions<DockerEngineOptions> EngineOptions => Options.Create(new DockerEngineOptions { Endpoint = new Uri(Services.DockerHost) });

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var login = await DockerAsync(["login", "--username", Services.User, "--password-stdin", Services.Registry], Services.Password);
        Assert.True(login.ExitCode == 0, "docker login failed: " + login.Error + login.Output);
        Check(await DockerAsync(["import", WriteRootfs("hello from Registries.Core.Docker.Tests\n"), _seed]), "import");
    }

    /// <summary>Pushes an image under a new tag to the loopback registry and makes sure the engine does not have it.</summary>
    /// <param name="label">A word for the tag, to read logs by.</param>
    /// <returns>The image reference.</returns>
    public Task<ImageReference> PushUniqueAsync(string label) => PushUniqueAsync(label, Repository);

    /// <summary>Pushes an image under a new tag to a repository of the loopback registry (for scoped credentials: <c>team/hello</c>) and makes sure the engine does not have it.</summary>
    /// <param name="label">A word for the tag, to read logs by.</param>
    /// <param name="repository">The repository path, without the registry.</param>
    /// <returns>The image reference.</returns>
    public async Task<ImageReference> PushUniqueAsync(string label, string repository)
    {
        var name = $"{Services.Registry}/{repository}:{label}-{Guid.NewGuid().ToString("N")[..8]}";
        Check(await DockerAsync(["tag", _seed, name]), "tag");
        Check(await DockerAsync(["push", name]), "push");
        Check(await DockerAsync(["rmi", name]), "rmi");
        Assert.False(await IsPresentAsync(name));
        return ImageReference.Parse(name);
    }

    /// <summary>Pushes an image under a new tag to another registry (a test's own mirror), logged in with its own user, and
    /// makes sure the engine does not have it under that name.</summary>
    /// <param name="registry">The registry's address.</param>
    /// <param name="user">Its user.</param>
    /// <param name="password">That user's password.</param>
    /// <param name="repository">The repository path, without the registry.</param>
    /// <param name="tag">The tag.</param>
    /// <returns>The image reference on that registry.</returns>
    public async Task<ImageReference> PushToAsync(string registry, string user, string password, string repository, string tag)
    {
        var login = await DockerAsync(["login", "--username", user, "--password-stdin", registry], password);
        Assert.True(login.ExitCode == 0, "docker login to " + registry + " failed: " + login.Error + login.Output);
        var name = $"{registry}/{repository}:{tag}";
        Check(await DockerAsync(["tag", _seed, name]), "tag");
        Check(await DockerAsync(["push", name]), "push");
        Check(await DockerAsync(["rmi", name]), "rmi");
        Assert.False(await IsPresentAsync(name));
        return ImageReference.Parse(name);
    }

    /// <summary>Lists the names (<c>REPOSITORY:TAG</c>, <c>&lt;none&gt;</c> for a digest-only one) the engine lists for a repository.</summary>
    /// <param name="repository">The repository with its registry, for example <c>127.0.0.1:5000/team/app</c>.</param>
    /// <returns>The names.</returns>
    public async Task<IReadOnlyList<string>> ListAsync(string repository)
    {
        var result = await DockerAsync(["image", "ls", "--format", "{{.Repository}}:{{.Tag}}", repository]);
        Check(result, "image ls");
        return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Pushes an image whose layer the engine has never seen (so a pull downloads and extracts it) and makes sure the engine does not have it.</summary>
    /// <param name="label">A word for the tag.</param>
    /// <returns>The image reference.</returns>
    public async Task<ImageReference> PushUniqueContentAsync(string label)
    {
        var name = $"{Services.Registry}/{Repository}:{label}-{Guid.NewGuid().ToString("N")[..8]}";
        Check(await DockerAsync(["import", WriteRootfs($"unique content {Guid.NewGuid()}\n" + new string('x', 4096)), name]), "import");
        Check(await DockerAsync(["push", name]), "push");
        Check(await DockerAsync(["rmi", name]), "rmi");
        Assert.False(await IsPresentAsync(name));
        return ImageReference.Parse(name);
    }

    /// <summary>Tells whether the engine has the image, by asking dockerd through the CLI.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public Task<bool> IsPresentAsync(ImageReference image) => IsPresentAsync(image.ToString());

    /// <summary>Removes the image from the engine, if it is there.</summary>
    /// <param name="image">The image.</param>
    /// <returns>A task that completes when the CLI has answered.</returns>
    public Task RemoveAsync(ImageReference image) => DockerAsync(["rmi", "--force", image.ToString()]);

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        try
        {
            await DockerAsync(["rmi", "--force", _seed]);
            await DockerAsync(["logout", Services.Registry]);
        }
        finally
        {
            _configDirectory.Dispose();
        }
    }

    private static void Check(ProcessResult result, string what)
        => Assert.True(result.ExitCode == 0, $"docker {what} failed: {result.Error}{result.Output}");

    private string WriteRootfs(string content)
    {
        var tarball = _configDirectory.Combine($"rootfs-{Guid.NewGuid():N}.tar");
        using var file = File.Create(tarball);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        });
        return tarball;
    }

    private async Task<bool> IsPresentAsync(string name) => (await DockerAsync(["image", "inspect", "--format", "{{.Id}}", name])).ExitCode == 0;

    // The CLI with its own config folder, so the login of these tests never touches the user's ~/.docker.
    private Task<ProcessResult> DockerAsync(string[] arguments, string? input = null)
        => Processes.RunAsync(
            Services.DockerCli,
            ["--host", Services.DockerHost, "--config", _configDirectory.Path, .. arguments],
            input: input,
            timeout: TimeSpan.FromMinutes(2));
}

/// <summary>Tests that share the one dockerd run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker engine";
}
