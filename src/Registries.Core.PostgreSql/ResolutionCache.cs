using System.Collections.Concurrent;
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
/// <para>Thread-safe: one lock, held for dictionary operations only (never across I/O), taken by every change and by
/// the lookups of single answers. The resolution's lookups (<see cref="TryGetResolution"/>, <see cref="TryGetCovering"/>)
/// take no lock: under load, many requests at once queued on it behind a holder the scheduler had preempted. They read
/// the trust (one volatile read) and then one published state of the environment, whose environment and entries always
/// belong to one generation (an invalidation publishes a new, empty state rather than clearing the old one), so a
/// lookup answers as of the moment it found the cache trusted, as a locked one would.</para>
/// </remarks>
internal sealed class ResolutionCache : ICacheStatistics
{
    /// <summary>The most answers and generations the cache holds.</summary>
    internal const int Capacity = 50_000;

    private readonly object _gate = new();
    // Changed under the gate only; read without it by the resolution's lookups.
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxStaleness;
    private long _epoch;
    private int _slotCount;
    private int _answers;
    private long _hits;
    private long _misses;
    private long _untrustedLookups;
    private long _flushes; // written under the gate
    private long _environmentFlushes;
    private long _fullFlushes;

    // The timestamp (TimeProvider) at which the last successful round trip began; NotTrusted while not trusted. Written
    // under the gate, read without it (Volatile).
    private const long NotTrusted = long.MinValue;
    private long _lastRoundTripStart = NotTrusted;

    public ResolutionCache(TimeSpan maxStaleness, TimeProvider time)
    {
        _maxStaleness = maxStaleness;
        _time = time;
    }

    /// <summary>Gets how many answers were given from memory.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Gets how many lookups went to the database.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Gets how many lookups went to the database because the cache was not trusted at that moment (diagnostics:
    /// tests and the benchmarks read it).</summary>
    internal long UntrustedLookups => Interlocked.Read(ref _untrustedLookups);

    /// <summary>Gets how many times everything held was forgotten (diagnostics: tests and the benchmarks read it).</summary>
    internal long Flushes => Volatile.Read(ref _flushes);
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
            if (!TrustedNow())
            {
                Interlocked.Increment(ref _untrustedLookups);
            }
            else if (_slots.TryGetValue(environmentId, out var slot) && slot.Environment is not null)
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
            if (!TrustedNow())
            {
                Interlocked.Increment(ref _untrustedLookups);
            }
            else if (_slots.TryGetValue(environmentId, out var slot) && slot.Addresses.TryGetValue(addressKey, out var held))
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

    /// <summary>Gives what a resolution reads (the environment and the entries that could cover the address) from memory
    /// when both are held and the cache is trusted: one look-up under the lock, and nothing allocated.</summary>
    /// <remarks>Keyed by the address itself (compared as the store's address key compares), so that a hit builds no
    /// key string and no covering query; a miss builds them.</remarks>
    public bool TryGetResolution(string environmentId, RegistryAddress address, out RegistryEnvironment? environment, out IReadOnlyList<StoredRegistry>? records)
    {
        // No lock (see the remarks): trust first, then one published state.
        if (!TrustedNow())
        {
            Interlocked.Increment(ref _untrustedLookups);
        }
        else if (_slots.TryGetValue(environmentId, out var slot) && slot.Current is { Environment: { } held } current && current.Resolutions.TryGetValue(address, out var entries))
        {
            environment = held;
            records = entries;

            // Two answers from memory, the environment and the entries, as when they were looked up one by one.
            Interlocked.Add(ref _hits, 2);
            return true;
        }

        environment = null;
        records = null;
        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>Gives the entries that could cover an address (the answer <see cref="TryGetResolution"/> gives with the
    /// environment) from memory when they are held and the cache is trusted.</summary>
    public bool TryGetCovering(string environmentId, RegistryAddress address, out IReadOnlyList<StoredRegistry>? records)
    {
        // No lock, as TryGetResolution.
        if (!TrustedNow())
        {
            Interlocked.Increment(ref _untrustedLookups);
        }
        else if (_slots.TryGetValue(environmentId, out var slot) && slot.Current.Resolutions.TryGetValue(address, out var held))
        {
            records = held;
            Interlocked.Increment(ref _hits);
            return true;
        }

        records = null;
        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>Keeps the entries that could cover an address, read from the database, unless something changed while
    /// they were read.</summary>
    public void KeepCovering(Ticket ticket, string environmentId, RegistryAddress address, IReadOnlyList<StoredRegistry> records)
    {
        var kept = Array.AsReadOnly(records.ToArray());
        lock (_gate)
        {
            if (CurrentSlot(ticket, environmentId) is { } slot)
            {
                if (!slot.Current.Resolutions.ContainsKey(address))
                {
                    _answers++;
                }

                slot.Current.Resolutions[address] = kept;
            }
        }
    }

    /// <summary>Keeps what a resolution read from the database in one snapshot, unless something changed while it was read.</summary>
    public void KeepResolution(Ticket ticket, RegistryEnvironment environment, RegistryAddress address, IReadOnlyList<StoredRegistry> records)
    {
        var kept = Array.AsReadOnly(records.ToArray());
        lock (_gate)
        {
            if (CurrentSlot(ticket, environment.Id) is { } slot)
            {
                if (slot.Environment is null)
                {
                    _answers++;
                }

                slot.Environment = environment;
                if (!slot.Current.Resolutions.ContainsKey(address))
                {
                    _answers++;
                }

                slot.Current.Resolutions[address] = kept;
            }
        }
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

            if (_slotCount >= Capacity)
            {
                // Only generations left to keep, and no room for them: forgetting everything is safe under a new epoch.
                ForgetAll();
                return;
            }

            // A miss may be reading this environment now: the generation it took (0) must no longer match.
            _slots[environmentId] = new Slot { Generation = 1 };
            _slotCount++;
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
            Volatile.Write(ref _lastRoundTripStart, NotTrusted);
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
            Volatile.Write(ref _lastRoundTripStart, started);
        }
    }

    private bool TrustedNow()
        => Volatile.Read(ref _lastRoundTripStart) is var start && start != NotTrusted && _time.GetElapsedTime(start) < _maxStaleness;

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

        if (ticket.Generation != 0 || _answers >= Capacity || _slotCount >= Capacity)
        {
            return null;
        }

        slot = new Slot();
        _slots[environmentId] = slot;
        _slotCount++;
        return slot;
    }

    private void ForgetAll()
    {
        Interlocked.Increment(ref _fullFlushes);
        _slots.Clear();
        _slotCount = 0;
        _answers = 0;
        _epoch++;
        _flushes++;
    }

    /// <summary>What a miss saw before reading the database.</summary>
    internal readonly record struct Ticket(bool Trusted, long Epoch, long Generation);

    private sealed class Slot
    {
        public long Generation { get; set; }

        // The environment and the resolutions of the current generation, published together: read without the gate.
        private volatile Held _current = new();

        public Held Current => _current;

        public RegistryEnvironment? Environment
        {
            get => Current.Environment;
            set => Current.Environment = value;
        }

        public Dictionary<string, IReadOnlyList<StoredRegistry>> Addresses { get; } = new(StringComparer.Ordinal);

        public int Forget()
        {
            var forgotten = Addresses.Count + Current.Resolutions.Count + (Environment is null ? 0 : 1);
            Addresses.Clear();

            // A new state rather than the old one cleared: a lookup that found the old one answers from it as a whole.
            _current = new Held();
            return forgotten;
        }
    }

    // What a slot holds for the resolution's lookups; changed under the gate, read without it.
    private sealed class Held
    {
        private volatile RegistryEnvironment? _environment;

        public RegistryEnvironment? Environment
        {
            get => _environment;
            set => _environment = value;
        }

        // What ReadResolutionAsync and ListRegistriesCoveringAsync read: the entries covering an address.
        public ConcurrentDictionary<RegistryAddress, IReadOnlyList<StoredRegistry>> Resolutions { get; } = new(AddressKeyComparer.Instance);
    }

    /// <summary>Compares addresses as <see cref="PostgreSqlRegistryStore.AddressKey"/> does (Docker Hub as one, the
    /// rest by their text without regard to case), without building the key.</summary>
    private sealed class AddressKeyComparer : IEqualityComparer<RegistryAddress>
    {
        public static readonly AddressKeyComparer Instance = new();

        public bool Equals(RegistryAddress? x, RegistryAddress? y)
            => ReferenceEquals(x, y)
                || (x is not null && y is not null && (x.IsDockerHub ? y.IsDockerHub : !y.IsDockerHub && string.Equals(x.ToString(), y.ToString(), StringComparison.OrdinalIgnoreCase)));

        public int GetHashCode(RegistryAddress obj)
            => obj.IsDockerHub ? 1 : string.GetHashCode(obj.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
