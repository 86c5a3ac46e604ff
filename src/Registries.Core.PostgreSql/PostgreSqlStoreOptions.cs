namespace Registries.Core.PostgreSql;

/// <summary>Where the PostgreSQL store keeps its data, and how it treats the schema.</summary>
/// <remarks>
/// <para>With dependency injection, set them in <c>UsePostgreSql(o =&gt; ...)</c> (or bind them from configuration and
/// call <c>UsePostgreSql()</c>); they are checked when the application starts. Without it, pass
/// <c>Options.Create(new PostgreSqlStoreOptions { ... })</c> to <see cref="PostgreSqlRegistryStore"/>, whose constructor
/// applies the same checks and throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> with the same
/// messages.</para>
/// <para>The checks look only at the values: whether the server answers, the password is right or the database
/// exists is found out on the first operation, which fails with a <see cref="RegistryStoreException"/> that says
/// what to fix (and never shows the password).</para>
/// </remarks>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The schema used when none is set.</summary>
    public const string DefaultSchema = "registries";

    /// <summary>The command timeout used when none is set.</summary>
    internal static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The staleness bound of the resolution cache used when none is set.</summary>
    internal static readonly TimeSpan DefaultResolutionCacheMaxStaleness = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the Npgsql connection string (key=value), for example
    /// <c>Host=db.example.com;Port=5432;Username=registries;Password=...;Database=registries</c>.</summary>
    /// <remarks>Required unless the store is given an <c>NpgsqlDataSource</c>, whose connection string is used instead.
    /// The password in it never appears in a message or a log of the store.</remarks>
    public string? ConnectionString { get; set; }

    /// <summary>Gets or sets the schema that holds the store's tables (<c>registries</c> by default).</summary>
    /// <remarks>Lowercase letters, digits and underscores, starting with a letter or an underscore, at most 63
    /// characters (PostgreSQL's limit). Several stores may share one database in different schemas.</remarks>
    public string Schema { get; set; } = DefaultSchema;

    /// <summary>Gets or sets a value indicating whether the store creates or upgrades its schema before its first
    /// operation (<see langword="true"/> by default).</summary>
    /// <remarks>Set it to <see langword="false"/> on platforms that migrate in a separate step with
    /// <see cref="PostgreSqlRegistryStore.MigrateAsync"/> (and run the application with a role that may not change the
    /// schema): the store then checks, before its first operation, that the schema is there at the version it needs,
    /// and fails with a message that says to run the migration when it is not.</remarks>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Gets or sets how long one command may run before it fails (30 seconds by default).</summary>
    /// <remarks>Between one second and one hour; whole seconds (a fraction is rounded up). The connection timeout is
    /// the connection string's <c>Timeout</c> (Npgsql's default: 15 seconds).</remarks>
    public TimeSpan CommandTimeout { get; set; } = DefaultCommandTimeout;

    /// <summary>Gets or sets a value indicating whether the store answers the resolution path from memory
    /// (<see langword="false"/> by default).</summary>
    /// <remarks>
    /// <para>With it on, <see cref="PostgreSqlRegistryStore.GetEnvironmentAsync"/> and
    /// <see cref="PostgreSqlRegistryStore.ListRegistriesByAddressAsync"/> (what a resolution reads) keep what they read
    /// and answer the next call from memory, with no round trip; every other operation reads the database. The store
    /// learns of every change, by any writer in any replication role, through PostgreSQL's <c>LISTEN/NOTIFY</c> on one
    /// long-lived connection of its own (taken from its data source while the store lives) and a change counter read in
    /// its round trips, and a write of this store forgets what it changed before it returns.</para>
    /// <para>The bound: once a deactivation, delete or newer add is committed, by any writer in any replication role, no
    /// store answers with the old credential after <see cref="ResolutionCacheMaxStaleness"/> (in practice after the
    /// notification's latency, milliseconds). Writes made while the store's triggers are disabled
    /// (<c>pg_restore --disable-triggers</c>) are not seen: run <see cref="PostgreSqlRegistryStore.AnnounceChangeAsync"/>
    /// after them. See <see cref="PostgreSqlRegistryStore"/> for how it is kept.</para>
    /// <para>LISTEN needs a session of its own on the server: connect directly, or through a proxy in session mode (not
    /// PgBouncer's transaction or statement mode, which would pass the round trips and lose the notifications), and
    /// without Npgsql's <c>Multiplexing</c>.</para>
    /// </remarks>
    public bool ResolutionCache { get; set; }

    /// <summary>Gets or sets the staleness bound of the resolution cache (5 seconds by default).</summary>
    /// <remarks>Between one second and five minutes. The listening connection makes a round trip at least every half of
    /// it, and a cached answer is given only while the last successful round trip began less than this long ago;
    /// otherwise the store reads the database. It is also the listening connection's command timeout (rounded up to
    /// whole seconds): a longer round trip would be useless. Ignored when <see cref="ResolutionCache"/> is off.</remarks>
    public TimeSpan ResolutionCacheMaxStaleness { get; set; } = DefaultResolutionCacheMaxStaleness;
}
