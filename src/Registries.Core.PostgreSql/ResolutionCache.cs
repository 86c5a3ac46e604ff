using Registries.Core.Diagnostics;
using Registries.Core.Storage;

namespace Registries.Core.PostgreSql;

/// <summary>What the store keeps of the resolution path: environments and the entries of one address, per environment.</summary>
/// <remarks>
/// <para><b>Trust.</b> An answer is given from memory only while the listening connection has proved alive: its last
/// successful round trip began less than the staleness bound ago (<see cref="RoundTripSucceeded"/>). A drop
/// (<see cref="Distrust"/>) forgets everything at once and trusts nothing until LISTEN is back and a round trip has
/// succeeded.</para>
/// <para><b>Never a value read before an invalidation.</b> A miss takes a <see cref="Ticket"/> (the epoch and the
/// environment's generation) before it reads the database, and its answer is kept only when neither changed while it
/// read, and only when the cache was trusted from the start of the read to its end. Every invalidation bumps the
/// environment's generation; forgetting everything bumps the epoch.</para>
/// <para><b>Bounded.</b> At most <see cref="Capacity"/> answers (environments and address lists) and generations are
/// held; a miss beyond that is answered from the database and not kept, and when the generations alone fill it
/// everything is forgotten (the epoch makes that safe). Kept values are immutable: records are, and lists are kept as
/// read-only wrappers of arrays that nothing else references.</para>
/// <para>Thread-safe: one lock, held for dictionary operations only (never across I/O).</para>
/// </remarks>
internal sealed class ResolutionCache : ICacheStatistics
{
    /// <summary>The most answers and generations the cache holds.</summary>
    internal const int Capacity = 50_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleness;
    private long _epoch;
    private int _answers;
    private long _hits;
    private long _misses;
    private long _environmentFlushes;
    private long _fullFlushes;

    // The timestamp (TimeProvider) at which the last successful round trip began; null while not trusted.
    private long? _lastRoundTripStart;

    public ResolutionCache(TimeSpan maxStaleness, TimeProvider time)
    {
        _maxStaleness = maxStaleness;
        _time = time;
    }

    /// <summary>Gets how many answers were given from memory.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many lookups went to the database.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Gets how many times one environment was forgotten (a notification, or a write of this store).</summary>
    public long EnvironmentFlushes => Interlocked.Read(ref _environmentFlushes);

    /// <summary>Gets how many times everything was forgotten.</summary>
    public long FullFlushes => Interlocked.Read(ref _fullFlushes);

    /// <summary>Gets a value indicating whether an answer from memory would be given now.</summary>
    public bool IsTrusted
    {
        get
        {
            lock (_gate)
            {
                return TrustedNow();
            }
        }
    }

    /// <summary>Gets how many answers are held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _answers;
            }
        }
    }

    /// <summary>Gives the environment from memory when it is held and the cache is trusted.</summary>
    public bool TryGetEnvironment(string environmentId, out RegistryEnvironment? environment)
    {
        lock (_gate)
        {
            if (TrustedNow() && _slots.TryGetValue(environmentId, out var slot) && slot.Environment is not null)
            {
                environment = slot.Environment;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }

        environment = null;
        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>Gives the entries of one address from memory when they are held and the cache is trusted.</summary>
    public bool TryGetRegistries(string environmentId, string addressKey, out IReadOnlyList<StoredRegistry>? records)
    {
        lock (_gate)
        {
            if (TrustedNow() && _slots.TryGetValue(environmentId, out var slot) && slot.Addresses.TryGetValue(addressKey, out var held))
            {
                records = held;
                Interlocked.Increment(ref _hits);
                return true;
            }
        }

        records = null;
        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>Takes what a miss must still see when its answer comes back, for it to be kept.</summary>
    public Ticket Take(string environmentId)
    {
        lock (_gate)
        {
            return new Ticket(TrustedNow(), _epoch, _slots.TryGetValue(environmentId, out var slot) ? slot.Generation : 0);
        }
    }

    /// <summary>Keeps an environment read from the database, unless something changed while it was read.</summary>
    public void KeepEnvironment(Ticket ticket, RegistryEnvironment environment)
    {
        lock (_gate)
        {
            if (CurrentSlot(ticket, environment.Id) is { } slot)
            {
                if (slot.Environment is null)
                {
                    _answers++;
                }

                slot.Environment = environment;
            }
        }
    }

    /// <summary>Keeps the entries of one address read from the database, unless something changed while they were read.</summary>
    public void KeepRegistries(Ticket ticket, string environmentId, string addressKey, IReadOnlyList<StoredRegistry> records)
    {
        // A copy nobody else holds, behind a read-only wrapper: a caller cannot change what the next caller gets.
        var kept = Array.AsReadOnly(records.ToArray());
        lock (_gate)
        {
            if (CurrentSlot(ticket, environmentId) is { } slot)
            {
                if (!slot.Addresses.ContainsKey(addressKey))
                {
                    _answers++;
                }

                slot.Addresses[addressKey] = kept;
            }
        }
    }

    /// <summary>Forgets what is held for one environment (a notification, or a write of this store).</summary>
    public void Invalidate(string environmentId)
    {
        Interlocked.Increment(ref _environmentFlushes);
        lock (_gate)
        {
            if (_slots.TryGetValue(environmentId, out var slot))
            {
                _answers -= slot.Forget();
                slot.Generation++;
                return;
            }

            if (_slots.Count >= Capacity)
            {
                // Only generations left to keep, and no room for them: forgetting everything is safe under a new epoch.
                ForgetAll();
                return;
            }

            // A miss may be reading this environment now: the generation it took (0) must no longer match.
            _slots.Add(environmentId, new Slot { Generation = 1 });
        }
    }

    /// <summary>Forgets everything, and stays trusted (a TRUNCATE, or a notification the store cannot read).</summary>
    public void InvalidateAll()
    {
        lock (_gate)
        {
            ForgetAll();
        }
    }

    /// <summary>Forgets everything and trusts nothing (the listening connection dropped or a round trip failed).</summary>
    public void Distrust()
    {
        lock (_gate)
        {
            ForgetAll();
            _lastRoundTripStart = null;
        }
    }

    /// <summary>Says that LISTEN was (re-)established: what was read before it may have missed a notification.</summary>
    public void Listening()
    {
        lock (_gate)
        {
            ForgetAll();
        }
    }

    /// <summary>Records a successful round trip of the listening connection, which began at <paramref name="started"/>.</summary>
    /// <remarks>Every notification committed before <paramref name="started"/> was delivered (and handled) before the
    /// round trip's answer, so what is held is at most as old as <paramref name="started"/>.</remarks>
    public void RoundTripSucceeded(long started)
    {
        lock (_gate)
        {
            _lastRoundTripStart = started;
        }
    }

    private bool TrustedNow()
        => _lastRoundTripStart is { } start && _time.GetElapsedTime(start) < _maxStaleness;

    private Slot? CurrentSlot(Ticket ticket, string environmentId)
    {
        // Trusted when the read began and now, same epoch, same generation: no notification was missed meanwhile.
        if (!ticket.Trusted || !TrustedNow() || ticket.Epoch != _epoch)
        {
            return null;
        }

        if (_slots.TryGetValue(environmentId, out var slot))
        {
            return slot.Generation == ticket.Generation && _answers < Capacity ? slot : null;
        }

        if (ticket.Generation != 0 || _answers >= Capacity || _slots.Count >= Capacity)
        {
            return null;
        }

        slot = new Slot();
        _slots.Add(environmentId, slot);
        return slot;
    }

    private void ForgetAll()
    {
        Interlocked.Increment(ref _fullFlushes);
        _slots.Clear();
        _answers = 0;
        _epoch++;
    }

    /// <summary>What a miss saw before reading the database.</summary>
    internal readonly record struct Ticket(bool Trusted, long Epoch, long Generation);

    private sealed class Slot
    {
        public long Generation { get; set; }

        public RegistryEnvironment? Environment { get; set; }

        public Dictionary<string, IReadOnlyList<StoredRegistry>> Addresses { get; } = new(StringComparer.Ordinal);

        public int Forget()
        {
            var forgotten = Addresses.Count + (Environment is null ? 0 : 1);
            Environment = null;
            Addresses.Clear();
            return forgotten;
        }
    }
}
