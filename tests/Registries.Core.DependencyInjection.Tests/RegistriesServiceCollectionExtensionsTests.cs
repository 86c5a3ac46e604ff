using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Registries.Core.Engine;
using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection.Tests;

public sealed class RegistriesServiceCollectionExtensionsTests
{
    [Fact]
    public void AddRegistries_NullServices_Throws()
    {
        Assert.Throws<ArgumentNullException>("services", () => RegistriesServiceCollectionExtensions.AddRegistries(null!));
    }

    [Fact]
    public void AddRegistries_ReturnsBuilderOverTheSameCollection()
    {
        var services = new ServiceCollection();

        var builder = services.AddRegistries();

        Assert.Same(services, builder.Services);
    }

    [Fact]
    public void AddRegistries_Defaults_AreSingletonsOverTheInMemoryStore()
    {
        using var provider = new ServiceCollection().AddRegistries().Services.BuildServiceProvider();

        Assert.IsType<InMemoryRegistryStore>(provider.GetRequiredService<IRegistryStore>());
        Assert.Same(provider.GetRequiredService<RegistryService>(), provider.GetRequiredService<RegistryService>());
        Assert.Same(provider.GetRequiredService<CredentialResolver>(), provider.GetRequiredService<CredentialResolver>());
        Assert.Same(provider.GetRequiredService<IRegistryStore>(), provider.GetRequiredService<IRegistryStore>());
        var services = new ServiceCollection();
        services.AddRegistries();
        Assert.All(
            services.Where(d => d.ServiceType.Namespace?.StartsWith("Registries.Core", StringComparison.Ordinal) == true),
            d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    [Fact]
    public void AddRegistries_UserStoreRegisteredBefore_IsKept()
    {
        var store = new InMemoryRegistryStore();
        var services = new ServiceCollection();
        services.AddSingleton<IRegistryStore>(store);

        using var provider = services.AddRegistries().Services.BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<IRegistryStore>());
        Assert.Single(services, d => d.ServiceType == typeof(IRegistryStore));
    }

    [Fact]
    public void AddRegistries_CalledTwice_RegistersEachServiceOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();

        services.AddRegistries(o => o.SupportedOrchestrations.Add(OrchestrationKind.Kubernetes));
        services.AddRegistries(o => o.ConcurrencyRetries = 7);
        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IRegistryStore));
        Assert.Single(services, d => d.ServiceType == typeof(RegistryService));
        Assert.Single(services, d => d.ServiceType == typeof(IRegistryEventObserver));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<RegistriesOptions>));
        var options = provider.GetRequiredService<IOptions<RegistriesOptions>>().Value;
        Assert.Contains(OrchestrationKind.Kubernetes, options.SupportedOrchestrations);
        Assert.Equal(7, options.ConcurrencyRetries);
    }

    [Fact]
    public void Builder_Chaining_UseStoreReplacesTheDefault()
    {
        var store = new InMemoryRegistryStore();

        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseInMemoryStore()
            .UseStore(_ => store)
            .Configure(o => o.ConcurrencyRetries = 1)
            .Services.BuildServiceProvider();

        Assert.Same(store, provider.GetRequiredService<IRegistryStore>());
        Assert.Equal(1, provider.GetRequiredService<IOptions<RegistriesOptions>>().Value.ConcurrencyRetries);
    }

    [Fact]
    public void BuilderExtensions_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => RegistriesBuilderExtensions.UseInMemoryStore(null!));
        Assert.Throws<ArgumentNullException>("factory", () => builder.UseStore(null!));
        Assert.Throws<ArgumentNullException>("configure", () => builder.Configure(null!));
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("negative")]
    public void Options_Invalid_FailAtStartWithAClearMessage(string problem)
    {
        var services = new ServiceCollection();
        services.AddRegistries(o =>
        {
            if (problem == "empty")
            {
                o.SupportedOrchestrations.Clear();
            }
            else
            {
                o.ConcurrencyRetries = -1;
            }
        });
        using var provider = services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var onUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<RegistryService>());

        Assert.Contains(problem == "empty" ? "SupportedOrchestrations is empty" : "ConcurrencyRetries is -1", atStart.Message, StringComparison.Ordinal);
        Assert.Equal(atStart.Message, onUse.Message);
    }

    [Fact]
    public void ImagePullService_WithoutAnEngine_SaysHowToRegisterOne()
    {
        using var provider = new ServiceCollection().AddRegistries().Services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ImagePullService>());

        Assert.Contains("UseDocker", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logging_RegistryEventsAndResolutions_AreLoggedWithoutTheSecret()
    {
        const string canary = "CANARY-log-p@ss";
        var capture = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace));
        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>();
        var resolver = provider.GetRequiredService<CredentialResolver>();

        var environment = await service.CreateEnvironmentAsync("olivia", "prod");
        var registry = await service.AddRegistryAsync("olivia", environment.Id, RegistryAddress.Parse("registry.example.com:5000"), new RegistryCredential("ops@example.com", "deploy", canary));
        await resolver.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));
        await resolver.ResolveAsync(environment.Id, ImageReference.Parse("alpine"));
        await service.DeactivateRegistryAsync("olivia", environment.Id, registry.Id);
        await service.ResolveAsync("olivia", environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));

        Assert.Contains(capture.Lines, l => l.Contains("Registry Added: registry.example.com:5000", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("authenticated", StringComparison.Ordinal) && l.Contains(environment.Id, StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.Contains("anonymous", StringComparison.Ordinal));
        Assert.Contains(capture.Lines, l => l.StartsWith("Warning|", StringComparison.Ordinal) && l.Contains("denied", StringComparison.Ordinal));
        Assert.All(capture.Lines, l => Assert.DoesNotContain("CANARY", l, StringComparison.Ordinal));
    }
}
