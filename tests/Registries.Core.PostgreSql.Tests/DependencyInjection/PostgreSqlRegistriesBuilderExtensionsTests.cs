using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Registries.Core.DependencyInjection;

namespace Registries.Core.PostgreSql.Tests.DependencyInjection;

[Trait("Category", "Integration")]
public sealed class PostgreSqlRegistriesBuilderExtensionsTests : IAsyncLifetime
{
    private readonly PostgreSqlTestDatabase _database = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task UsePostgreSql_ConnectionString_TheStoreOfTheServiceEndToEnd()
    {
        var schema = _database.NewSchema();
        var services = new ServiceCollection();
        services.AddSingleton(_database.Protector);
        services.AddRegistries().UsePostgreSql(o =>
        {
            o.ConnectionString = _database.ConnectionString;
            o.Schema = schema;
        });
        await using var provider = services.BuildServiceProvider(validateScopes: true);

        var store = Assert.IsType<PostgreSqlRegistryStore>(provider.GetRequiredService<IRegistryStore>());
        Assert.Same(store, provider.GetRequiredService<PostgreSqlRegistryStore>());
        Assert.Equal(schema, store.Schema);
        var service = provider.GetRequiredService<RegistryService>().As("olivia");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("r.example.com"), new RegistryCredential("o@example.com", "o", "pw"));
        var resolution = await service.ResolveAsync(environment.Id, ImageReference.Parse("r.example.com/team/app:1"));
        Assert.Equal("pw", resolution.Password?.Reveal());
    }

    [Fact]
    public void UsePostgreSql_StringOverload_SetsTheConnectionString()
    {
        using var provider = new ServiceCollection().AddRegistries().UsePostgreSql(_database.ConnectionString).Services.BuildServiceProvider();

        Assert.Equal(_database.ConnectionString, provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void UsePostgreSql_NoConnectionString_StartFailsWithClearMessage()
    {
        using var provider = new ServiceCollection().AddRegistries().UsePostgreSql().Services.BuildServiceProvider();

        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("PostgreSqlStoreOptions.ConnectionString is not set", atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsePostgreSql_NoProtector_ResolvingTheStoreSaysToRegisterOne()
    {
        using var provider = new ServiceCollection().AddRegistries().UsePostgreSql(_database.ConnectionString).Services.BuildServiceProvider();

        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IRegistryStore>());

        Assert.Contains("ISecretProtector", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsePostgreSql_DataSource_UsedAndNotDisposedWithTheContainer()
    {
        var schema = _database.NewSchema();
        await using var dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        var services = new ServiceCollection();
        services.AddSingleton(_database.Protector);
        services.AddRegistries().UsePostgreSql(dataSource, o => o.Schema = schema);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var store = provider.GetRequiredService<PostgreSqlRegistryStore>();
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await provider.DisposeAsync();

        // The application's data source outlives the container: it still serves the same schema.
        await using var again = new PostgreSqlRegistryStore(dataSource, Options.Create(new PostgreSqlStoreOptions { Schema = schema }), _database.Protector);
        Assert.Equal("prod", (await again.GetEnvironmentAsync(environment.Id))?.Name);
    }

    [Fact]
    public void UsePostgreSql_CalledTwice_OneStoreAndBothConfigurationsApplied()
    {
        var services = new ServiceCollection();
        services.AddRegistries().UsePostgreSql(_database.ConnectionString).UsePostgreSql(o => o.Schema = "second");

        Assert.Single(services, d => d.ServiceType == typeof(IRegistryStore));
        Assert.Single(services, d => d.ServiceType == typeof(PostgreSqlRegistryStore));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;
        Assert.Equal(_database.ConnectionString, options.ConnectionString);
        Assert.Equal("second", options.Schema);
    }

    [Fact]
    public void UsePostgreSql_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddRegistries();

        Assert.Throws<ArgumentNullException>(() => ((IRegistriesBuilder)null!).UsePostgreSql());
        Assert.Throws<ArgumentNullException>(() => ((IRegistriesBuilder)null!).UsePostgreSql("Host=x"));
        Assert.Throws<ArgumentNullException>(() => builder.UsePostgreSql((NpgsqlDataSource)null!));
        Assert.ThrowsAny<ArgumentException>(() => builder.UsePostgreSql(" "));
    }
}
