using System.Collections.ObjectModel;
using System.Globalization;

namespace Registries.Core.Storage;

/// <summary>The default store: everything in memory, for one process, forgotten on restart.</summary>
/// <remarks>
/// <para>Thread-safe: every operation holds one lock for a few dictionary operations. Reads for one address
/// return a list that the store never changes afterwards (writes replace it), so resolution allocates nothing and
/// takes constant time whatever the number of environments and entries.</para>
/// <para>Identifiers are <c>1a{n}</c> for environments and <c>1r{n}</c> for registries (Rancher's style), where
/// <c>n</c> comes from one sequence that also orders the registries.</para>
/// </remarks>
public sealed class InMemoryRegistryStore : IRegistryStore
{
    private static readonly ReadOnlyCollection<StoredRegistry> NoRecords = new([]);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _environments = new(StringComparer.Ordinal);
    private readonly List<string> _environmentOrder = [];

    // Registry identifiers are unique store-wide: an update that names another environment is found and refused.
    private readonly Dictionary<string, string> _registryEnvironments = new(StringComparer.Ordinal);
    private long _sequence;

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var id = "1a" + (++_sequence).ToString(CultureInfo.InvariantCulture);
            var environment = new RegistryEnvironment(id, name, orchestration, members, 1);
            _environments.Add(id, new Slot(environment));
            _environmentOrder.Add(id);
            return ValueTask.FromResult(environment);
        }
    }

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_environments.TryGetValue(environmentId, out var slot) ? slot.Environment : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<RegistryEnvironment>>(_environmentOrder.Select(id => _environments[id].Environment).ToArray());
        }
    }

    /// <inheritdoc/>
    public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_environments.TryGetValue(environment.Id, out var slot))
            {
                throw new EnvironmentNotFoundException(environment.Id);
            }

            if (slot.Environment.Version != environment.Version)
            {
                throw new ConcurrencyConflictException(environment.Id, environment.Version, slot.Environment.Version);
            }

            slot.Environment = StoreRules.WithVersion(environment, environment.Version + 1);
            return ValueTask.FromResult(slot.Environment);
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(credential);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_environments.TryGetValue(environmentId, out var slot))
            {
                throw new EnvironmentNotFoundException(environmentId);
            }

            var sequence = ++_sequence;
            var registry = new Registry("1r" + sequence.ToString(CultureInfo.InvariantCulture), environmentId, scope, RegistryState.Active, credential.Email, credential.Username, sequence, 1, credential.Source, credential.ExpiresAt);
            var record = new StoredRegistry(registry, credential.Password);
            slot.ById.Add(registry.Id, record);
            _registryEnvironments.Add(registry.Id, environmentId);
            slot.Put(record, replacing: null);
            return ValueTask.FromResult(record);
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(registryId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_environments.TryGetValue(environmentId, out var slot) && slot.ById.TryGetValue(registryId, out var record) ? record : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_environments.TryGetValue(environmentId, out var slot))
            {
                return ValueTask.FromResult<IReadOnlyList<StoredRegistry>>(NoRecords);
            }

            return ValueTask.FromResult<IReadOnlyList<StoredRegistry>>(slot.ById.Values.OrderBy(r => r.Registry.Sequence).ToArray());
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<StoredRegistry>>(
                _environments.TryGetValue(environmentId, out var slot) && slot.ByAddress.TryGetValue(address, out var records) ? records : NoRecords);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Without host patterns in the environment (the common case) this is the address's own list, with no allocation.</remarks>
    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesCoveringAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_environments.TryGetValue(environmentId, out var slot))
            {
                return ValueTask.FromResult<IReadOnlyList<StoredRegistry>>(NoRecords);
            }

            var own = slot.ByAddress.TryGetValue(address, out var records) ? records : NoRecords;
            return ValueTask.FromResult(slot.Patterns == 0 ? own : Covering(slot, address, own));
        }
    }

    // Under the lock: the address's own entries and those of the host patterns that cover it, oldest first.
    private static IReadOnlyList<StoredRegistry> Covering(Slot slot, RegistryAddress address, IReadOnlyList<StoredRegistry> own)
    {
        var covering = new List<StoredRegistry>(own);
        foreach (var pattern in address.GetCoveringPatterns())
        {
            if (slot.ByAddress.TryGetValue(pattern, out var patternRecords))
            {
                covering.AddRange(patternRecords);
            }
        }

        covering.Sort(static (a, b) => a.Registry.Sequence.CompareTo(b.Registry.Sequence));
        return covering;
    }

    /// <inheritdoc/>
    /// <remarks>Under one lock, so the environment and the entries are one consistent state; allocates nothing without host patterns.</remarks>
    public ValueTask<ResolutionData> ReadResolutionAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_environments.TryGetValue(environmentId, out var slot))
            {
                return ValueTask.FromResult(new ResolutionData(null, NoRecords));
            }

            var own = slot.ByAddress.TryGetValue(address, out var records) ? records : NoRecords;
            return ValueTask.FromResult(new ResolutionData(slot.Environment, slot.Patterns == 0 ? own : Covering(slot, address, own)));
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        var changed = record.Registry;
        lock (_lock)
        {
            if (!_registryEnvironments.TryGetValue(changed.Id, out var environmentId)
                || !_environments.TryGetValue(environmentId, out var slot)
                || !slot.ById.TryGetValue(changed.Id, out var current))
            {
                throw new RegistryNotFoundException(changed.EnvironmentId, changed.Id);
            }

            StoreRules.EnsureImmutablePartsUnchanged(current.Registry, changed);
            if (current.Registry.Version != changed.Version)
            {
                throw new ConcurrencyConflictException(changed.Id, changed.Version, current.Registry.Version);
            }

            var stored = new StoredRegistry(StoreRules.WithVersion(changed, changed.Version + 1), record.Password);
            slot.ById[changed.Id] = stored;
            slot.Put(stored, replacing: current);
            return ValueTask.FromResult(stored);
        }
    }

    private sealed class Slot(RegistryEnvironment environment)
    {
        public RegistryEnvironment Environment { get; set; } = environment;

        public Dictionary<string, StoredRegistry> ById { get; } = new(StringComparer.Ordinal);

        public Dictionary<RegistryAddress, ReadOnlyCollection<StoredRegistry>> ByAddress { get; } = [];

        // How many entries have a host pattern: resolution looks for covering patterns only when there is one.
        public int Patterns { get; private set; }

        // Copy-on-write: a list handed to a reader is never changed afterwards.
        public void Put(StoredRegistry record, StoredRegistry? replacing)
        {
            var address = record.Registry.Address;
            ByAddress.TryGetValue(address, out var existing);
            var list = existing is null ? [] : existing.ToList();
            if (replacing is not null)
            {
                list[list.IndexOf(replacing)] = record;
            }
            else
            {
                list.Add(record);
                if (address.IsPattern)
                {
                    Patterns++;
                }
            }

            ByAddress[address] = list.AsReadOnly();
        }
    }
}
