using System.Text.Json;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The real docker CLI (through the test dockerd) and skopeo pull with what the exporter wrote.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerConfigExportIntegrationTests
{
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task WriteDockerConfigAsync_SymbolPassword_SkopeoInspectsWithAuthfile()
    {
        using var directory = new TestDirectory("registries-interop-");
        var authfile = await ExportAsync(directory, _services.SymbolUser, _services.SymbolPassword);

        var (exitCode, output, error) = await SkopeoInspectAsync(directory, authfile);

        Assert.True(exitCode == 0, $"skopeo failed: {error}");
        using var document = JsonDocument.Parse(output);
        Assert.StartsWith("sha256:", document.RootElement.GetProperty("Digest").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteDockerConfigAsync_WrongPassword_SkopeoIsRefused()
    {
        using var directory = new TestDirectory("registries-interop-");
        var authfile = await ExportAsync(directory, _services.SymbolUser, _services.SymbolPassword + "-wrong");

        var (exitCode, _, error) = await SkopeoInspectAsync(directory, authfile);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("unauthorized", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task WriteDockerConfigAsync_SymbolPassword_DockerCliPullsWithDockerConfig()
    {
        using var directory = new TestDirectory("registries-interop-");
        var authfile = await ExportAsync(directory, _services.SymbolUser, _services.SymbolPassword);
        var digest = await DigestAsync(directory, authfile);

        // By digest: this test's reference only, so removing it never disturbs another test's tag.
        var reference = $"{_services.Registry}/{_services.Image.Split(':')[0]}@{digest}";
        var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Path.GetDirectoryName(authfile)! };
        try
        {
            var (exitCode, output, error) = await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, "pull", reference], environment);

            Assert.True(exitCode == 0, $"docker pull failed: {output} {error}");
        }
        finally
        {
            await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, "rmi", reference], environment);
        }
    }

    [Fact]
    public async Task WriteDockerConfigAsync_WrongPassword_DockerCliPullIsRefused()
    {
        using var directory = new TestDirectory("registries-interop-");
        var goodAuthfile = await ExportAsync(directory, _services.User, _services.Password, "good");
        var digest = await DigestAsync(directory, goodAuthfile);
        var wrongAuthfile = await ExportAsync(directory, _services.SymbolUser, "not-the-password", "wrong");
        var reference = $"{_services.Registry}/{_services.Image.Split(':')[0]}@{digest}";
        var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = Path.GetDirectoryName(wrongAuthfile)! };

        var (exitCode, output, error) = await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, "pull", reference], environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("unauthorized", output + error, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<string> ExportAsync(TestDirectory directory, string username, string password, string folder = "docker")
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync(_services.Registry, username, password);
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);
        var path = directory.Combine(folder, "config.json");
        await export.WriteDockerConfigAsync(path);
        return path;
    }

    private async Task<ProcessResult> SkopeoInspectAsync(TestDirectory directory, string authfile)
    {
        var certs = directory.Combine("skopeo-certs");
        Directory.CreateDirectory(certs);
        File.Copy(_services.RegistryCa, Path.Combine(certs, "ca.crt"), overwrite: true);
        return await Processes.RunAsync(
            _services.Skopeo,
            ["inspect", "--authfile", authfile, "--cert-dir", certs, $"docker://{_services.Registry}/{_services.Image}"]);
    }

    private async Task<string> DigestAsync(TestDirectory directory, string authfile)
    {
        var (exitCode, output, error) = await SkopeoInspectAsync(directory, authfile);
        Assert.True(exitCode == 0, $"skopeo failed: {error}");
        using var document = JsonDocument.Parse(output);
        return document.RootElement.GetProperty("Digest").GetString()!;
    }
}

/// <summary>The test classes of this project that drive the shared dockerd run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class DockerEngineCollection
{
    public const string Name = "Docker engine";
}
