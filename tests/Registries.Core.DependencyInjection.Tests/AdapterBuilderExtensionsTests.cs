using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.HostConfiguration;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection.Tests;

public sealed class AdapterBuilderExtensionsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("registries-di-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task UseFileStore_ReplacesTheInMemoryDefault_AndKeepsStateAcrossProviders()
    {
        var path = Path.Combine(_directory, "store.json");

        string environmentId;
        await using (var first = new ServiceCollection().AddRegistries().UseFileStore(path).Services.BuildServiceProvider())
        {
            Assert.IsType<FileRegistryStore>(first.GetRequiredService<IRegistryStore>());
            environmentId = (await first.GetRequiredService<RegistryService>().CreateEnvironmentAsync("olivia", "prod")).Id;
        }

        await using var second = new ServiceCollection().AddRegistries().UseFileStore(path).Services.BuildServiceProvider();
        var environment = await second.GetRequiredService<RegistryService>().GetEnvironmentAsync("olivia", environmentId);

        Assert.Equal("prod", environment.Name);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void UseFileStore_BadArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => FileStoreRegistriesBuilderExtensions.UseFileStore(null!, "x"));
        Assert.Throws<ArgumentException>("path", () => builder.UseFileStore(" "));
        Assert.Throws<ArgumentNullException>("protector", () => builder.UseFileStore("x.json", null!));
    }

    [Fact]
    public void UseDocker_RegistersTheEngineAndMakesThePullServiceAvailable()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("unix:///tmp/registries-di-test.sock"))
            .Services.BuildServiceProvider();

        var engine = Assert.IsType<DockerImageEngine>(provider.GetRequiredService<IImageEngine>());
        Assert.Same(engine, provider.GetRequiredService<DockerImageEngine>());
        Assert.Equal(new Uri("unix:///tmp/registries-di-test.sock"), engine.Endpoint);
        Assert.NotNull(provider.GetRequiredService<ImagePullService>());
    }

    [Fact]
    public void UseDocker_UserEngineRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var mine = new DockerImageEngine(new DockerEngineOptions { Endpoint = new Uri("unix:///tmp/mine.sock") });
        services.AddSingleton<IImageEngine>(mine);

        using var provider = services.AddRegistries().UseDocker().Services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<IImageEngine>());
    }

    [Fact]
    public void UseDocker_InvalidEndpoint_FailsAtStartWithTheFix()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("ftp://docker.example.com"))
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ftp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseDockerHostConfiguration_RegistersBothServicesOverTheGivenPaths()
    {
        var options = new DockerHostOptions { DaemonJsonPath = Path.Combine(_directory, "daemon.json"), CertsDirectory = Path.Combine(_directory, "certs.d") };

        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDockerHostConfiguration(options)
            .Services.BuildServiceProvider();

        var installer = provider.GetRequiredService<RegistryCertificateInstaller>();
        var configurator = provider.GetRequiredService<InsecureRegistryConfigurator>();
        Assert.Same(options, provider.GetRequiredService<DockerHostOptions>());
        Assert.StartsWith(options.CertsDirectory, installer.GetCertificateDirectory(RegistryAddress.Parse("registry.example.com:5000")), StringComparison.Ordinal);
        Assert.False(configurator.IsConfigured(RegistryAddress.Parse("registry.example.com:5000")));
        Assert.Throws<ArgumentNullException>("builder", () => HostConfigurationRegistriesBuilderExtensions.UseDockerHostConfiguration(null!));
    }
}
