using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Registries.Core.Diagnostics;
using Registries.Core.Shared;
using Registries.Core.Storage;

namespace Registries.Core.PostgreSql;

/// <summary>An <see cref="IRegistryStore"/> on PostgreSQL: several application instances, on several hosts, share one database.</summary>
/// <remarks>
/// <para><b>Rules, enforced by the database.</b> Identifiers and the store-assigned order come from one database
/// sequence (never a clock): environments are <c>1a{n}</c> and registry entries <c>1r{n}</c>, as in
/// <see cref="InMemoryRegistryStore"/>, and an entry's <see cref="Registry.Sequence"/> is its <c>n</c>. A value of the
/// sequence is used once, so identifiers are unique and never reused (a failed add leaves a gap). A write is one
/// statement, <c>UPDATE ... WHERE version = @read</c>: when no row matches, nothing was written and the store throws
/// <see cref="ConcurrencyConflictException"/> with the version it found. Each operation is one transaction: an
/// instance killed in the middle leaves the entry whole or absent. Resolution
/// (<see cref="ListRegistriesByAddressAsync"/>) is one indexed lookup by environment and normalized address (Docker
/// Hub's aliases are one address; hosts compare ignoring case).</para>
/// <para><b>Schema.</b> The tables live in <see cref="PostgreSqlStoreOptions.Schema"/> (<c>registries</c> by default),
/// with a <c>schema_version</c> table. <see cref="MigrateAsync"/> creates or upgrades them in one transaction under a
/// transaction-scoped advisory lock (<c>pg_advisory_xact_lock</c>), so several instances starting at once migrate
/// once and the others wait and find the work done; running it again changes nothing. A schema whose version is
/// newer than this release knows is refused with a <see cref="RegistryStoreException"/> and left as it is. With
/// <see cref="PostgreSqlStoreOptions.MigrateOnStart"/> (the default) the store migrates before its first operation;
/// without it, it checks the version and asks for <see cref="MigrateAsync"/> when the schema is missing or older.</para>
/// <para><b>Secrets.</b> Passwords pass through the <see cref="ISecretProtector"/> with the entry as context
/// (<see cref="SecretContext"/>: the id is assigned before the password is protected): the database holds only what
/// the protector returns, and a Removed entry holds none. An identity-token entry's refresh token is protected exactly
/// as a password; a credential-helper or kubelet-plugin entry holds no secret, only the source's kind and name
/// (schema version 5). An environment's policy rules and mirrors are kept in its row, in order (schema version 6), read
/// with it on every path, resolution included (still one round trip), and changed by an environment update with the
/// version read, like its members; an environment whose stored rules or mirrors do not parse is refused by name. A stored credential's expiry is kept in UTC (a credential gives it to the whole second; anything
/// finer in a record is cut to the microsecond PostgreSQL keeps, in the record a write returns too).</para>
/// <para><b>Errors.</b> Every failure of the server, the network or the login is a <see cref="RegistryStoreException"/>
/// whose one-line message names the server (host:port), the database or the role and says what to fix; the inner
/// exception is Npgsql's. The connection string's password never appears in a message or a log. A cancelled token
/// is an <see cref="OperationCanceledException"/>. After a lost connection (the server restarted), the connection
/// pool is cleared, so the next operation opens a new connection: the same store object works again once the
/// server is back.</para>
/// <para><b>Resolution cache</b> (opt-in: <see cref="PostgreSqlStoreOptions.ResolutionCache"/>). With it on,
/// <see cref="GetEnvironmentAsync"/> and <see cref="ListRegistriesByAddressAsync"/> (a resolution reads the environment
/// once, then the entries of one address) keep what they read and answer the next call from memory, with no round
/// trip; every other operation reads the database. It fills lazily: a miss reads the database and keeps the answer,
/// unless the environment was invalidated while it read (a generation per environment). It holds at most 50,000
/// answers (environments and address lists, an address with no entry included); a miss beyond that is answered from
/// the database and not kept. Kept values are immutable.</para>
/// <para>Changes are learnt through <c>LISTEN/NOTIFY</c>: triggers on the store's tables (schema version 2) notify
/// the channel named after the schema with the environment's id, on commit, whoever writes (another instance, a store
/// without the cache, <c>store copy</c>, plain SQL), and in every replication role (schema version 4: <c>ENABLE
/// ALWAYS</c>, so logical replication's apply workers and writers under <c>session_replication_role = replica</c>
/// notify too). A write of this store also forgets what it changed before it returns (read-your-writes). One
/// connection per store listens, taken from its data source by the first cached lookup and given back when the store
/// is disposed.</para>
/// <para><b>The staleness bound.</b> The listening connection makes a round trip at least every half of
/// <see cref="PostgreSqlStoreOptions.ResolutionCacheMaxStaleness"/>, and an answer is given from memory only while the
/// last successful round trip began less than <see cref="PostgreSqlStoreOptions.ResolutionCacheMaxStaleness"/> ago.
/// PostgreSQL delivers a notification committed before a round trip began before that round trip's answer; and the
/// round trip reads a change counter (schema version 4) that the same triggers bump once per committing transaction
/// and announce, so a change whose notification never arrived forgets the whole cache at the next round trip. Once a
/// deactivation, delete or newer add is committed, by any writer in any replication role, no instance answers with the
/// old credential after <see cref="PostgreSqlStoreOptions.ResolutionCacheMaxStaleness"/> (in practice after the
/// notification's latency, milliseconds). The exception: a write made while the triggers are disabled
/// (<c>pg_restore --disable-triggers</c>) reaches no trigger; <see cref="AnnounceChangeAsync"/> (or
/// <c>SELECT schema.announce_change()</c>) after such writes restores the bound from its commit on. When the connection
/// drops or a round trip fails, the whole cache is forgotten at once and every lookup reads the database until LISTEN
/// is re-established and a round trip has succeeded; the store reconnects with a backoff from 100 ms doubling up to
/// the bound, and logs each failure (a warning, no secret; a timeout names the bound, which is the listening
/// connection's command timeout).</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed partial class PostgreSqlRegistryStore : IRegistryStore, IAsyncDisposable, IDisposable
{
    /// <summary>The schema version this release creates, reads and writes.</summary>
    public const int SchemaVersion = 6;

    private const string DockerHubKey = "docker.io";
    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly ISecretProtector _protector;
    private readonly ILogger _logger;
    private readonly bool _migrateOnStart;
    private readonly int _commandTimeoutSeconds;
    private readonly string? _password;
    private readonly Sql _sql;
    private readonly SemaphoreSlim _readyGate = new(1, 1);
    private volatile bool _ready;
    private readonly ResolutionCache? _cache;
    private readonly ResolutionCacheListener? _listener;
    private readonly IDisposable? _cacheObservation;
    private long _databaseOperations;

    /// <summary>Initializes a store over the database that <see cref="PostgreSqlStoreOptions.ConnectionString"/> names.</summary>
    /// <remarks>Nothing is sent to the server until the first operation (or <see cref="MigrateAsync"/>). The store owns
    /// the connection pool it creates and closes it when disposed.</remarks>
    /// <param name="options">The options; <see cref="PostgreSqlStoreOptions.ConnectionString"/> is required.</param>
    /// <param name="protector">The protector of passwords; every instance over one database must use the same keys.</param>
    /// <param name="loggerFactory">Where the store says that it migrated the schema or that the server failed, or
    /// <see langword="null"/> for no logging. No connection string, password or protected value is logged.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or <paramref name="protector"/> is <see langword="null"/>.</exception>
    /// <param name="telemetry">Where the resolution cache's hits, misses, flushes and trust are reported; a process-wide
    /// instance when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The options break a rule of <see cref="PostgreSqlStoreOptions"/> (the message says which and how to fix it).</exception>
    public PostgreSqlRegistryStore(IOptions<PostgreSqlStoreOptions> options, ISecretProtector protector, ILoggerFactory? loggerFactory = null, RegistriesTelemetry? telemetry = null)
        : this(CreateDataSource(options, protector), ownsDataSource: true, options.Value, protector, loggerFactory, telemetry)
    {
    }

    /// <summary>Initializes a store over a data source the application built (for example with its own pool settings or logging).</summary>
    /// <remarks>The store does not dispose <paramref name="dataSource"/>: its owner does.
    /// <see cref="PostgreSqlStoreOptions.ConnectionString"/> is ignored.</remarks>
    /// <param name="dataSource">The data source.</param>
    /// <param name="options">The options (schema, migration, command timeout).</param>
    /// <param name="protector">The protector of passwords; every instance over one database must use the same keys.</param>
    /// <param name="loggerFactory">Where the store logs, or <see langword="null"/> for no logging.</param>
    /// <param name="telemetry">Where the resolution cache's statistics are reported; a process-wide instance when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="loggerFactory"/> or <paramref name="telemetry"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options break a rule of <see cref="PostgreSqlStoreOptions"/>, or the
    /// resolution cache is on and the data source multiplexes (its connections cannot LISTEN).</exception>
    public PostgreSqlRegistryStore(NpgsqlDataSource dataSource, IOptions<PostgreSqlStoreOptions> options, ISecretProtector protector, ILoggerFactory? loggerFactory = null, RegistriesTelemetry? telemetry = null)
        : this(dataSource ?? throw new ArgumentNullException(nameof(dataSource)), ownsDataSource: false, ValidateWithoutConnectionString(options, dataSource), protector, loggerFactory, telemetry)
    {
    }

    private PostgreSqlRegistryStore(NpgsqlDataSource dataSource, bool ownsDataSource, PostgreSqlStoreOptions options, ISecretProtector protector, ILoggerFactory? loggerFactory, RegistriesTelemetry? telemetry)
    {
        ArgumentNullException.ThrowIfNull(protector);
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _protector = protector;
        _logger = (ILogger?)loggerFactory?.CreateLogger<PostgreSqlRegistryStore>() ?? NullLogger.Instance;
        _migrateOnStart = options.MigrateOnStart;
        _commandTimeoutSeconds = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds);
        Schema = options.Schema;

        // The data source gives its connection string without the password; the options may hold it, and it is kept
        // only to make sure that no message ever repeats it.
        var described = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        _password = ownsDataSource ? new NpgsqlConnectionStringBuilder(options.ConnectionString).Password : null;
        Server = $"{described.Host}:{described.Port.ToString(CultureInfo.InvariantCulture)}";
        Database = described.Database ?? described.Username ?? string.Empty;
        Role = described.Username ?? string.Empty;
        _sql = new Sql(Schema);
        if (options.ResolutionCache)
        {
            var time = TimeProvider.System;
            _cache = new ResolutionCache(options.ResolutionCacheMaxStaleness, time);
            // The listening connection's statements time out after the bound, not after CommandTimeout: its messages
            // say so. Making the schema ready is a store operation, whose failure says what to fix already.
            var roundTripTimeout = ResolutionCacheListener.RoundTripTimeoutSeconds(options.ResolutionCacheMaxStaleness);
            _listener = new ResolutionCacheListener(
                _dataSource,
                _sql,
                _cache,
                options.ResolutionCacheMaxStaleness,
                time,
                _logger,
                e => e is RegistryStoreException ? e.Message : Scrub(PostgreSqlFaults.Describe(e, "resolution cache LISTEN", this, Role, roundTripTimeout, nameof(PostgreSqlStoreOptions.ResolutionCacheMaxStaleness))),
                ReadyForListenerAsync);
            _cacheObservation = (telemetry ?? RegistriesTelemetry.Default).ObserveCache(_cache);
        }
    }

    /// <summary>Gets the schema that holds the store's tables.</summary>
    public string Schema { get; }

    /// <summary>Gets the server, <c>host:port</c>, as messages name it.</summary>
    public string Server { get; }

    /// <summary>Gets the database, as messages name it.</summary>
    public string Database { get; }

    private string Role { get; }

    /// <summary>Gets the resolution cache, or null when it is off (for tests).</summary>
    internal ResolutionCache? Cache => _cache;

    /// <summary>Gets the listening connection's loop, or null when the cache is off (for tests).</summary>
    internal ResolutionCacheListener? Listener => _listener;

    /// <summary>Gets how many operations went to the database (each one connection, one or a few commands), for tests.</summary>
    internal long DatabaseOperations => Interlocked.Read(ref _databaseOperations);

    /// <summary>Creates or upgrades the schema to <see cref="SchemaVersion"/>; does nothing when it is current.</summary>
    /// <remarks>One transaction under an advisory lock: safe when several instances run it at once, and a failure
    /// leaves the schema as it was. The role needs the right to create the schema (or to create tables in it, when an
    /// administrator created it). A schema with a newer version is refused and left unaltered.</remarks>
    /// <param name="cancellationToken">Cancels the migration (nothing is changed then).</param>
    /// <returns>A task that completes when the schema is current.</returns>
    /// <exception cref="RegistryStoreException">The schema is newer than this release, or the server failed (the message says what to fix).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await RunAsync(nameof(MigrateAsync), async (connection, ct) =>
        {
            await MigrateCoreAsync(connection, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken, ensureReady: false).ConfigureAwait(false);
        _ready = true;
    }

    /// <summary>Tells every resolution cache on this schema that anything may have changed: the remedy after writes made
    /// with the store's triggers disabled.</summary>
    /// <remarks>
    /// <para>The store's triggers tell the caches of every change, whoever writes it, in every replication role; a
    /// write made while they are disabled (<c>ALTER TABLE ... DISABLE TRIGGER</c>, which
    /// <c>pg_restore --data-only --disable-triggers</c> does) tells nobody. Run this once such writes are over: every
    /// instance forgets its whole cache, at once when the notification arrives and, if it is lost, at its next round
    /// trip (the change counter). It is the SQL function <c>SELECT schema.announce_change()</c> (the CLI's
    /// <c>registries store announce-change</c>), which a restore script may call itself.</para>
    /// <para><c>pg_restore</c> enables the triggers again with <c>ENABLE TRIGGER ALL</c>, which leaves them firing in the
    /// default replication role only: this puts them back to firing in every role, which needs the owner of the tables.
    /// When that could not be done (another role, or a trigger still disabled), the announcement still went out and
    /// the store throws, saying what is left to do.</para>
    /// </remarks>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the announcement is committed.</returns>
    /// <exception cref="RegistryStoreException">The server failed, or the announcement went out but some of the
    /// store's triggers still do not fire in every replication role (the message says what to do).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task AnnounceChangeAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var notAlways = await RunAsync(nameof(AnnounceChangeAsync), async (connection, ct) =>
        {
            using (var announce = Command(connection, _sql.AnnounceChange))
            {
                await announce.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            using var check = Command(connection, _sql.TriggersNotAlways);
            return (long)(await check.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);

        // Read-your-writes, as after any write of this store.
        _cache?.InvalidateAll();
        if (notAlways > 0)
        {
            throw new RegistryStoreException($"Announced the change to every resolution cache of schema '{Schema}' in database '{Database}' on {Server}, but {notAlways.ToString(CultureInfo.InvariantCulture)} of its triggers still do not fire in every replication role (a disabled trigger is left as it is, since a restore may still be running; the others only the owner of the tables may change, and role '{Role}' could not): once any restore is over, run this again as the owner of the schema's tables (or ALTER TABLE ... ENABLE ALWAYS TRIGGER each of them).");
        }
    }

    /// <inheritdoc/>
    public async ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        cancellationToken.ThrowIfCancellationRequested();

        // Validated before anything reaches the database: a refused environment costs no id.
        _ = new RegistryEnvironment("1a1", name, orchestration, members, 1);
        var membersJson = SerializeMembers(members);
        return await RunAsync(nameof(CreateEnvironmentAsync), async (connection, ct) =>
        {
            using var command = Command(connection, _sql.InsertEnvironment);
            command.Parameters.Add(new NpgsqlParameter("name", name));
            command.Parameters.Add(new NpgsqlParameter("orchestration", orchestration.ToString()));
            command.Parameters.Add(new NpgsqlParameter("members", NpgsqlDbType.Jsonb) { Value = membersJson });
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return ReadEnvironment(reader);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        ResolutionCache.Ticket ticket = default;
        if (_cache is not null)
        {
            _listener!.EnsureStarted();
            if (_cache.TryGetEnvironment(environmentId, out var held))
            {
                return held;
            }

            ticket = _cache.Take(environmentId);
        }

        var environment = await RunAsync(nameof(GetEnvironmentAsync), async (connection, ct) =>
        {
            using var command = Command(connection, _sql.SelectEnvironment);
            command.Parameters.Add(new NpgsqlParameter("id", environmentId));
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadEnvironment(reader) : null;
        }, cancellationToken).ConfigureAwait(false);

        // An unknown id is not kept: the cache holds only what the database holds.
        if (_cache is not null && environment is not null)
        {
            _cache.KeepEnvironment(ticket, environment);
        }

        return environment;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return await RunAsync<IReadOnlyList<RegistryEnvironment>>(nameof(ListEnvironmentsAsync), async (connection, ct) =>
        {
            using var command = Command(connection, _sql.ListEnvironments);
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var list = new List<RegistryEnvironment>();
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                list.Add(ReadEnvironment(reader));
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        cancellationToken.ThrowIfCancellationRequested();
        var membersJson = SerializeMembers(environment.Members);
        var policyJson = StoredPolicy.WritePolicyJson(environment.Policy);
        var mirrorsJson = StoredPolicy.WriteMirrorsJson(environment.Mirrors);
        using var forget = Forget(environment.Id);
        return await RunAsync(nameof(UpdateEnvironmentAsync), async (connection, ct) =>
        {
            using (var command = Command(connection, _sql.UpdateEnvironment))
            {
                command.Parameters.Add(new NpgsqlParameter("id", environment.Id));
                command.Parameters.Add(new NpgsqlParameter("version", environment.Version));
                command.Parameters.Add(new NpgsqlParameter("name", environment.Name));
                command.Parameters.Add(new NpgsqlParameter("orchestration", environment.Orchestration.ToString()));
                command.Parameters.Add(new NpgsqlParameter("members", NpgsqlDbType.Jsonb) { Value = membersJson });
                command.Parameters.Add(new NpgsqlParameter("policy", NpgsqlDbType.Jsonb) { Value = policyJson });
                command.Parameters.Add(new NpgsqlParameter("mirrors", NpgsqlDbType.Jsonb) { Value = mirrorsJson });
                if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long written)
                {
                    return StoreRules.WithVersion(environment, written);
                }
            }

            // Nothing matched, so nothing was written: say why with the version stored now.
            using var current = Command(connection, _sql.EnvironmentVersion);
            current.Parameters.Add(new NpgsqlParameter("id", environment.Id));
            return await current.ExecuteScalarAsync(ct).ConfigureAwait(false) is long actual
                ? throw new ConcurrencyConflictException(environment.Id, environment.Version, actual)
                : throw new EnvironmentNotFoundException(environment.Id);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(credential);
        cancellationToken.ThrowIfCancellationRequested();
        using var forget = Forget(environmentId);
        return await RunAsync(nameof(AddRegistryAsync), async (connection, ct) =>
        {
            // The id first (one value of the sequence: id and order at once), because the protector binds the
            // ciphertext to it; then one INSERT that writes the whole entry or nothing.
            long sequence;
            using (var next = Command(connection, _sql.NextValue))
            {
                sequence = (long)(await next.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            }

            var address = scope.Address;
            var registry = new Registry("1r" + sequence.ToString(CultureInfo.InvariantCulture), environmentId, scope, RegistryState.Active, credential.Email, credential.Username, sequence, 1, credential.Source, StoredInstant(credential.ExpiresAt));

            // The stored secret (a password or a refresh token), protected alike; a helper or plugin entry has none.
            var protectedPassword = credential.Password is { } secret ? _protector.Protect(secret, new SecretContext(environmentId, registry.Id)) : null;
            using var command = Command(connection, _sql.InsertRegistry);
            command.Parameters.Add(new NpgsqlParameter("id", registry.Id));
            command.Parameters.Add(new NpgsqlParameter("environment", environmentId));
            command.Parameters.Add(new NpgsqlParameter("address", address.ToString()));
            command.Parameters.Add(new NpgsqlParameter("key", AddressKey(address)));
            command.Parameters.Add(new NpgsqlParameter("path", scope.Path));
            command.Parameters.Add(new NpgsqlParameter("email", registry.Email));
            command.Parameters.Add(new NpgsqlParameter("username", registry.Username));
            command.Parameters.Add(new NpgsqlParameter("sequence", sequence));
            command.Parameters.Add(new NpgsqlParameter("password", NpgsqlDbType.Text) { Value = (object?)protectedPassword ?? DBNull.Value });
            AddSourceParameters(command, registry);
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1
                ? new StoredRegistry(registry, credential.Password)
                : throw new EnvironmentNotFoundException(environmentId);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(registryId);
        cancellationToken.ThrowIfCancellationRequested();
        return await RunAsync(nameof(GetRegistryAsync), async (connection, ct) =>
        {
            using var command = Command(connection, _sql.SelectRegistry);
            command.Parameters.Add(new NpgsqlParameter("environment", environmentId));
            command.Parameters.Add(new NpgsqlParameter("id", registryId));
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            return await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadRecord(reader) : null;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        return ListAsync(nameof(ListRegistriesAsync), _sql.ListRegistries, environmentId, key: null, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        var key = AddressKey(address);
        return CachedAsync(environmentId, key, ct => ListAsync(nameof(ListRegistriesByAddressAsync), _sql.ListRegistriesByAddress, environmentId, key, ct).AsTask(), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One query for the address and every host pattern that could cover it (answered from memory with the
    /// resolution cache on).</remarks>
    public async ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesCoveringAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        ResolutionCache.Ticket ticket = default;
        if (_cache is not null)
        {
            // The same answer as the entries of ReadResolutionAsync, kept by the address itself.
            _listener!.EnsureStarted();
            if (_cache.TryGetCovering(environmentId, address, out var held))
            {
                return held!;
            }

            ticket = _cache.Take(environmentId);
        }

        var records = await ListCoveringFromDatabaseAsync(environmentId, address, cancellationToken).ConfigureAwait(false);

        // An address with no entry is kept too (the anonymous pull is the common case), within the cache's bound.
        _cache?.KeepCovering(ticket, environmentId, address, records);
        return records;
    }

    /// <inheritdoc/>
    /// <remarks>Both queries go in one batch: one round trip, or none when the resolution cache holds both answers.</remarks>
    public async ValueTask<ResolutionData> ReadResolutionAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        ResolutionCache.Ticket ticket = default;
        if (_cache is not null)
        {
            _listener!.EnsureStarted();

            // The hit path builds nothing: no key string, no covering query (those cost more than the look-up).
            if (_cache.TryGetResolution(environmentId, address, out var heldEnvironment, out var heldEntries))
            {
                return new ResolutionData(heldEnvironment, heldEntries!);
            }

            ticket = _cache.Take(environmentId);
        }

        var data = await ReadResolutionFromDatabaseAsync(environmentId, address, cancellationToken).ConfigureAwait(false);

        // Both answers were read in one snapshot of the database, under one ticket: kept only if nothing changed meanwhile.
        if (_cache is not null && data.Environment is not null)
        {
            _cache.KeepResolution(ticket, data.Environment, address, data.Entries);
        }

        return data;
    }

    // The miss path apart: its lambda captures the arguments, and a closure over them would be allocated on entry to the
    // method that declares them, for hits too.
    private Task<ResolutionData> ReadResolutionFromDatabaseAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken)
    {
        var covering = CoveringQuery.For(address, _sql);
        return RunAsync(nameof(ReadResolutionAsync), async (connection, ct) =>
        {
            var batch = new NpgsqlBatch(connection);
            await using var batchScope = batch.ConfigureAwait(false);
            batch.Timeout = _commandTimeoutSeconds;
#pragma warning disable CA2100 // The SQL is built once from constants and the validated schema name; values are parameters.
            var environmentQuery = new NpgsqlBatchCommand(_sql.SelectEnvironment);
            environmentQuery.Parameters.Add(new NpgsqlParameter("id", environmentId));
            var entriesQuery = new NpgsqlBatchCommand(covering.Sql);
#pragma warning restore CA2100
            entriesQuery.Parameters.Add(new NpgsqlParameter("environment", environmentId));
            entriesQuery.Parameters.Add(covering.KeyParameter());

            batch.BatchCommands.Add(environmentQuery);
            batch.BatchCommands.Add(entriesQuery);
            var reader = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            var environment = await reader.ReadAsync(ct).ConfigureAwait(false) ? ReadEnvironment(reader) : null;
            await reader.NextResultAsync(ct).ConfigureAwait(false);
            var entries = await ReadRecordsAsync(reader, ct).ConfigureAwait(false);
            return environment is null ? new ResolutionData(null, []) : new ResolutionData(environment, entries);
        }, cancellationToken);
    }

    // The miss path apart, as ReadResolutionFromDatabaseAsync's.
    private Task<IReadOnlyList<StoredRegistry>> ListCoveringFromDatabaseAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken)
    {
        var covering = CoveringQuery.For(address, _sql);
        return RunAsync<IReadOnlyList<StoredRegistry>>(nameof(ListRegistriesCoveringAsync), async (connection, token) =>
        {
            using var command = Command(connection, covering.Sql);
            command.Parameters.Add(new NpgsqlParameter("environment", environmentId));
            command.Parameters.Add(covering.KeyParameter());
            var reader = await command.ExecuteReaderAsync(token).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            return await ReadRecordsAsync(reader, token).ConfigureAwait(false);
        }, cancellationToken);
    }

    private async Task<IReadOnlyList<StoredRegistry>> ReadRecordsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var list = new List<StoredRegistry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(ReadRecord(reader));
        }

        return list;
    }

    // The resolution path: from memory when the cache is on and trusted, else from the database (and kept).
    private async ValueTask<IReadOnlyList<StoredRegistry>> CachedAsync(string environmentId, string key, Func<CancellationToken, Task<IReadOnlyList<StoredRegistry>>> read, CancellationToken cancellationToken)
    {
        if (_cache is null)
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }

        _listener!.EnsureStarted();
        if (_cache.TryGetRegistries(environmentId, key, out var held))
        {
            return held!;
        }

        var ticket = _cache.Take(environmentId);
        var records = await read(cancellationToken).ConfigureAwait(false);

        // An address with no entry is kept too (the anonymous pull is the common case), within the cache's bound.
        _cache.KeepRegistries(ticket, environmentId, key, records);
        return records;
    }

    /// <inheritdoc/>
    public async ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var changed = WithStoredInstant(record.Registry);
        var protectedPassword = record.Password is null ? null : _protector.Protect(record.Password, new SecretContext(changed.EnvironmentId, changed.Id));
        using var forget = Forget(changed.EnvironmentId);
        return await RunAsync(nameof(UpdateRegistryAsync), async (connection, ct) =>
        {
            // The immutable parts are part of the match: a record that changes them, like a stale one, writes nothing.
            using (var command = Command(connection, _sql.UpdateRegistry))
            {
                command.Parameters.Add(new NpgsqlParameter("id", changed.Id));
                command.Parameters.Add(new NpgsqlParameter("environment", changed.EnvironmentId));
                command.Parameters.Add(new NpgsqlParameter("key", AddressKey(changed.Address)));
                command.Parameters.Add(new NpgsqlParameter("path", changed.Path));
                command.Parameters.Add(new NpgsqlParameter("sequence", changed.Sequence));
                command.Parameters.Add(new NpgsqlParameter("version", changed.Version));
                command.Parameters.Add(new NpgsqlParameter("state", changed.State.ToString()));
                command.Parameters.Add(new NpgsqlParameter("email", changed.Email));
                command.Parameters.Add(new NpgsqlParameter("username", changed.Username));
                command.Parameters.Add(new NpgsqlParameter("password", NpgsqlDbType.Text) { Value = (object?)protectedPassword ?? DBNull.Value });
                AddSourceParameters(command, changed);
                if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long written)
                {
                    return new StoredRegistry(StoreRules.WithVersion(changed, written), record.Password);
                }
            }

            // Nothing matched: find the stored entry (by id, in any environment) to say why.
            using var current = Command(connection, _sql.SelectRegistryAnywhere);
            current.Parameters.Add(new NpgsqlParameter("id", changed.Id));
            var reader = await current.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                throw new RegistryNotFoundException(changed.EnvironmentId, changed.Id);
            }

            var stored = ReadRegistry(reader);
            StoreRules.EnsureImmutablePartsUnchanged(stored, changed);
            throw new ConcurrencyConflictException(changed.Id, changed.Version, stored.Version);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection pool the store created (not a data source the application gave).</summary>
    /// <returns>A task that completes when the pool is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        _cacheObservation?.Dispose();

        // The listening connection first: it belongs to the data source.
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }

        if (_ownsDataSource)
        {
            await _dataSource.DisposeAsync().ConfigureAwait(false);
        }

        _readyGate.Dispose();
    }

    /// <summary>Closes the connection pool the store created (not a data source the application gave).</summary>
    public void Dispose()
    {
        _cacheObservation?.Dispose();

        // The loop only awaits the stop token and Npgsql's I/O, never this thread: waiting here cannot deadlock.
        _listener?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_ownsDataSource)
        {
            _dataSource.Dispose();
        }

        _readyGate.Dispose();
    }

    /// <summary>The normalized form of an address that the lookup compares: Docker Hub's one name, hosts in lowercase.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The key; two addresses have the same key exactly when they are equal.</returns>
    internal static string AddressKey(RegistryAddress address)
        => address.IsDockerHub ? DockerHubKey : address.ToString().ToLowerInvariant();

    private static NpgsqlDataSource CreateDataSource(IOptions<PostgreSqlStoreOptions> options, ISecretProtector protector)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Checked before the pool exists, so that a refused argument leaves no pool behind.
        ArgumentNullException.ThrowIfNull(protector);
        var value = options.Value;
        ValidatedOptions.ThrowIfInvalid(value, new PostgreSqlStoreOptionsValidator());
        return NpgsqlDataSource.Create(value.ConnectionString!);
    }

    private static PostgreSqlStoreOptions ValidateWithoutConnectionString(IOptions<PostgreSqlStoreOptions> options, NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = PostgreSqlStoreOptionsValidator.ValidateWithoutConnectionString(options.Value);
        var failures = result.Failed ? result.Failures.ToList() : [];
        if (options.Value.ResolutionCache)
        {
            PostgreSqlStoreOptionsValidator.CheckListenable(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString), failures);
        }

        ValidatedOptions.ThrowIfAny<PostgreSqlStoreOptions>(failures);
        return options.Value;
    }

    private static string SerializeMembers(IReadOnlyDictionary<string, EnvironmentRole> members)
    {
        // An array of pairs keeps the members in order (a JSON object in jsonb would not).
        // Written with the writer, not the reflection-based serializer, so that the store works in a native executable.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var member in members)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(member.Key);
                writer.WriteStringValue(member.Value.ToString());
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private async ValueTask<IReadOnlyList<StoredRegistry>> ListAsync(string operation, string sql, string environmentId, string? key, CancellationToken cancellationToken)
        => await RunAsync<IReadOnlyList<StoredRegistry>>(operation, async (connection, ct) =>
        {
            using var command = Command(connection, sql);
            command.Parameters.Add(new NpgsqlParameter("environment", environmentId));
            if (key is not null)
            {
                command.Parameters.Add(new NpgsqlParameter("key", key));
            }

            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            return await ReadRecordsAsync(reader, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql)
    {
#pragma warning disable CA2100 // The SQL is built once from constants and the validated schema name; values are parameters.
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = _commandTimeoutSeconds };
#pragma warning restore CA2100
        return command;
    }

    private RegistryEnvironment ReadEnvironment(NpgsqlDataReader reader)
    {
        var id = reader.GetString(0);
        try
        {
            var members = new List<KeyValuePair<string, EnvironmentRole>>();
            using (var document = JsonDocument.Parse(reader.GetString(3)))
            {
                foreach (var pair in document.RootElement.EnumerateArray())
                {
                    members.Add(new(pair[0].GetString()!, Enum.Parse<EnvironmentRole>(pair[1].GetString()!)));
                }
            }

            var policy = StoredPolicy.ReadPolicyJson(reader.GetString(5));
            var mirrors = StoredPolicy.ReadMirrorsJson(reader.GetString(6));
            return new RegistryEnvironment(id, reader.GetString(1), Enum.Parse<OrchestrationKind>(reader.GetString(2)), members, reader.GetInt64(4), policy, mirrors);
        }
        catch (StoredPolicyException e)
        {
            // Only a writer that bypassed the store (plain SQL) can get past the schema's checks with this: say which.
            throw new RegistryStoreException($"The environment '{id}' in schema '{Schema}' of database '{Database}' on {Server} has a policy or mirrors this release cannot read: {e.Message}. Correct its row (columns policy and mirrors) or restore it from a backup. Nothing was changed.", e);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new RegistryStoreException($"The environment '{id}' in schema '{Schema}' of database '{Database}' on {Server} is damaged ({e.GetType().Name}); restore it from a backup. Nothing was changed.", e);
        }
    }

    private Registry ReadRegistry(NpgsqlDataReader reader)
    {
        var id = reader.GetString(0);
        RegistryScope? scope = null;
        try
        {
            scope = RegistryScope.Parse(reader.GetString(2), reader.GetString(9));
        }
        catch (RegistryAddressFormatException)
        {
            // Reported below with the state, without the stored text.
        }

        if (scope is null || !Enum.TryParse<RegistryState>(reader.GetString(3), out var state))
        {
            throw new RegistryStoreException($"The registry entry '{id}' in schema '{Schema}' of database '{Database}' on {Server} has an address, path or state this release cannot read; restore it from a backup. Nothing was changed.");
        }

        // The schema's checks allow only the kinds of version 5; a newer release that adds one moves the schema on, which
        // this release refuses. A kind it does not know is still refused here, by name, rather than misread.
        if (!StoredSource.TryParseKind(reader.GetString(10), out var kind))
        {
            throw new RegistryStoreException($"The registry entry '{id}' in schema '{Schema}' of database '{Database}' on {Server} takes its credential from a source this release does not know, written by a newer release; upgrade Registries.Core. Nothing was changed.");
        }

        var expiresAt = reader.IsDBNull(12) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(12);
        try
        {
            var source = CredentialSource.Of(kind, reader.IsDBNull(11) ? null : reader.GetString(11));
            return new Registry(id, reader.GetString(1), scope, state, reader.GetString(4), reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7), source, expiresAt);
        }
        catch (ArgumentException e)
        {
            throw new RegistryStoreException($"The registry entry '{id}' in schema '{Schema}' of database '{Database}' on {Server} is damaged: {e.Message} Restore it from a backup. Nothing was changed.", e);
        }
    }

    // timestamptz keeps microseconds in UTC: an expiry is written, and returned, as it reads back, so that the record a
    // write returns is the one every later read (and the resolution cache) gives.
    private static DateTimeOffset? StoredInstant(DateTimeOffset? instant)
        => instant is { } value ? new DateTimeOffset(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero) : null;

    private static Registry WithStoredInstant(Registry registry)
        => registry.ExpiresAt is null || registry.ExpiresAt == StoredInstant(registry.ExpiresAt) && registry.ExpiresAt.Value.Offset == TimeSpan.Zero
            ? registry
            : new Registry(registry.Id, registry.EnvironmentId, registry.Scope, registry.State, registry.Email, registry.Username, registry.Sequence, registry.Version, registry.Source, StoredInstant(registry.ExpiresAt));

    private static void AddSourceParameters(NpgsqlCommand command, Registry registry)
    {
        command.Parameters.Add(new NpgsqlParameter("source_kind", registry.Source.KindName));
        command.Parameters.Add(new NpgsqlParameter("source_name", NpgsqlDbType.Text) { Value = (object?)registry.Source.Name ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("expires_at", NpgsqlDbType.TimestampTz) { Value = registry.ExpiresAt is { } at ? at : DBNull.Value });
    }

    private StoredRegistry ReadRecord(NpgsqlDataReader reader)
    {
        var registry = ReadRegistry(reader);
        RegistrySecret? password = null;
        if (!reader.IsDBNull(8))
        {
            try
            {
                password = _protector.Unprotect(reader.GetString(8), new SecretContext(registry.EnvironmentId, registry.Id));
            }
            catch (RegistryStoreException e)
            {
                throw new RegistryStoreException($"The registry entry '{registry.Id}' in schema '{Schema}' of database '{Database}' on {Server} holds a password that cannot be decrypted: {e.Message}", e);
            }
        }

        try
        {
            return new StoredRegistry(registry, password);
        }
        catch (ArgumentException e)
        {
            throw new RegistryStoreException($"The registry entry '{registry.Id}' in schema '{Schema}' of database '{Database}' on {Server} is damaged: {e.Message}", e);
        }
    }

    private async Task<T> RunAsync<T>(string operation, Func<NpgsqlConnection, CancellationToken, Task<T>> body, CancellationToken cancellationToken, bool ensureReady = true)
    {
        Interlocked.Increment(ref _databaseOperations);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            if (ensureReady && !_ready)
            {
                await EnsureReadyAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return await body(connection, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsServerFault(e))
        {
            // A token cancelled while Npgsql was waiting can surface as a broken connection: the caller asked for it.
            cancellationToken.ThrowIfCancellationRequested();
            var fault = PostgreSqlFaults.Describe(e, operation, this, Role, _commandTimeoutSeconds);
            if (PostgreSqlFaults.IsConnectionLost(e))
            {
                // Idle connections of the pool died with the server's: drop them, so the next operation connects anew.
                _dataSource.Clear();
            }

            var message = Scrub(fault);
            PostgreSqlStoreLog.StoreFailed(_logger, message);
            throw new RegistryStoreException(message, e);
        }
    }

    // The listener's round trip reads a table of the current schema version: migrate (or check) first, as the first
    // operation would.
    private Task ReadyForListenerAsync(CancellationToken cancellationToken)
        => _ready ? Task.CompletedTask : RunAsync("resolution cache LISTEN", static (_, _) => Task.FromResult(true), cancellationToken);

    // Forgets the environment when the write ends, committed or not (a lost connection may hide a commit), so the
    // write's own caller reads it back from the database, without waiting for the notification.
    private Invalidation Forget(string environmentId) => new(_cache, environmentId);

    private static bool IsServerFault(Exception e)
        => e is NpgsqlException or IOException or System.Net.Sockets.SocketException or TimeoutException
            || (e is InvalidOperationException && e.Source == "Npgsql");

    // The server's and Npgsql's messages never carry the password, and this makes sure of it.
    private string Scrub(string message)
    {
        var oneLine = message.ReplaceLineEndings(" ");
        return string.IsNullOrEmpty(_password) ? oneLine : oneLine.Replace(_password, "***", StringComparison.Ordinal);
    }

    private async Task EnsureReadyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _readyGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_ready)
            {
                return;
            }

            if (_migrateOnStart)
            {
                await MigrateCoreAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var version = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false);
                if (version is null)
                {
                    throw new RegistryStoreException($"The database '{Database}' on {Server} has no Registries.Core schema '{Schema}' and MigrateOnStart is off; run PostgreSqlRegistryStore.MigrateAsync once (a migration step, with a role that may create the schema), or set MigrateOnStart.");
                }

                RefuseNewer(version.Value);
                if (version.Value < SchemaVersion)
                {
                    throw new RegistryStoreException($"The Registries.Core schema '{Schema}' in database '{Database}' on {Server} is at version {version.Value}; this release needs version {SchemaVersion} and MigrateOnStart is off; run PostgreSqlRegistryStore.MigrateAsync, or set MigrateOnStart.");
                }

                PostgreSqlStoreLog.SchemaCurrent(_logger, Schema, Database, Server, version.Value);
            }

            _ready = true;
        }
        finally
        {
            _readyGate.Release();
        }
    }

    private async Task MigrateCoreAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        using (var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(@key)"))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter("key", _sql.LockKey));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Read before any change: a newer schema is refused before a single statement could alter it.
        var from = await ReadVersionAsync(connection, cancellationToken).ConfigureAwait(false) ?? 0;
        RefuseNewer(from);
        if (from == SchemaVersion)
        {
            PostgreSqlStoreLog.SchemaCurrent(_logger, Schema, Database, Server, from);
            return;
        }

        for (var version = from + 1; version <= SchemaVersion; version++)
        {
            using var step = Command(connection, _sql.Migrations[version - 1]);
            await step.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var record = Command(connection, _sql.RecordVersion))
        {
            record.Parameters.Add(new NpgsqlParameter("version", SchemaVersion));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        PostgreSqlStoreLog.SchemaMigrated(_logger, Schema, Database, Server, from, SchemaVersion);
    }

    private async Task<int?> ReadVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        using (var exists = Command(connection, "SELECT to_regclass(@table) IS NOT NULL"))
        {
            exists.Parameters.Add(new NpgsqlParameter("table", _sql.VersionTable));
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
            {
                return null;
            }
        }

        using var read = Command(connection, _sql.SelectVersion);
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int version ? version : 0;
    }

    private void RefuseNewer(int version)
    {
        if (version > SchemaVersion)
        {
            throw new RegistryStoreException($"The Registries.Core schema '{Schema}' in database '{Database}' on {Server} is at version {version}, written by a newer release; this release knows version {SchemaVersion}. Upgrade Registries.Core; the schema was not changed.");
        }
    }

    // The lookup of an address with the host patterns that could cover it: by its own key when no pattern can (the same
    // rows as ListRegistriesByAddressAsync), else by every key at once. Built on a miss only: the cache keeps the answer
    // by the address itself.
    private readonly record struct CoveringQuery(string Sql, string Key, string[]? Keys)
    {
        public static CoveringQuery For(RegistryAddress address, Sql sql)
        {
            var key = AddressKey(address);
            var patterns = address.GetCoveringPatterns();
            if (patterns.Count == 0)
            {
                return new CoveringQuery(sql.ListRegistriesByAddress, key, null);
            }

            return new CoveringQuery(sql.ListRegistriesByAddresses, key, [key, .. patterns.Select(AddressKey)]);
        }

        public NpgsqlParameter KeyParameter() => Keys is null ? new NpgsqlParameter("key", Key) : new NpgsqlParameter("keys", Keys);
    }

    private readonly struct Invalidation(ResolutionCache? cache, string environmentId) : IDisposable
    {
        public void Dispose() => cache?.Invalidate(environmentId);
    }
}
