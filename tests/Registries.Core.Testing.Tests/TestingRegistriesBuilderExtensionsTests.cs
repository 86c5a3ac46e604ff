using Microsoft.Extensions.DependencyInjection;
using Registries.Core.DependencyInjection;
using Registries.Core.Engine;

namespace Registries.Core.Testing.Tests;

public sealed class TestingRegistriesBuilderExtensionsTests
{
    [Fact]
    public async Task UseFakeImageEngine_AfterTheApplicationsEngine_ReplacesItForThePullService()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IImageEngine, ApplicationEngine>();
        var fake = new FakeImageEngine();

        services.AddRegistries().UseFakeImageEngine(fake);
        await using var provider = services.BuildServiceProvider();

        Assert.Same(fake, provider.GetRequiredService<IImageEngine>());
        Assert.Same(fake, provider.GetRequiredService<FakeImageEngine>());
        Assert.Single(services, d => d.ServiceType == typeof(IImageEngine));
        await provider.GetRequiredService<ImagePullService>().EnsureImageAsync(
            (await provider.GetRequiredService<RegistryService>().As("alice").CreateEnvironmentAsync("prod")).Id,
            ImageReference.Parse("quay.io/org/app:1"));
        Assert.Single(fake.Pulls);
    }

    [Fact]
    public async Task UseSeededStore_TheContainersServiceSeesTheSeed()
    {
        var registries = await RegistriesSeed.CreateAsync(seed => seed.Environment("prod", owner: "alice").Registry("prod", "quay.io", "q", "pw"));
        var services = new ServiceCollection();

        services.AddRegistries().UseSeededStore(registries);
        await using var provider = services.BuildServiceProvider();

        var entries = await provider.GetRequiredService<RegistryService>().As("alice").ListRegistriesAsync(registries.EnvironmentId("prod"));
        Assert.Equal(registries.RegistryId("prod", "quay.io"), Assert.Single(entries).Registry.Id);
    }

    [Fact]
    public void Extensions_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => TestingRegistriesBuilderExtensions.UseFakeImageEngine(null!, new FakeImageEngine()));
        Assert.Throws<ArgumentNullException>("engine", () => builder.UseFakeImageEngine(null!));
        Assert.Throws<ArgumentNullException>("registries", () => builder.UseSeededStore(null!));
    }

    private sealed class ApplicationEngine : IImageEngine
    {
        public ValueTask<bool> ImageExistsAsync(ImageReference image, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The application's engine must not be used.");

        public ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The application's engine must not be used.");

        public ValueTask TagAsync(ImageReference image, ImageReference name, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The application's engine must not be used.");

        public ValueTask<bool> UntagAsync(ImageReference name, CancellationToken cancellationToken = default) => throw new InvalidOperationException("The application's engine must not be used.");
    }
}
