using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Registries.Core.DependencyInjection;

namespace Registries.Core.FileStore.Tests.DependencyInjection;

public sealed class FileStoreRegistriesBuilderExtensionsTests : IDisposable
{
    private readonly TestDirectory _folder = new("registries-filestore-di-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task UseFileStore_PathConfigured_FileStoreWithDefaultKeyFileProtector()
    {
        var path = _folder.Combine("store.json");
        await using var provider = new ServiceCollection().AddRegistries().UseFileStore(o => o.Path = path).Services.BuildServiceProvider(validateScopes: true);

        var store = Assert.IsType<FileRegistryStore>(provider.GetRequiredService<IRegistryStore>());
        var protector = Assert.IsType<KeyFileSecretProtector>(provider.GetRequiredService<ISecretProtector>());

        Assert.Same(store, provider.GetRequiredService<FileRegistryStore>());
        Assert.Same(store, provider.GetRequiredService<IRegistryStore>());
        Assert.Equal(path, store.FilePath);
        Assert.Equal(path + ".key", protector.KeyPath);
        var environment = await provider.GetRequiredService<RegistryService>().As("olivia").CreateEnvironmentAsync("prod");
        await provider.GetRequiredService<RegistryService>().As("olivia").AddRegistryAsync(environment.Id, RegistryAddress.Parse("r.example.com"), new RegistryCredential("o@example.com", "o", "pw"));
        Assert.True(File.Exists(path + ".key"));
    }

    [Fact]
    public void UseFileStore_KeyPathConfigured_ProtectorUsesIt()
    {
        var keyPath = _folder.Combine("keys", "registries.key");
        using var provider = new ServiceCollection().AddRegistries()
            .UseFileStore(o =>
            {
                o.Path = _folder.Combine("store.json");
                o.KeyPath = keyPath;
            })
            .Services.BuildServiceProvider();

        Assert.Equal(keyPath, Assert.IsType<KeyFileSecretProtector>(provider.GetRequiredService<ISecretProtector>()).KeyPath);
    }

    [Fact]
    public void UseFileStore_NoPath_StartFailsWithClearMessage()
    {
        using var provider = new ServiceCollection().AddRegistries().UseFileStore().Services.BuildServiceProvider();

        // What a host runs at start (ValidateOnStart), before anything asks for the store.
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        var onUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IRegistryStore>());

        Assert.Contains("FileStoreOptions.Path is not set", atStart.Message, StringComparison.Ordinal);
        Assert.Contains("registries.json", atStart.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(FileStoreOptions), onUse.OptionsType);
    }

    [Fact]
    public void UseFileStore_InvalidOptions_StartFailsWithEveryProblem()
    {
        using var provider = new ServiceCollection().AddRegistries()
            .UseFileStore(o =>
            {
                o.Path = _folder.Combine("store.json");
                o.KeyPath = _folder.Combine("store.json");
                o.LockTimeout = TimeSpan.Zero;
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("KeyPath is the store file itself", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("LockTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void UseFileStore_OptionsBoundElsewhere_Used()
    {
        var services = new ServiceCollection();
        services.Configure<FileStoreOptions>(o => o.Path = _folder.Combine("bound.json"));
        using var provider = services.AddRegistries().UseFileStore().Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(_folder.Combine("bound.json"), provider.GetRequiredService<FileRegistryStore>().FilePath);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UseFileStore_UserProtectorRegisteredBeforeOrAfter_IsTheOneUsed(bool before)
    {
        var mine = new KeyFileSecretProtector(_folder.Combine("mine.key"));
        var services = new ServiceCollection();
        if (before)
        {
            services.AddSingleton<ISecretProtector>(mine);
        }

        services.AddRegistries().UseFileStore(o => o.Path = _folder.Combine("store.json"));
        if (!before)
        {
            services.AddSingleton<ISecretProtector>(mine);
        }

        using var provider = services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<ISecretProtector>());
        Assert.Single(provider.GetServices<ISecretProtector>(), p => ReferenceEquals(p, mine));
    }

    [Fact]
    public void UseFileStore_CalledTwice_OneStoreOneProtectorOneValidatorAndLastValueWins()
    {
        var services = new ServiceCollection();
        services.AddRegistries()
            .UseFileStore(o => o.Path = _folder.Combine("first.json"))
            .UseFileStore(o => o.Path = _folder.Combine("second.json"));

        Assert.Single(services, d => d.ServiceType == typeof(IRegistryStore));
        Assert.Single(services, d => d.ServiceType == typeof(FileRegistryStore));
        Assert.Single(services, d => d.ServiceType == typeof(ISecretProtector));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<FileStoreOptions>));
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(_folder.Combine("second.json"), provider.GetRequiredService<FileRegistryStore>().FilePath);
        Assert.All(services.Where(d => d.ServiceType == typeof(IRegistryStore) || d.ServiceType == typeof(ISecretProtector)), d => Assert.Equal(ServiceLifetime.Singleton, d.Lifetime));
    }

    [Fact]
    public void UseFileStore_RelativePath_MadeAbsoluteAtRegistration()
    {
        using var provider = new ServiceCollection().AddRegistries().UseFileStore("relative/store.json").Services.BuildServiceProvider();

        Assert.Equal(Path.GetFullPath("relative/store.json"), provider.GetRequiredService<FileRegistryStore>().FilePath);
        Assert.Equal(Path.GetFullPath("relative/store.json") + ".key", Assert.IsType<KeyFileSecretProtector>(provider.GetRequiredService<ISecretProtector>()).KeyPath);
    }

    [Fact]
    public void UseFileStore_ProtectorFactory_ReplacesTheProtectorAndNoKeyFileIsUsed()
    {
        var mine = new KeyFileSecretProtector(_folder.Combine("mine.key"));
        var services = new ServiceCollection();
        services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(_folder.Combine("earlier.key")));
        using var provider = services.AddRegistries().UseFileStore(_folder.Combine("store.json"), _ => mine).Services.BuildServiceProvider();

        Assert.Same(mine, provider.GetRequiredService<ISecretProtector>());
        Assert.Single(provider.GetServices<ISecretProtector>());
        Assert.IsType<FileRegistryStore>(provider.GetRequiredService<IRegistryStore>());
    }

    [Fact]
    public void UseFileStore_BadArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>("builder", () => FileStoreRegistriesBuilderExtensions.UseFileStore(null!, o => o.Path = "x.json"));
        Assert.Throws<ArgumentNullException>("builder", () => FileStoreRegistriesBuilderExtensions.UseFileStore(null!, "x.json"));
        Assert.Throws<ArgumentException>("path", () => builder.UseFileStore(" "));
        Assert.Throws<ArgumentNullException>("protector", () => builder.UseFileStore("x.json", null!));
    }

    [Fact]
    public async Task UseFileStore_TimeProviderAndLoggingFromTheContainer_UsedByTheStore()
    {
        var clock = new FakeTimeProvider();
        var collector = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(clock);
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var path = _folder.Combine("store.json");
        await File.WriteAllTextAsync(_folder.Combine(".store.json." + Guid.NewGuid().ToString("N") + ".tmp"), "left by a killed writer");
        await using var provider = services.AddRegistries().UseFileStore(o => o.Path = path).Services.BuildServiceProvider();

        var store = provider.GetRequiredService<FileRegistryStore>();
        await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Same(clock, store.TimeProvider);
        var record = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "LeftoversDeleted");
        Assert.Equal(typeof(FileRegistryStore).FullName, record.Category);
        Assert.Contains(path, record.Message, StringComparison.Ordinal);
    }
}
