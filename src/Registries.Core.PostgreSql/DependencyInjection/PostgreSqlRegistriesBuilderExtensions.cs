using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Registries.Core.Diagnostics;
using Registries.Core.PostgreSql;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.DependencyInjection;

/// <summary>Registers the PostgreSQL store.</summary>
/// <remarks>In the builder's namespace, so that one <c>using Registries.Core.DependencyInjection;</c> brings every <c>Use*</c> method.</remarks>
public static class PostgreSqlRegistriesBuilderExtensions
{
    /// <summary>Keeps environments and registries in PostgreSQL, in the database that <see cref="PostgreSqlStoreOptions.ConnectionString"/> names.</summary>
    /// <remarks>
    /// <para>Replaces the in-memory default store with a <see cref="PostgreSqlRegistryStore"/> (a singleton, also
    /// resolvable as itself, for <see cref="PostgreSqlRegistryStore.MigrateAsync"/>); the container disposes it, and with
    /// it its connection pool. The options are checked when the application starts (<c>ValidateOnStart</c>); options
    /// bound elsewhere (<c>services.Configure&lt;PostgreSqlStoreOptions&gt;(...)</c>) count too, so
    /// <paramref name="configure"/> may be <see langword="null"/>.</para>
    /// <para>The passwords go through the application's <see cref="ISecretProtector"/>, which every instance over the
    /// database must share (the same key file, or one ASP.NET Core Data Protection key ring): register one, before or
    /// after; resolving the store without one fails with a message that says so.</para>
    /// <para>Calling this method more than once is harmless: one store is registered, and each call's
    /// <paramref name="configure"/> is applied in order.</para>
    /// </remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the options (at least <see cref="PostgreSqlStoreOptions.ConnectionString"/>), or <see langword="null"/> when they are configured elsewhere.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UsePostgreSql(this IRegistriesBuilder builder, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder, configure, validateConnectionString: true);
        Register(builder, sp => new PostgreSqlRegistryStore(
            sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>(),
            RequireProtector(sp),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<RegistriesTelemetry>()));
        return builder;
    }

    /// <summary>Keeps environments and registries in the PostgreSQL database that <paramref name="connectionString"/> names.</summary>
    /// <remarks>Short for <c>UsePostgreSql(o =&gt; o.ConnectionString = connectionString)</c>; see
    /// <see cref="UsePostgreSql(IRegistriesBuilder, Action{PostgreSqlStoreOptions})"/>.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="connectionString">An Npgsql connection string (key=value), for example <c>Host=db;Username=registries;Password=...;Database=registries</c>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is <see langword="null"/>, empty or white space.</exception>
    public static IRegistriesBuilder UsePostgreSql(this IRegistriesBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.UsePostgreSql(o => o.ConnectionString = connectionString);
    }

    /// <summary>Keeps environments and registries in PostgreSQL through a data source the application built and owns.</summary>
    /// <remarks>As <see cref="UsePostgreSql(IRegistriesBuilder, Action{PostgreSqlStoreOptions})"/>, but the store uses
    /// <paramref name="dataSource"/> (its pool, its logging) and does not dispose it;
    /// <see cref="PostgreSqlStoreOptions.ConnectionString"/> is not needed and is ignored.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="dataSource">The data source.</param>
    /// <param name="configure">Sets the other options (schema, migration, command timeout), or <see langword="null"/>.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="dataSource"/> is <see langword="null"/>.</exception>
    public static IRegistriesBuilder UsePostgreSql(this IRegistriesBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        AddOptions(builder, configure, validateConnectionString: false);
        Register(builder, sp => new PostgreSqlRegistryStore(
            dataSource,
            sp.GetRequiredService<IOptions<PostgreSqlStoreOptions>>(),
            RequireProtector(sp),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<RegistriesTelemetry>()));
        return builder;
    }

    /// <summary>Adds the PostgreSQL store's health checks: <c>registries-store</c> (the server answers and the schema is
    /// at <see cref="PostgreSqlRegistryStore.SchemaVersion"/>; Unhealthy otherwise) and <c>registries-cache</c> (the
    /// resolution cache's listening connection is up and its last round trip is within
    /// <see cref="PostgreSqlStoreOptions.ResolutionCacheMaxStaleness"/>; Degraded otherwise, since every lookup still
    /// reads the database; Healthy when the cache is off).</summary>
    /// <remarks>Both are tagged <c>ready</c> unless <paramref name="tags"/> says otherwise, for a readiness probe
    /// (<c>app.MapHealthChecks("/health/ready", new() { Predicate = c =&gt; c.Tags.Contains("ready") })</c>); none is a
    /// liveness check: a database that is down makes an instance unready, never worth restarting. A check that takes
    /// longer than <paramref name="timeout"/> (5 s by default) reports its failure status. Calling this more than once
    /// is harmless. Answers are one line without a secret.</remarks>
    /// <param name="builder">The builder.</param>
    /// <param name="tags">The checks' tags, or <see langword="null"/> for <c>ready</c>.</param>
    /// <param name="timeout">How long a check may take, or <see langword="null"/> for 5 s.</param>
    /// <returns>The same builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative.</exception>
    public static IRegistriesBuilder AddPostgreSqlHealthChecks(this IRegistriesBuilder builder, IEnumerable<string>? tags = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        RegistriesHealthChecks.Add(builder.Services, "registries-store", sp => new PostgreSqlStoreHealthCheck(sp.GetRequiredService<PostgreSqlRegistryStore>()), HealthStatus.Unhealthy, tags, timeout);
        RegistriesHealthChecks.Add(builder.Services, "registries-cache", sp => new ResolutionCacheHealthCheck(sp.GetRequiredService<PostgreSqlRegistryStore>()), HealthStatus.Degraded, tags, timeout);
        return builder;
    }

    private static void AddOptions(IRegistriesBuilder builder, Action<PostgreSqlStoreOptions>? configure, bool validateConnectionString)
    {
        var options = builder.Services.AddOptions<PostgreSqlStoreOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        if (validateConnectionString)
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        }
        else
        {
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlDataSourceOptionsValidator>());
        }
    }

    private static void Register(IRegistriesBuilder builder, Func<IServiceProvider, PostgreSqlRegistryStore> factory)
    {
        builder.Services.Replace(ServiceDescriptor.Singleton(factory));
        builder.Services.Replace(ServiceDescriptor.Singleton<IRegistryStore>(sp => sp.GetRequiredService<PostgreSqlRegistryStore>()));
    }

    private static ISecretProtector RequireProtector(IServiceProvider services)
        => services.GetService<ISecretProtector>()
            ?? throw new InvalidOperationException("UsePostgreSql needs an ISecretProtector shared by every instance over the database: register one (for example services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(\"/etc/registries/store.key\")), or an adapter over ASP.NET Core Data Protection).");
}
