using System.Diagnostics;
using System.Formats.Tar;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>The shared dockerd and registry, driven through the Debian docker CLI (an oracle independent of the adapter).</summary>
/// <remarks>
/// Every test pulls an image of its own: the fixture imports one small image, and <see cref="PushUnique"/> tags and
/// pushes it under a new tag, then removes it from the engine. So tests never fight over an image with each other,
/// nor with other test projects that pull the registry's own test images from the same dockerd.
/// </remarks>
public sealed class DockerEngineFixture : IDisposable
{
    private const string Repository = "registries-core-docker-tests/hello";
    private readonly string _configDirectory;
    private readonly string _seed;

    public DockerEngineFixture()
    {
        Services = TestServices.Require();
        _configDirectory = Directory.CreateTempSubdirectory("registries-docker-tests-").FullName;
        var login = Run(["login", "--username", Services.User, "--password-stdin", Services.Registry], Services.Password);
        Assert.True(login.ExitCode == 0, "docker login failed: " + login.Output);

        _seed = $"registries-core-docker-tests/seed:{Guid.NewGuid():N}";
        Check(Run(["import", WriteRootfs("hello from Registries.Core.Docker.Tests\n"), _seed]), "import");
    }

    /// <summary>Gets the services.</summary>
    public TestServices Services { get; }

    /// <summary>Gets the engine options for the shared dockerd.</summary>
    public DockerEngineOptions Options => new() { Endpoint = new Uri(Services.DockerHost) };

    /// <summary>Pushes an image under a new tag to the loopback registry and makes sure the engine does not have it.</summary>
    /// <param name="label">A word for the tag, to read logs by.</param>
    /// <returns>The image reference.</returns>
    public ImageReference PushUnique(string label)
    {
        var name = $"{Services.Registry}/{Repository}:{label}-{Guid.NewGuid().ToString("N")[..8]}";
        Check(Run(["tag", _seed, name]), "tag");
        Check(Run(["push", name]), "push");
        Check(Run(["rmi", name]), "rmi");
        Assert.False(IsPresent(name));
        return ImageReference.Parse(name);
    }

    /// <summary>Pushes an image whose layer the engine has never seen (so a pull downloads and extracts it) and makes sure the engine does not have it.</summary>
    /// <param name="label">A word for the tag.</param>
    /// <returns>The image reference.</returns>
    public ImageReference PushUniqueContent(string label)
    {
        var name = $"{Services.Registry}/{Repository}:{label}-{Guid.NewGuid().ToString("N")[..8]}";
        Check(Run(["import", WriteRootfs($"unique content {Guid.NewGuid()}\n" + new string('x', 4096)), name]), "import");
        Check(Run(["push", name]), "push");
        Check(Run(["rmi", name]), "rmi");
        Assert.False(IsPresent(name));
        return ImageReference.Parse(name);
    }

    /// <summary>Tells whether the engine has the image, by asking dockerd through the CLI.</summary>
    /// <param name="image">The image.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool IsPresent(ImageReference image) => IsPresent(image.ToString());

    /// <summary>Removes the image from the engine, if it is there.</summary>
    /// <param name="image">The image.</param>
    public void Remove(ImageReference image) => Run(["rmi", "--force", image.ToString()]);

    public void Dispose()
    {
        Run(["rmi", "--force", _seed]);
        Run(["logout", Services.Registry]);
        Directory.Delete(_configDirectory, recursive: true);
    }

    private static void Check((int ExitCode, string Output) result, string what)
        => Assert.True(result.ExitCode == 0, $"docker {what} failed: {result.Output}");

    private string WriteRootfs(string content)
    {
        var tarball = Path.Combine(_configDirectory, $"rootfs-{Guid.NewGuid():N}.tar");
        using var file = File.Create(tarball);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        });
        return tarball;
    }

    private bool IsPresent(string name) => Run(["image", "inspect", "--format", "{{.Id}}", name]).ExitCode == 0;

    private (int ExitCode, string Output) Run(string[] arguments, string? input = null)
    {
        var start = new ProcessStartInfo(Services.DockerCli)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--host");
        start.ArgumentList.Add(Services.DockerHost);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(_configDirectory);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"docker {string.Join(' ', arguments)} did not finish in 2 minutes.");
        }

        return (process.ExitCode, output.Result + error.Result);
    }
}

/// <summary>Tests that share the one dockerd run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineCollection : ICollectionFixture<DockerEngineFixture>
{
    public const string Name = "Docker engine";
}
