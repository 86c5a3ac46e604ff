using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Registries.Core.DependencyInjection;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests.DependencyInjection;

public sealed class HostConfigurationRegistriesBuilderExtensionsTests : IDisposable
{
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _temp = HostLayout.Create();

    public void Dispose() => _temp.Dispose();

    private void Configure(DockerHostOptions o)
    {
        var layout = _temp.HostOptions();
        o.DaemonJsonPath = layout.DaemonJsonPath;
        o.DockerDefaultsPath = layout.DockerDefaultsPath;
        o.CertificatesDirectory = layout.CertificatesDirectory;
    }

    [Fact]
    public async Task UseDockerHostConfiguration_Configured_ResolvesBothServicesOverTheGivenPaths()
    {
        using var provider = new ServiceCollection().AddRegistries().UseDockerHostConfiguration(Configure).Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var configurator = provider.GetRequiredService<InsecureRegistryConfigurator>();
        var installer = provider.GetRequiredService<RegistryCertificateInstaller>();

        Assert.Equal(Path.Combine(_temp.HostOptions().CertificatesDirectory, "registry.example.com:5000"), installer.GetCertificateDirectory(Address));
        Assert.False(await configurator.IsConfiguredAsync(Address));
        await configurator.AddAsync(Address);
        Assert.True(File.Exists(_temp.HostOptions().DaemonJsonPath));
        Assert.True(await configurator.IsConfiguredAsync(Address));
    }

    [Fact]
    public void UseDockerHostConfiguration_Services_AreSingletons()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseDockerHostConfiguration();

        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(InsecureRegistryConfigurator)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(RegistryCertificateInstaller)).Lifetime);
        using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<InsecureRegistryConfigurator>(), provider.GetRequiredService<InsecureRegistryConfigurator>());
        Assert.Same(provider.GetRequiredService<RegistryCertificateInstaller>(), provider.GetRequiredService<RegistryCertificateInstaller>());
    }

    [Fact]
    public void UseDockerHostConfiguration_NoConfiguration_UsesTheStandardLocations()
    {
        using var provider = new ServiceCollection().AddRegistries().UseDockerHostConfiguration().Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(DockerHostOptions.DefaultDaemonJsonPath, provider.GetRequiredService<IOptions<DockerHostOptions>>().Value.DaemonJsonPath);
        Assert.Equal("/etc/docker/certs.d/registry.example.com:5000", provider.GetRequiredService<RegistryCertificateInstaller>().GetCertificateDirectory(Address));
    }

    [Fact]
    public void UseDockerHostConfiguration_InvalidOptions_FailAtStartSayingWhatToFix()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDockerHostConfiguration(o =>
            {
                o.DaemonJsonPath = "daemon.json";
                o.ConnectTimeout = TimeSpan.Zero;
            })
            .Services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(DockerHostOptions), e.OptionsType);
        Assert.Contains("DockerHostOptions.DaemonJsonPath is 'daemon.json', a relative path; give an absolute path", e.Message, StringComparison.Ordinal);
        Assert.Contains("DockerHostOptions.ConnectTimeout is 00:00:00; give a positive duration", e.Message, StringComparison.Ordinal);
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<InsecureRegistryConfigurator>());
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RegistryCertificateInstaller>());
    }

    [Fact]
    public void UseDockerHostConfiguration_CalledTwice_AppliesBothConfigurationsAndRegistersOnce()
    {
        var services = new ServiceCollection();
        services.AddRegistries()
            .UseDockerHostConfiguration(Configure)
            .UseDockerHostConfiguration(o => o.InsecureRegistryTarget = InsecureRegistryTarget.DockerDefaults);

        Assert.Single(services, d => d.ServiceType == typeof(InsecureRegistryConfigurator));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DockerHostOptions>) && d.ImplementationType == typeof(DockerHostOptionsValidator));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<DockerHostOptions>>().Value;
        Assert.Equal(_temp.HostOptions().DaemonJsonPath, options.DaemonJsonPath);
        Assert.Equal(InsecureRegistryTarget.DockerDefaults, options.InsecureRegistryTarget);
    }

    [Fact]
    public void UseDockerHostConfiguration_ApplicationRegistration_IsKept()
    {
        var mine = new InsecureRegistryConfigurator(Options.Create(_temp.HostOptions()));
        var services = new ServiceCollection();
        services.AddSingleton(mine);
        services.AddRegistries().UseDockerHostConfiguration();

        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<InsecureRegistryConfigurator>());
    }

    [Fact]
    public async Task UseDockerHostConfiguration_RegisteredLoggerFactory_LogsEachWrittenFile()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging());
        services.AddRegistries().UseDockerHostConfiguration(Configure);
        using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<InsecureRegistryConfigurator>().AddAsync(Address);

        var record = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Category == typeof(InsecureRegistryConfigurator).FullName);
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Contains(_temp.HostOptions().DaemonJsonPath, record.Message, StringComparison.Ordinal);
        Assert.Contains("restart the Docker daemon", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseDockerHostConfiguration_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>("builder", () => HostConfigurationRegistriesBuilderExtensions.UseDockerHostConfiguration(null!));
}
