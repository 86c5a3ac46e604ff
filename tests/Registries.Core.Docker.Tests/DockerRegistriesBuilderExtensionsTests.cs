using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Registries.Core.DependencyInjection;
using Registries.Core.Engine;
using Registries.Core.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary><c>UseDocker</c>: options validated at start, lifetimes, the application's own engine kept, chaining.</summary>
public sealed class DockerRegistriesBuilderExtensionsTests
{
    [Fact]
    public void UseDocker_Endpoint_RegistersOneEngineForBothServiceTypes()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("unix:///tmp/registries-docker-di.sock"))
            .Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        var engine = Assert.IsType<DockerImageEngine>(provider.GetRequiredService<IImageEngine>());
        Assert.Same(engine, provider.GetRequiredService<DockerImageEngine>());
        Assert.Same(engine, provider.GetRequiredService<IImageEngine>());
        Assert.Equal(new Uri("unix:///tmp/registries-docker-di.sock"), engine.Endpoint);
        Assert.NotNull(provider.GetRequiredService<ImagePullService>());
    }

    [Fact]
    public void UseDocker_InvalidEndpoint_FailsAtStartWithTheFix()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("tcp://docker.example.com"))
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(typeof(DockerEngineOptions), error.OptionsType);
        Assert.Contains("Endpoint 'tcp://docker.example.com/' needs a host and a port: write tcp://HOST:PORT", error.Message, StringComparison.Ordinal);

        // The engine built outside DI refuses the same options with the same words.
        var direct = Assert.Throws<OptionsValidationException>(() => new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri("tcp://docker.example.com") })));
        Assert.Equal(error.Failures, direct.Failures);
    }

    [Fact]
    public void UseDocker_InvalidEndpointAndNoStartupValidation_FailsOnFirstUse()
    {
        using var provider = new ServiceCollection()
            .AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("ssh://me@docker.example.com"))
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IImageEngine>());

        Assert.Contains("unsupported scheme 'ssh'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseDocker_UserEngineRegisteredFirst_IsKept()
    {
        var services = new ServiceCollection();
        var mine = new FakeImageEngine();
        services.AddSingleton<IImageEngine>(mine);

        using var provider = services.AddRegistries().UseDocker().Services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<IImageEngine>());
    }

    [Fact]
    public void UseDocker_UserEngineRegisteredAfter_IsKept()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UseDocker(o => o.Endpoint = new Uri("unix:///tmp/registries-docker-di.sock"));
        var mine = new FakeImageEngine();
        services.AddSingleton<IImageEngine>(mine);

        using var provider = services.BuildServiceProvider();

        // The last IImageEngine registration is the one resolved, as for any Microsoft.Extensions service.
        Assert.Same(mine, provider.GetRequiredService<IImageEngine>());
    }

    [Fact]
    public void UseDocker_CalledTwice_AppliesBothConfigurationsAndRegistersOneEngineAndOneValidator()
    {
        var services = new ServiceCollection();
        services.AddRegistries()
            .UseDocker(o => o.Endpoint = new Uri("unix:///tmp/first.sock"))
            .UseDocker(o => o.RequestTimeout = TimeSpan.FromSeconds(7));

        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IImageEngine));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<DockerEngineOptions>));
        var options = provider.GetRequiredService<IOptions<DockerEngineOptions>>().Value;
        Assert.Equal(new Uri("unix:///tmp/first.sock"), options.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(7), options.RequestTimeout);
    }

    [Fact]
    public async Task UseDocker_EngineIsASingletonThatLogsThroughTheContainersLoggerFactory()
    {
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(collector)));
        var socket = new Uri($"unix:///tmp/registries-no-such-dir-{Guid.NewGuid():N}/docker.sock");
        services.AddRegistries().UseDocker(o => o.Endpoint = socket);
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IImageEngine>();

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(ImageReference.Parse("registry.example.com/team/app:1.0"))).AsTask());

        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(DockerImageEngine)).Lifetime);
        Assert.Equal(ServiceLifetime.Singleton, Assert.Single(services, d => d.ServiceType == typeof(IImageEngine)).Lifetime);
        Assert.Same(engine, provider.GetRequiredService<IImageEngine>());
        var failed = Assert.Single(collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(typeof(DockerImageEngine).FullName, failed.Category);
        Assert.Same(error, failed.Exception);
        Assert.Contains("registry.example.com/team/app:1.0", failed.Message, StringComparison.Ordinal);
        Assert.Contains("EngineUnavailable", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseDocker_NullBuilder_Throws()
        => Assert.Throws<ArgumentNullException>("builder", () => DockerRegistriesBuilderExtensions.UseDocker(null!));
}
