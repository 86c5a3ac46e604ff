using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Registries.Core.Sources;
using Registries.Core.Testing;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>What AddRegistries does with credential sources: one cache over every registered source, the container's
/// clock, validated options, and logs of fetches and failures that never hold a secret.</summary>
public sealed class CredentialSourcesRegistrationTests : IAsyncDisposable
{
    private const string Canary = "CANARY-fetched-t0ken";
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeLogCollector _collector = new();
    private readonly FakeTimeProvider _time = new(Start);
    private ServiceProvider? _provider;

    public ValueTask DisposeAsync() => _provider?.DisposeAsync() ?? ValueTask.CompletedTask;

    [Fact]
    public async Task AddRegistries_SourcesRegisteredBeforeAndAfter_OneCacheSharedByTheServiceAndTheLaunchResolver()
    {
        var helper = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, _time).Returns("AWS", Canary, TimeSpan.FromHours(1));
        var plugin = new FakeCredentialSource(CredentialSourceKind.KubeletPlugin, _time);
        var services = NewServices();
        services.AddSingleton<ICredentialSource>(helper);
        services.AddRegistries();
        services.AddSingleton<ICredentialSource>(plugin);
        _provider = services.BuildServiceProvider();

        var sources = _provider.GetRequiredService<CredentialSources>();
        var service = _provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"));

        var launch = await _provider.GetRequiredService<LaunchResolver>().ResolveAsync(environment.Id, "registry.example.com/app");
        var user = await service.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com/app"));

        Assert.Same(sources, _provider.GetRequiredService<CredentialSources>());
        Assert.Same(_time, sources.TimeProvider);
        Assert.Equal([CredentialSourceKind.CredentialHelper, CredentialSourceKind.KubeletPlugin], sources.Kinds.Order());
        Assert.Equal(Canary, launch.Password?.Reveal());
        Assert.Equal(Start.AddHours(1), user.ExpiresAt);
        Assert.Equal(1, helper.CallCount);
        Assert.Equal(1, sources.CachedCount);
    }

    [Fact]
    public void ConfigureCredentialSources_InvalidOption_FailsAtStartNamingIt()
    {
        var services = NewServices();
        services.AddRegistries().ConfigureCredentialSources(o => o.FetchTimeout = TimeSpan.Zero);
        _provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => _provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("CredentialSourceOptions.FetchTimeout", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => services.AddRegistries().ConfigureCredentialSources(null!));
    }

    [Fact]
    public async Task ConfigureCredentialSources_MaximumCacheDuration_CapsWhatIsHandedOut()
    {
        var helper = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, _time).Returns("AWS", Canary, TimeSpan.FromHours(12));
        var services = NewServices();
        services.AddRegistries().ConfigureCredentialSources(o => o.MaximumCacheDuration = TimeSpan.FromHours(1)).UseFakeCredentialSource(helper);
        _provider = services.BuildServiceProvider();
        var service = _provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"));

        var resolution = await service.ResolveAsync(environment.Id, RegistryAddress.Parse("registry.example.com"));

        Assert.Equal(Start.AddHours(1), resolution.ExpiresAt);
    }

    [Fact]
    public async Task Logging_FetchRenewalFailureUnavailableAndRefresh_LoggedWithoutTheSecret()
    {
        var helper = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, _time).Returns("AWS", Canary, TimeSpan.FromHours(1));
        var services = NewServices();
        services.AddRegistries().UseFakeCredentialSource(helper);
        _provider = services.BuildServiceProvider();
        var service = _provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        var entry = await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromCredentialHelper("ops@example.com", "ecr-login"));
        var image = ImageReference.Parse("registry.example.com/app");

        await service.ResolveAsync(environment.Id, image);
        _time.Advance(TimeSpan.FromMinutes(58));
        helper.Fails("ecr-login: the instance role is gone");
        await service.ResolveAsync(environment.Id, image);
        _time.Advance(TimeSpan.FromMinutes(2));
        var unavailable = await service.ResolveAsync(environment.Id, image);
        helper.Returns("AWS", Canary, TimeSpan.FromHours(1));
        await service.ResolveAsync(environment.Id, image);
        await service.RefreshRegistryAsync(environment.Id, entry.Id);

        Assert.Equal(ResolutionOutcome.Unavailable, unavailable.Outcome);
        var records = _collector.GetSnapshot();
        Assert.Equal([8, 9, 10, 8, 11], records.Where(r => r.Id.Id is >= 8 and <= 11).Select(r => r.Id.Id));
        var fetched = records.First(r => r.Id.Id == 8);
        Assert.Equal("credential-helper:ecr-login", fetched.GetStructuredStateValue("Source"));
        Assert.Equal(entry.Id, fetched.GetStructuredStateValue("RegistryId"));
        var logged = Assert.Single(records, r => r.Id.Id == 7);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("the instance role is gone", logged.Message, StringComparison.Ordinal);
        LogAssert.NoRecordContains(records, Canary);
    }

    private ServiceCollection NewServices()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(_collector)).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<TimeProvider>(_time);
        return services;
    }
}
