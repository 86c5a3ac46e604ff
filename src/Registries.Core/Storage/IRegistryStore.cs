namespace Registries.Core.Storage;

/// <summary>The storage port: where environments and registry entries live.</summary>
/// <remarks>
/// <para>Every implementation must pass the shared conformance suite (<c>RegistryStoreConformanceTests</c>).
/// The rules it checks:</para>
/// <list type="bullet">
/// <item>Optimistic concurrency: an update carries the version it read; if the stored version differs, the update
/// throws <see cref="ConcurrencyConflictException"/> and writes nothing. A successful write stores and returns
/// the next version.</item>
/// <item>Order: each added registry gets a <see cref="Registry.Sequence"/> greater than every sequence the store
/// assigned before, also when several processes or instances write to one store.</item>
/// <item>Identifiers are unique, non-empty and never reused.</item>
/// <item>Lists are ordered by <see cref="Registry.Sequence"/>, oldest first.</item>
/// <item>Implementations are safe for concurrent use.</item>
/// </list>
/// </remarks>
public interface IRegistryStore
{
    /// <summary>Creates an environment with a new identifier and version 1.</summary>
    /// <param name="name">The display name.</param>
    /// <param name="orchestration">The orchestration kind.</param>
    /// <param name="members">The initial members.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored environment.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default);

    /// <summary>Reads an environment.</summary>
    /// <param name="environmentId">The identifier.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment, or <see langword="null"/> when there is none with that identifier.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default);

    /// <summary>Lists every environment, in order of creation.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environments.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default);

    /// <summary>Writes a changed environment whose <see cref="RegistryEnvironment.Version"/> is the version that was read.</summary>
    /// <remarks>Everything but the identifier is written: name, orchestration, members, and the
    /// <see cref="RegistryEnvironment.Policy"/> and <see cref="RegistryEnvironment.Mirrors"/> in their order, which every
    /// later read (<see cref="ReadResolutionAsync"/> included) gives back as written.</remarks>
    /// <param name="environment">The changed environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored environment with its next version.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The stored version differs; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default);

    /// <summary>Adds an Active registry entry with a new identifier, the next sequence and version 1.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="scope">What the entry covers: an address or host pattern, and a path prefix or none.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record, with the scope exactly as given.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default);

    /// <summary>Adds an Active registry entry for a whole address, with a new identifier, the next sequence and version 1.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record.</returns>
    /// <remarks>The same as <see cref="AddRegistryAsync(string, RegistryScope, RegistryCredential, CancellationToken)"/>
    /// with <see cref="RegistryScope.Of(RegistryAddress)"/>. Implementations keep this default (the stores of this library
    /// do), so it is written once; call it through <see cref="IRegistryStore"/>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="address"/> is <see langword="null"/>.</exception>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryAddress address, RegistryCredential credential, CancellationToken cancellationToken = default)
        => AddRegistryAsync(environmentId, RegistryScope.Of(address ?? throw new ArgumentNullException(nameof(address))), credential, cancellationToken);

    /// <summary>Reads a registry entry of an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The registry entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/> when the environment has no entry with that identifier.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default);

    /// <summary>Lists the registry entries of an environment, oldest first.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records (empty for an unknown environment).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default);

    /// <summary>Lists the registry entries of an environment whose scope's address is one address or host pattern, whatever their path, oldest first.</summary>
    /// <remarks>This is the resolution path: implementations should answer it in constant time. A host pattern is
    /// matched as written (<c>*.corp.example</c> lists the entries of that pattern), never expanded.</remarks>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The address or host pattern.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records (empty when there are none).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default);

    /// <summary>Lists the registry entries of an environment that could cover images of a registry address: the
    /// address's own entries (whatever their path) and the entries of every host pattern that covers it, oldest first.</summary>
    /// <remarks>This is the resolution path. The default asks <see cref="ListRegistriesByAddressAsync"/> for the address
    /// and for each pattern that could cover it (<c>*.corp.example</c> for <c>eu.corp.example</c>); a store with round
    /// trips should answer it in one, and a store may skip the patterns when the environment has none.</remarks>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address (not a pattern).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records (empty when there are none).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    async ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesCoveringAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        var own = await ListRegistriesByAddressAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
        var patterns = address.GetCoveringPatterns();
        if (patterns.Count == 0)
        {
            return own;
        }

        var records = new List<StoredRegistry>(own);
        foreach (var pattern in patterns)
        {
            records.AddRange(await ListRegistriesByAddressAsync(environmentId, pattern, cancellationToken).ConfigureAwait(false));
        }

        records.Sort(static (a, b) => a.Registry.Sequence.CompareTo(b.Registry.Sequence));
        return records;
    }

    /// <summary>Reads, for one resolution, the environment and the entries that could cover a registry address
    /// (<see cref="GetEnvironmentAsync"/> and <see cref="ListRegistriesCoveringAsync"/> together).</summary>
    /// <remarks>The resolution path of <see cref="RegistryService"/> and <see cref="LaunchResolver"/>. The default
    /// makes the two reads one after the other; a store with round trips should answer in one (the PostgreSQL store sends
    /// both queries in one batch), so that an uncached resolution is one round trip.</remarks>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address (not a pattern).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The environment (or <see langword="null"/>) and the entries (empty without an environment).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    async ValueTask<ResolutionData> ReadResolutionAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        var environment = await GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false);
        return environment is null
            ? new ResolutionData(null, [])
            : new ResolutionData(environment, await ListRegistriesCoveringAsync(environmentId, address, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Writes a changed registry record whose <see cref="Registry.Version"/> is the version that was read.</summary>
    /// <remarks>The identifier, environment, scope and sequence of an entry never change; a store refuses a
    /// record that changes them with <see cref="ArgumentException"/>.</remarks>
    /// <param name="record">The changed record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record with its next version.</returns>
    /// <exception cref="RegistryNotFoundException">The entry does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The stored version differs; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default);
}
