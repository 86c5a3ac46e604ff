using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.FileStore;
using Registries.Core.HostConfiguration;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Core.DependencyInjection.Tests;

public sealed class AdapterBuilderExtensionsTests : IDisposable
{
    private readonly TestDirectory _directory = new("registries-di-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task UseFileStore_ReplacesTheInMemoryDefault_AndKeepsStateAcrossProviders()
    {
        var path = _directory.Combine("store.json");

        // The Action form first, the path form second: both name the same file.
        string environmentId;
        await using (var first = new ServiceCollection().AddRegistries().UseFileStore(o => o.Path = path).Services.BuildServiceProvider())
        {
            first.GetRequiredService<IStartupValidator>().Validate();
            Assert.IsType<FileRegistryStore>(first.GetRequiredService<IRegistryStore>());
            environmentId = (await first.GetRequiredService<RegistryService>().As("olivia").CreateEnvironmentAsync("prod")).Id;
        }

        await using var second = new ServiceCollection().AddRegistries().UseFileStore(path).Services.BuildServiceProvider();
        var environment = await second.GetRequiredService<RegistryService>().As("olivia").GetEnvironmentAsync(environmentId);

        Assert.Equal("prod", environment.Name);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void UseFileStore_BadArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => FileStoreRegistriesBuilderExtensions.UseFileStore(null!, "x"));
        Assert.Throws<ArgumentNullException>("builder", () => FileStoreRegistriesBuilderExtensions.UseFileStore(null!, o => o.Path = "/tmp/x.json"));
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

        provider.GetRequiredService<IStartupValidator>().Validate();
        var engine = Assert.IsType<DockerImageEngine>(provider.GetRequiredService<IImageEngine>());
        Assert.Same(engine, provider.GetRequiredService<DockerImageEngine>());
        Assert.Equal(new Uri("unix:///tmp/registries-di-test.sock"), engine.Endpoint);
        Assert.NotNull(provider.GetRequiredService<ImagePullService>());
    }

    [Fact]
    public void UseDocker_UserEngineRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        using var mine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri("unix:///tmp/mine.sock") }));
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
    public async Task UseDockerHostConfiguration_RegistersBothServicesOverTheGivenPaths()
    {
        var daemonJson = _directory.Combine("daemon.json");
        var certificates = _directory.Combine("certs.d");

        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDockerHostConfiguration(o =>
            {
                o.DaemonJsonPath = daemonJson;
                o.DockerDefaultsPath = _directory.Combine("docker");
                o.CertificatesDirectory = certificates;
            })
            .Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var installer = provider.GetRequiredService<RegistryCertificateInstaller>();
        var configurator = provider.GetRequiredService<InsecureRegistryConfigurator>();
        var options = provider.GetRequiredService<IOptions<DockerHostOptions>>().Value;
        Assert.Equal(daemonJson, options.DaemonJsonPath);
        Assert.Equal(certificates, options.CertificatesDirectory);
        Assert.StartsWith(certificates, installer.GetCertificateDirectory(RegistryAddress.Parse("registry.example.com:5000")), StringComparison.Ordinal);
        Assert.False(await configurator.IsConfiguredAsync(RegistryAddress.Parse("registry.example.com:5000")));
        Assert.Throws<ArgumentNullException>("builder", () => HostConfigurationRegistriesBuilderExtensions.UseDockerHostConfiguration(null!));
    }
}
