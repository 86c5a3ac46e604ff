using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Registries.Core.Engine;
using Registries.Core.Events;
using Registries.Testing;
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
        Assert.Same(provider.GetRequiredService<LaunchResolver>(), provider.GetRequiredService<LaunchResolver>());
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
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var resolver = provider.GetRequiredService<LaunchResolver>();

        var environment = await service.CreateEnvironmentAsync("prod");
        var registry = await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com:5000"), new RegistryCredential("ops@example.com", "deploy", canary));
        await resolver.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));
        await resolver.ResolveAsync(environment.Id, ImageReference.Parse("alpine"));
        await service.DeactivateRegistryAsync(environment.Id, registry.Id);
        await service.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));

        var records = collector.GetSnapshot();
        Assert.Contains(records, r => r.Message.Contains("Registry Added: registry.example.com:5000", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("authenticated", StringComparison.Ordinal) && r.Message.Contains(environment.Id, StringComparison.Ordinal));
        Assert.Contains(records, r => r.Message.Contains("anonymous", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Level == LogLevel.Warning && r.Message.Contains("denied", StringComparison.Ordinal));
        LogAssert.NoRecordContains(records, "CANARY");
    }

    [Fact]
    public async Task AddRegistries_RegistryServiceAndLaunchResolver_ShareTheStoreAndTheObservers()
    {
        var recorder = new RecordingResolutionObserver();
        var services = new ServiceCollection();
        services.AddSingleton<IResolutionObserver>(recorder);
        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var resolver = provider.GetRequiredService<LaunchResolver>();
        var address = RegistryAddress.Parse("registry.example.com:5000");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, address, new RegistryCredential("ops@example.com", "deploy", "pw"));

        await service.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));
        await service.ResolveAsync(environment.Id, address);
        await resolver.ResolveAsync(environment.Id, ImageReference.Parse("alpine"));

        // One launch resolver: it reads the store the service wrote (the image is authenticated), and the app's observer hears all three.
        Assert.Same(resolver, provider.GetRequiredService<LaunchResolver>());
        var heard = recorder.Resolutions.ToArray();
        Assert.Equal(3, heard.Length);
        Assert.All(heard, r => Assert.Equal(environment.Id, r.EnvironmentId));
        Assert.Equal(ImageReference.Parse("registry.example.com:5000/app:1"), heard[0].Image);
        Assert.Equal(ResolutionOutcome.Authenticated, heard[0].Outcome);
        Assert.Null(heard[1].Image);
        Assert.Equal(address, heard[1].Address);
        Assert.Equal(ResolutionOutcome.Authenticated, heard[1].Outcome);
        Assert.Equal(ResolutionOutcome.Anonymous, heard[2].Outcome);
    }

    [Fact]
    public async Task AddRegistries_AppRegistrationsBefore_AreKept()
    {
        var store = new InMemoryRegistryStore();
        var failures = new RecordingFailureHandler();
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<IRegistryStore>(store);
        services.AddSingleton<IObserverFailureHandler>(failures);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IRegistryEventObserver, ThrowingEventObserver>();

        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();

        await AssertAppRegistrationsUsedAsync(provider, store, failures, clock);
        Assert.Single(services, d => d.ServiceType == typeof(IObserverFailureHandler));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
    }

    [Fact]
    public async Task AddRegistries_AppRegistrationsAfter_AreTheOnesUsed()
    {
        var store = new InMemoryRegistryStore();
        var failures = new RecordingFailureHandler();
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection();

        services.AddRegistries();
        services.AddSingleton<IRegistryStore>(store);
        services.AddSingleton<IObserverFailureHandler>(failures);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<IRegistryEventObserver, ThrowingEventObserver>();
        await using var provider = services.BuildServiceProvider();

        await AssertAppRegistrationsUsedAsync(provider, store, failures, clock);
    }

    [Fact]
    public async Task AddRegistries_CalledTwice_EveryObserverHearsEachEventOnce()
    {
        var recorder = new RecordingEventObserver();
        var resolutions = new RecordingResolutionObserver();
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<IRegistryEventObserver>(recorder);
        services.AddSingleton<IResolutionObserver>(resolutions);

        services.AddRegistries();
        services.AddRegistries();
        await using var provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, new RegistryCredential("ops@example.com", "deploy", "pw"));
        await service.ResolveAsync(environment.Id, RegistryAddress.Quay);

        Assert.Single(recorder.Events);
        Assert.Single(resolutions.Resolutions);
        Assert.Single(collector.GetSnapshot(), r => r.Id.Id == 1);
        Assert.Single(collector.GetSnapshot(), r => r.Id.Id == 2);
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IRegistryEventObserver)));
        Assert.Single(services, d => d.ServiceType == typeof(LaunchResolver));
        Assert.Single(services, d => d.ServiceType == typeof(IObserverFailureHandler));
    }

    [Fact]
    public void Options_SeveralProblems_AreAllReportedAtStartInTheDomainsWords()
    {
        var services = new ServiceCollection();
        services.AddRegistries(o =>
        {
            o.SupportedOrchestrations.Clear();
            o.ConcurrencyRetries = 101;
        });
        using var provider = services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var options = new RegistriesOptions { ConcurrencyRetries = 101 };
        options.SupportedOrchestrations.Clear();
        var domain = Assert.Throws<ArgumentException>(() => new RegistryService(new InMemoryRegistryStore(), options));

        Assert.Equal(typeof(RegistriesOptions), atStart.OptionsType);
        Assert.Equal(2, atStart.Failures.Count());
        Assert.All(atStart.Failures, f => Assert.Contains(f, domain.Message, StringComparison.Ordinal));
        Assert.Contains("RegistriesOptions.SupportedOrchestrations is empty: keep at least Cattle", atStart.Message, StringComparison.Ordinal);
        Assert.Contains("RegistriesOptions.ConcurrencyRetries is 101: give a number from 0 to 100.", atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_Valid_PassTheStartupValidation()
    {
        using var provider = new ServiceCollection()
            .AddRegistries(o => o.ConcurrencyRetries = 100)
            .Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(100, provider.GetRequiredService<IOptions<RegistriesOptions>>().Value.ConcurrencyRetries);
    }

    // The app's store holds what the service writes; the app's failure handler, not the logging one, gets the throwing
    // observer's failure; the app's clock is the one resolved.
    private static async Task AssertAppRegistrationsUsedAsync(IServiceProvider provider, InMemoryRegistryStore store, RecordingFailureHandler failures, TimeProvider clock)
    {
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        var registry = await service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, new RegistryCredential("ops@example.com", "deploy", "pw"));

        Assert.Same(store, provider.GetRequiredService<IRegistryStore>());
        Assert.NotNull(await store.GetRegistryAsync(environment.Id, registry.Id));
        Assert.Same(failures, provider.GetRequiredService<IObserverFailureHandler>());
        var failure = Assert.Single(failures.Failures);
        Assert.IsType<ThrowingEventObserver>(failure.Observer);
        Assert.Equal(RegistryEventKind.Added, failure.RegistryEvent?.Kind);
        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }
}
