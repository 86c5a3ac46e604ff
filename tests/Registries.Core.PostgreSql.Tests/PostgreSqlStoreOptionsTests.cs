using Microsoft.Extensions.Options;

namespace Registries.Core.PostgreSql.Tests;

public sealed class PostgreSqlStoreOptionsTests
{
    private const string Valid = "Host=127.0.0.1;Username=registries;Password=x;Database=registries";

    [Fact]
    public void Defaults_SchemaRegistriesMigrateOnStartThirtySeconds()
    {
        var options = new PostgreSqlStoreOptions();

        Assert.Null(options.ConnectionString);
        Assert.Equal("registries", options.Schema);
        Assert.True(options.MigrateOnStart);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CommandTimeout);
    }

    [Fact]
    public void Validate_ValidOptions_Succeeds()
        => Assert.True(new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid }).Succeeded);

    [Fact]
    public void Validate_NoConnectionString_SaysToGiveOne()
    {
        var result = new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions());

        Assert.Contains("PostgreSqlStoreOptions.ConnectionString is not set", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Registries")]
    [InlineData("my-schema")]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("pg_registries")]
    [InlineData("a\"; DROP TABLE x; --")]
    public void Validate_BadSchema_NamesTheRule(string schema)
    {
        var result = new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid, Schema = schema });

        Assert.True(result.Failed);
        Assert.Contains("PostgreSqlStoreOptions.Schema", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SchemaOf63Characters_Succeeds()
        => Assert.True(new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid, Schema = new string('a', 63) }).Succeeded);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void Validate_CommandTimeoutOutOfRange_SaysTheRange(int seconds)
    {
        var result = new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid, CommandTimeout = TimeSpan.FromSeconds(seconds) });

        Assert.Contains("between one second and 1 hour", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_ResolutionCacheOffFiveSeconds()
    {
        var options = new PostgreSqlStoreOptions();

        Assert.False(options.ResolutionCache);
        Assert.Equal(TimeSpan.FromSeconds(5), options.ResolutionCacheMaxStaleness);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1000)]
    [InlineData(999)]
    [InlineData(300_001)]
    [InlineData(3_600_000)]
    public void Validate_ResolutionCacheMaxStalenessOutOfRange_SaysTheRange(int milliseconds)
    {
        var result = new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid, ResolutionCache = true, ResolutionCacheMaxStaleness = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.True(result.Failed);
        Assert.Contains("PostgreSqlStoreOptions.ResolutionCacheMaxStaleness is", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("between one second and 5 minutes", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(5_000)]
    [InlineData(300_000)]
    public void Validate_ResolutionCacheMaxStalenessInRange_Succeeds(int milliseconds)
        => Assert.True(new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = Valid, ResolutionCache = true, ResolutionCacheMaxStaleness = TimeSpan.FromMilliseconds(milliseconds) }).Succeeded);

    [Fact]
    public void Constructors_BadResolutionCacheMaxStaleness_ThrowOptionsValidationException()
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create(Valid);
        var options = Options.Create(new PostgreSqlStoreOptions { ConnectionString = Valid, ResolutionCache = true, ResolutionCacheMaxStaleness = TimeSpan.FromMilliseconds(10) });

        var owned = Assert.Throws<OptionsValidationException>(() => new PostgreSqlRegistryStore(options, new TestSecretProtector()));
        var given = Assert.Throws<OptionsValidationException>(() => new PostgreSqlRegistryStore(dataSource, options, new TestSecretProtector()));

        Assert.All(new[] { owned, given }, e => Assert.Contains("ResolutionCacheMaxStaleness", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ResolutionCacheWithMultiplexing_SaysItCannotListen()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = Valid + ";Multiplexing=true", ResolutionCache = true };
        using var dataSource = Npgsql.NpgsqlDataSource.Create(options.ConnectionString);

        var result = new PostgreSqlStoreOptionsValidator().Validate(null, options);
        var given = Assert.Throws<OptionsValidationException>(() => new PostgreSqlRegistryStore(dataSource, Options.Create(options), new TestSecretProtector()));

        Assert.Contains("sets Multiplexing=true; remove Multiplexing, or turn the resolution cache off", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Multiplexing=true", given.Message, StringComparison.Ordinal);
        Assert.True(new PostgreSqlStoreOptionsValidator().Validate(null, new PostgreSqlStoreOptions { ConnectionString = options.ConnectionString }).Succeeded);
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsOptionsValidationExceptionLikeDependencyInjection()
    {
        var e = Assert.Throws<OptionsValidationException>(() => new PostgreSqlRegistryStore(Options.Create(new PostgreSqlStoreOptions { ConnectionString = Valid, Schema = "Bad" }), new TestSecretProtector()));

        Assert.Equal(typeof(PostgreSqlStoreOptions), e.OptionsType);
        Assert.Contains("PostgreSqlStoreOptions.Schema 'Bad'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructors_NullArguments_Throw()
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create(Valid);
        var options = Options.Create(new PostgreSqlStoreOptions { ConnectionString = Valid });

        Assert.Throws<ArgumentNullException>(() => new PostgreSqlRegistryStore(null!, new TestSecretProtector()));
        Assert.Throws<ArgumentNullException>(() => new PostgreSqlRegistryStore(options, null!));
        Assert.Throws<ArgumentNullException>(() => new PostgreSqlRegistryStore(null!, options, new TestSecretProtector()));
        Assert.Throws<ArgumentNullException>(() => new PostgreSqlRegistryStore(dataSource, null!, new TestSecretProtector()));
        Assert.Throws<ArgumentNullException>(() => new PostgreSqlRegistryStore(dataSource, options, null!));
    }

    [Fact]
    public void Constructor_DataSourceGiven_NeedsNoConnectionString()
    {
        using var dataSource = Npgsql.NpgsqlDataSource.Create(Valid);
        using var store = new PostgreSqlRegistryStore(dataSource, Options.Create(new PostgreSqlStoreOptions { Schema = "other" }), new TestSecretProtector());

        Assert.Equal("other", store.Schema);
        Assert.Equal("127.0.0.1:5432", store.Server);
        Assert.Equal("registries", store.Database);
    }

    [Theory]
    [InlineData("docker.io", "docker.io")]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("Registry.Example.COM:5000", "registry.example.com:5000")]
    [InlineData("[FE80::1]:5000", "[fe80::1]:5000")]
    public void AddressKey_EqualAddresses_SameKey(string address, string key)
        => Assert.Equal(key, PostgreSqlRegistryStore.AddressKey(RegistryAddress.Parse(address)));
}
