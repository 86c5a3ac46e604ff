namespace Registries.Core.PostgreSql;

/// <summary>What one listening connection knows of the schema's change counter: tells when a change was committed that
/// no notification announced, so that the whole cache must be forgotten.</summary>
/// <remarks>
/// <para>Every committing transaction that writes the store's tables bumps the counter once and announces the new value
/// (<c>#n</c>) on the channel; <c>announce_change()</c> does the same after writes made with the triggers disabled. The
/// bump holds the counter's row until the commit, so values are in commit order, which is the order the channel
/// delivers in. The listener's round trip reads the counter.</para>
/// <para>Kept: the highest value accounted for, and the value the previous round trip read. An announced value that
/// follows the highest moves it on. An announced value beyond the next one, or a read above the highest, is a change
/// whose notification never came (lost, or never sent): forget everything. A read below the previous read means the
/// counter went back (its row was restored or recreated): forget everything too. A read below the highest is not a
/// gap: a notification delivered while the round trip's statement ran may be ahead of what it read. A notification
/// merely late (committed before the read, delivered after it) costs one needless flush, never a stale answer.</para>
/// <para>Not thread-safe: the listener's loop alone uses it, one per connection.</para>
/// </remarks>
internal sealed class ChangeCounter
{
    private long? _accounted;
    private long? _lastRead;

    /// <summary>Takes what a round trip read.</summary>
    /// <param name="read">The counter, or <see langword="null"/> when its row is gone.</param>
    /// <returns><see langword="true"/> when the cache must be forgotten.</returns>
    public bool Read(long? read)
    {
        if (read is not { } value)
        {
            // Nothing to compare with: each round trip forgets everything until a write brings the row back.
            _accounted = long.MinValue;
            _lastRead = long.MinValue;
            return true;
        }

        var forget = false;
        if (_lastRead is not { } last)
        {
            // The first round trip on this connection: the cache was forgotten when LISTEN began and trusts nothing
            // until this round trip succeeds, so whatever was committed before this read is read from the database.
            _accounted = _accounted is { } announced ? Math.Max(announced, value) : value;
        }
        else if (value > _accounted || value < last)
        {
            forget = true;
            _accounted = value;
        }

        _lastRead = value;
        return forget;
    }

    /// <summary>Takes an announced value (<c>#n</c>).</summary>
    /// <param name="announced">The value, not negative.</param>
    /// <returns><see langword="true"/> when the cache must be forgotten.</returns>
    public bool Announced(long announced)
    {
        if (_accounted is not { } accounted)
        {
            // Before the first round trip: nothing is trusted yet, the first read settles it.
            _accounted = announced;
            return false;
        }

        // Announced values are not negative (the listener parses digits only), so this cannot overflow.
        _accounted = Math.Max(accounted, announced);
        return announced - 1 > accounted;
    }
}
