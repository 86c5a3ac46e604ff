using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Registries.Core.Events;
using Registries.Testing;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>What AddRegistries logs: registry events, resolutions and observer failures, with chosen fields and never a secret.</summary>
public sealed class RegistriesLoggingTests : IAsyncDisposable
{
    private const string Canary = "CANARY-observer-p@ss";
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly FakeLogCollector _collector = new();
    private ServiceProvider? _provider;

    public ValueTask DisposeAsync() => _provider?.DisposeAsync() ?? ValueTask.CompletedTask;

    [Fact]
    public async Task RegistryObserverThrows_AddSucceedsAndOneErrorNamesTheObserverAndTheEvent()
    {
        var service = Build(s => s.AddSingleton<IRegistryEventObserver, ThrowingEventObserver>()).As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");

        var registry = await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));

        Assert.Equal(registry.Id, Assert.Single(await service.ListRegistriesAsync(environment.Id)).Registry.Id);
        var error = Assert.Single(_collector.GetSnapshot(), r => r.Level == LogLevel.Error);
        Assert.Equal(5, error.Id.Id);
        Assert.Equal(typeof(ThrowingEventObserver).FullName, error.GetStructuredStateValue("Observer"));
        Assert.Equal(nameof(RegistryEventKind.Added), error.GetStructuredStateValue("Kind"));
        Assert.Equal(registry.Id, error.GetStructuredStateValue("RegistryId"));
        Assert.Equal(environment.Id, error.GetStructuredStateValue("EnvironmentId"));
        Assert.Contains(typeof(ThrowingEventObserver).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains("Added", error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error.Exception);
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    [Fact]
    public async Task RegistryObserverThrows_EveryLaterChangeStillSucceedsAndIsLoggedOnce()
    {
        var service = Build(s => s.AddSingleton<IRegistryEventObserver, ThrowingEventObserver>()).As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        var registry = await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));

        await service.EditRegistryAsync(environment.Id, registry.Id, new RegistryCredential("ops@example.com", "deploy", Canary + "-2"));
        await service.DeactivateRegistryAsync(environment.Id, registry.Id);

        var errors = _collector.GetSnapshot().Where(r => r.Id.Id == 5).Select(r => r.GetStructuredStateValue("Kind")).ToArray();
        string?[] expected = [nameof(RegistryEventKind.Added), nameof(RegistryEventKind.Edited), nameof(RegistryEventKind.Deactivated)];
        Assert.Equal(expected, errors);
        Assert.Equal(RegistryState.Inactive, (await service.GetRegistryAsync(environment.Id, registry.Id)).Registry.State);
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    [Fact]
    public async Task ResolutionObserverThrows_ResolutionIsAnsweredAndOneErrorIsLogged()
    {
        var service = Build(s => s.AddSingleton<IResolutionObserver, ThrowingResolutionObserver>()).As("olivia");
        var resolver = _provider!.GetRequiredService<LaunchResolver>();
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));

        var throughService = await service.ResolveAsync(environment.Id, Address);
        var errorsAfterService = _collector.GetSnapshot().Count(r => r.Id.Id == 6);
        var throughResolver = await resolver.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));

        Assert.Equal(ResolutionOutcome.Authenticated, throughService.Outcome);
        Assert.Equal(ResolutionOutcome.Authenticated, throughResolver.Outcome);
        Assert.Equal(1, errorsAfterService);
        var errors = _collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToArray();
        Assert.Equal(2, errors.Length);
        Assert.All(errors, e =>
        {
            Assert.Equal(6, e.Id.Id);
            Assert.Equal(typeof(ThrowingResolutionObserver).FullName, e.GetStructuredStateValue("Observer"));
            Assert.Equal(environment.Id, e.GetStructuredStateValue("EnvironmentId"));
            Assert.IsType<InvalidOperationException>(e.Exception);
        });
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    [Fact]
    public async Task Resolutions_AreLoggedWithTheAddress_NeverARegistryField()
    {
        var service = Build().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        var registry = await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));

        await service.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/app:1"));
        await service.ResolveAsync(environment.Id, Address);
        await service.ResolveAsync(environment.Id, ImageReference.Parse("alpine"));
        await service.DeactivateRegistryAsync(environment.Id, registry.Id);
        await service.ResolveAsync(environment.Id, Address);

        var resolutions = _collector.GetSnapshot().Where(r => r.Id.Id is 2 or 3 or 4).ToArray();
        Assert.Equal([2, 2, 3, 4], resolutions.Select(r => r.Id.Id));
        Assert.All(resolutions, r =>
        {
            Assert.DoesNotContain(r.StructuredState!, p => p.Key == "Registry");
            Assert.Equal(environment.Id, r.GetStructuredStateValue("EnvironmentId"));
        });
        Assert.Equal(["registry.example.com:5000", "registry.example.com:5000", "docker.io", "registry.example.com:5000"], resolutions.Select(r => r.GetStructuredStateValue("Address")));

        // An image resolution names the image; an address resolution has none and names the address.
        Assert.Equal("registry.example.com:5000/app:1", resolutions[0].GetStructuredStateValue("Reference"));
        Assert.Equal("registry.example.com:5000", resolutions[1].GetStructuredStateValue("Reference"));
        Assert.Equal("deploy", resolutions[0].GetStructuredStateValue("Username"));
        Assert.Equal(registry.Id, resolutions[3].GetStructuredStateValue("RegistryId"));
        Assert.Equal(LogLevel.Warning, resolutions[3].Level);
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    [Fact]
    public async Task RegistryEvents_AreLoggedWithTheCaller_NeverAnActorField()
    {
        var service = Build().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.SetMemberAsync(environment.Id, "bob", EnvironmentRole.Member);

        var registry = await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));
        await service.As("bob").DeactivateRegistryAsync(environment.Id, registry.Id);

        var events = _collector.GetSnapshot().Where(r => r.Id.Id == 1).ToArray();
        Assert.Equal(["olivia", "bob"], events.Select(r => r.GetStructuredStateValue("Caller")));
        Assert.Equal([nameof(RegistryEventKind.Added), nameof(RegistryEventKind.Deactivated)], events.Select(r => r.GetStructuredStateValue("Kind")));
        Assert.All(events, r =>
        {
            Assert.DoesNotContain(r.StructuredState!, p => p.Key == "Actor");
            Assert.Equal("registry.example.com:5000", r.GetStructuredStateValue("Address"));
            Assert.Equal(LogLevel.Information, r.Level);
        });
        Assert.Contains("by bob", events[1].Message, StringComparison.Ordinal);
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    [Fact]
    public async Task PolicyAndMirrorChanges_AreLoggedAsEnvironmentEvents_PolicyDenialNamesTheRule()
    {
        var service = Build().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, Address, new RegistryCredential("ops@example.com", "deploy", Canary));
        await service.SetPolicyRuleAsync(environment.Id, PolicyRule.Deny(RegistryScope.ParseScope("registry.example.com:5000/team")));
        await service.AddMirrorAsync(environment.Id, RegistryMirror.Create(RegistryAddress.DockerHub, Address));

        var denied = await service.ResolveAsync(environment.Id, ImageReference.Parse("registry.example.com:5000/team/app:1"));

        Assert.Equal(ResolutionOutcome.Denied, denied.Outcome);
        var changes = _collector.GetSnapshot().Where(r => r.Id.Id == 12).ToArray();
        Assert.Equal([nameof(EnvironmentEventKind.PolicyRuleSet), nameof(EnvironmentEventKind.MirrorAdded)], changes.Select(r => r.GetStructuredStateValue("Kind")));
        Assert.Equal(["deny registry.example.com:5000/team", "docker.io -> registry.example.com:5000"], changes.Select(r => r.GetStructuredStateValue("Change")));
        Assert.All(changes, r => Assert.Equal("olivia", r.GetStructuredStateValue("Caller")));
        var log = Assert.Single(_collector.GetSnapshot(), r => r.Id.Id == 14);
        Assert.Equal("deny registry.example.com:5000/team", log.GetStructuredStateValue("Rule"));
        LogAssert.NoRecordContains(_collector.GetSnapshot(), Canary);
    }

    private RegistryService Build(Action<IServiceCollection>? register = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(_collector)).SetMinimumLevel(LogLevel.Trace));
        register?.Invoke(services);
        services.AddRegistries();
        _provider = services.BuildServiceProvider();
        return _provider.GetRequiredService<RegistryService>();
    }
}
