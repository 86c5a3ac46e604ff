using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Registries.Core.PostgreSql;

/// <summary>The one long-lived connection of a caching store: LISTENs to the schema's channel, feeds the cache's
/// invalidations, and proves itself alive with a round trip at least every half of the staleness bound.</summary>
/// <remarks>
/// <para>Started by the store's first cached lookup, stopped by its disposal. The loop never throws: a failure (the
/// connection dropped, a round trip failed, the server is down) distrusts the cache at once, is logged (one line, no
/// secret), and the loop reconnects after a backoff that doubles from 100 ms up to the staleness bound. While it is
/// down, every lookup reads the database.</para>
/// <para><b>The change counter</b> (schema version 4): the round trip reads it (no extra trip), announced values come as
/// <c>#n</c> notifications, and <see cref="ChangeCounter"/> tells when a change was committed that nobody announced: the
/// whole cache is forgotten then.</para>
/// </remarks>
internal sealed class ResolutionCacheListener : IAsyncDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(100);

    private readonly NpgsqlDataSource _dataSource;
    private readonly Sql _sql;
    private readonly ResolutionCache _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleness;
    private readonly ILogger _logger;
    private readonly Func<Exception, string> _describe;
    private readonly Func<CancellationToken, Task> _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task? _loop;
    private bool _disposed;
    private int _processId;
    private long _roundTrips;
    private long _unannouncedChanges;

    // Per connection, touched only by the loop (notifications are raised on it, inside its reads).
    private ChangeCounter _counter = new();

    /// <summary>Initializes the listener.</summary>
    /// <param name="dataSource">Where the listening connection comes from.</param>
    /// <param name="sql">The schema's statements.</param>
    /// <param name="cache">The cache it feeds.</param>
    /// <param name="maxStaleness">The staleness bound.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where failures are logged.</param>
    /// <param name="describe">Turns a failure into one line without a secret.</param>
    /// <param name="ready">Completes once the store's schema is there at its version (migrated on start, or checked):
    /// the round trip reads a table of version 4.</param>
    public ResolutionCacheListener(NpgsqlDataSource dataSource, Sql sql, ResolutionCache cache, TimeSpan maxStaleness, TimeProvider time, ILogger logger, Func<Exception, string> describe, Func<CancellationToken, Task> ready)
    {
        _ready = ready;
        _dataSource = dataSource;
        _sql = sql;
        _cache = cache;
        _maxStaleness = maxStaleness;
        _time = time;
        _logger = logger;
        _describe = describe;
    }

    /// <summary>Gets the server process id of the listening connection (0 while not connected), for tests.</summary>
    public int ProcessId => Volatile.Read(ref _processId);

    /// <summary>Gets how many round trips succeeded, for tests.</summary>
    public long RoundTrips => Interlocked.Read(ref _roundTrips);

    /// <summary>Gets how many times a change nobody announced forgot the whole cache, for tests.</summary>
    public long UnannouncedChanges => Interlocked.Read(ref _unannouncedChanges);

    /// <summary>Gets the loop's task (null before the first start), for tests.</summary>
    public Task? Loop
    {
        get
        {
            lock (_gate)
            {
                return _loop;
            }
        }
    }

    /// <summary>Starts the loop once; does nothing after disposal.</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_gate)
        {
            if (_loop is null && !_disposed)
            {
                // Task.Run: the loop must not run its first steps on the caller's thread or context.
                _loop = Task.Run(RunAsync);
            }
        }
    }

    /// <summary>Stops the loop and waits for it (bounded: the loop only waits on the token).</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            // The loop never throws; the timeout only guards against a server that ignores the connection's close.
            await loop.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _cache.Distrust();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var backoff = FirstBackoff;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => backoff = FirstBackoff, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop must survive every failure: it distrusts the cache and reconnects.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _cache.Distrust();
                Volatile.Write(ref _processId, 0);
                if (token.IsCancellationRequested)
                {
                    break;
                }

                PostgreSqlStoreLog.ListenerFailed(_logger, _describe(e), (int)backoff.TotalMilliseconds);
            }
            finally
            {
                _cache.Distrust();
                Volatile.Write(ref _processId, 0);
            }

            try
            {
                await Task.Delay(backoff, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxStaleness.Ticks));
        }
    }

    /// <summary>Gives the timeout of the listening connection's statements, in whole seconds: the staleness bound,
    /// rounded up.</summary>
    /// <remarks>A round trip that takes longer than the bound is useless anyway: the cache stops trusting itself
    /// meanwhile. Messages about the listening connection name this figure, not the store's command timeout.</remarks>
    /// <param name="maxStaleness">The staleness bound.</param>
    /// <returns>The timeout, at least one second.</returns>
    public static int RoundTripTimeoutSeconds(TimeSpan maxStaleness) => Math.Max(1, (int)Math.Ceiling(maxStaleness.TotalSeconds));

    /// <summary>Gives how long to wait for a notification, in the whole milliseconds Npgsql takes: at least one.</summary>
    /// <remarks>Npgsql reads 0 ms as "no timeout": a wait due in under a millisecond (the timer fired a hair early)
    /// must not become a wait for the next notification, which may never come.</remarks>
    /// <param name="due">When the next round trip is due, more than zero.</param>
    /// <returns>The timeout, from 1 to <see cref="int.MaxValue"/>.</returns>
    public static int WaitMilliseconds(TimeSpan due) => (int)Math.Clamp(Math.Ceiling(due.TotalMilliseconds), 1, int.MaxValue);

    private async Task ListenAsync(Action connected, CancellationToken token)
    {
        // The round trip reads the change counter, which the schema has from version 4 on.
        await _ready(token).ConfigureAwait(false);
        var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        _counter = new ChangeCounter();

        // Raised on this loop, while Npgsql reads the connection (in WaitAsync or a round trip): the invalidation is
        // done before the read that delivered it returns.
        connection.Notification += OnNotification;
        var timeout = RoundTripTimeoutSeconds(_maxStaleness);
#pragma warning disable CA2100 // Built from constants and the validated schema name.
        using var roundTrip = new NpgsqlCommand(_sql.ReadChangeCounter, connection) { CommandTimeout = timeout };
        using (var listen = new NpgsqlCommand(_sql.Listen, connection) { CommandTimeout = timeout })
#pragma warning restore CA2100
        {
            await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }

        // Anything read while nobody listened may have missed a notification: forget it, then prove the connection.
        _cache.Listening();
        Volatile.Write(ref _processId, connection.ProcessID);
        var started = _time.GetTimestamp();
        if (_counter.Read(await roundTrip.ExecuteScalarAsync(token).ConfigureAwait(false) as long?))
        {
            Unannounced();
        }

        _cache.RoundTripSucceeded(started);
        Interlocked.Increment(ref _roundTrips);
        connected();
        PostgreSqlStoreLog.ListenerStarted(_logger, _sql.Channel, _maxStaleness.TotalSeconds);

        var interval = _maxStaleness / 2;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var due = interval - _time.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                // Returns on a notification (handled already) or when the round trip is due.
                await connection.WaitAsync(WaitMilliseconds(due), token).ConfigureAwait(false);
                continue;
            }

            started = _time.GetTimestamp();

            // A flush for an unannounced change happens before the round trip is recorded: the trust it extends never
            // covers what was held before the change.
            if (_counter.Read(await roundTrip.ExecuteScalarAsync(token).ConfigureAwait(false) as long?))
            {
                Unannounced();
            }

            _cache.RoundTripSucceeded(started);
            Interlocked.Increment(ref _roundTrips);
        }
    }

    // A change nobody announced: whatever is held may predate it.
    private void Unannounced()
    {
        _cache.InvalidateAll();
        Interlocked.Increment(ref _unannouncedChanges);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Channel, _sql.Channel, StringComparison.Ordinal))
        {
            return;
        }

        // '*' (a TRUNCATE, announce_change, an id that begins with '#') or an empty payload (someone's own NOTIFY)
        // cannot name an environment: forget everything. '#n' is the change counter.
        var payload = e.Payload;
        if (payload.Length == 0 || payload == "*")
        {
            _cache.InvalidateAll();
        }
        else if (payload[0] == '#' && long.TryParse(payload.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var counter))
        {
            if (_counter.Announced(counter))
            {
                Unannounced();
            }
        }
        else
        {
            _cache.Invalidate(payload);
        }
    }
}
