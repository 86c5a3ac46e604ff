using Microsoft.Extensions.Logging;
using Npgsql;

namespace Registries.Core.PostgreSql;

/// <summary>The one long-lived connection of a caching store: LISTENs to the schema's channel, feeds the cache's
/// invalidations, and proves itself alive with a round trip at least every half of the staleness bound.</summary>
/// <remarks>
/// Started by the store's first cached lookup, stopped by its disposal. The loop never throws: a failure (the
/// connection dropped, a round trip failed, the server is down) distrusts the cache at once, is logged (one line, no
/// secret), and the loop reconnects after a backoff that doubles from 100 ms up to the staleness bound. While it is
/// down, every lookup reads the database.
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
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private Task? _loop;
    private bool _disposed;
    private int _processId;

    public ResolutionCacheListener(NpgsqlDataSource dataSource, Sql sql, ResolutionCache cache, TimeSpan maxStaleness, TimeProvider time, ILogger logger, Func<Exception, string> describe)
    {
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

    /// <summary>Gives how long to wait for a notification, in the whole milliseconds Npgsql takes: at least one.</summary>
    /// <remarks>Npgsql reads 0 ms as "no timeout": a wait due in under a millisecond (the timer fired a hair early)
    /// must not become a wait for the next notification, which may never come.</remarks>
    /// <param name="due">When the next round trip is due, more than zero.</param>
    /// <returns>The timeout, from 1 to <see cref="int.MaxValue"/>.</returns>
    public static int WaitMilliseconds(TimeSpan due) => (int)Math.Clamp(Math.Ceiling(due.TotalMilliseconds), 1, int.MaxValue);

    private async Task ListenAsync(Action connected, CancellationToken token)
    {
        var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);

        // Raised on this loop, while Npgsql reads the connection (in WaitAsync or a round trip): the invalidation is
        // done before the read that delivered it returns.
        connection.Notification += OnNotification;
        using var roundTrip = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = RoundTripTimeoutSeconds() };
#pragma warning disable CA2100 // Built from a constant and the validated schema name.
        using (var listen = new NpgsqlCommand(_sql.Listen, connection) { CommandTimeout = RoundTripTimeoutSeconds() })
#pragma warning restore CA2100
        {
            await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
        }

        // Anything read while nobody listened may have missed a notification: forget it, then prove the connection.
        _cache.Listening();
        Volatile.Write(ref _processId, connection.ProcessID);
        var started = _time.GetTimestamp();
        await roundTrip.ExecuteScalarAsync(token).ConfigureAwait(false);
        _cache.RoundTripSucceeded(started);
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
            await roundTrip.ExecuteScalarAsync(token).ConfigureAwait(false);
            _cache.RoundTripSucceeded(started);
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Channel, _sql.Channel, StringComparison.Ordinal))
        {
            return;
        }

        // '*' (a TRUNCATE) or an empty payload (someone's own NOTIFY) cannot name an environment: forget everything.
        if (e.Payload.Length == 0 || e.Payload == "*")
        {
            _cache.InvalidateAll();
        }
        else
        {
            _cache.Invalidate(e.Payload);
        }
    }

    // A round trip that takes longer than the bound is useless anyway: the cache stops trusting itself meanwhile.
    private int RoundTripTimeoutSeconds() => Math.Max(1, (int)Math.Ceiling(_maxStaleness.TotalSeconds));
}
