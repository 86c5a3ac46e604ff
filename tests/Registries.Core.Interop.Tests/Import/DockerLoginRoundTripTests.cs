using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Imports what the real <c>docker login</c> wrote.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerLoginRoundTripTests
{
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task ImportFileAsync_ConfigWrittenByDockerLogin_RoundTripsTheSymbolPassword()
    {
        using var directory = new TestDirectory("registries-interop-");
        var dockerConfig = directory.Combine("docker");
        Directory.CreateDirectory(dockerConfig);
        var environment = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = dockerConfig };
        var (exitCode, output, error) = await Processes.RunAsync(
            _services.DockerCli,
            ["--host", _services.DockerHost, "login", "--username", _services.SymbolUser, "--password-stdin", _services.Registry],
            environment,
            input: _services.SymbolPassword);
        Assert.True(exitCode == 0, $"docker login failed: {output} {error}");
        var domain = await Domain.CreateAsync();

        var result = await Domain.Importer(domain.Service).ImportFileAsync(domain.EnvironmentId, Path.Combine(dockerConfig, "config.json"), "ci@example.com");

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Imported, entry.Status);
        Assert.Equal(RegistryAddress.Parse(_services.Registry), entry.Address);
        var resolution = await domain.ResolveAsync(_services.Registry);
        Assert.Equal(_services.SymbolUser, resolution.Username);
        Assert.Equal(_services.SymbolPassword, resolution.Password!.Reveal());

        // And back: the export carries exactly what docker login wrote for that registry.
        var export = await domain.Exporter().ExportAsync(domain.EnvironmentId);
        Assert.Equal(
            DockerConfigExporterTests.ReadAuths(await File.ReadAllTextAsync(Path.Combine(dockerConfig, "config.json")))[_services.Registry],
            DockerConfigExporterTests.ReadAuths(export.ToDockerConfigJson())[_services.Registry]);
    }
}
