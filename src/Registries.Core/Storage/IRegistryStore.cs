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
    /// <param name="environment">The changed environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored environment with its next version.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The stored version differs; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default);

    /// <summary>Adds an Active registry entry with a new identifier, the next sequence and version 1.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="credential">The credential.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryRecord> AddRegistryAsync(string environmentId, RegistryAddress address, RegistryCredential credential, CancellationToken cancellationToken = default);

    /// <summary>Reads a registry entry of an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="registryId">The registry entry.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The record, or <see langword="null"/> when the environment has no entry with that identifier.</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryRecord?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default);

    /// <summary>Lists the registry entries of an environment, oldest first.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records (empty for an unknown environment).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<IReadOnlyList<RegistryRecord>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default);

    /// <summary>Lists the registry entries of an environment for one address, oldest first.</summary>
    /// <remarks>This is the resolution path: implementations should answer it in constant time.</remarks>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The records (empty when there are none).</returns>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<IReadOnlyList<RegistryRecord>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default);

    /// <summary>Writes a changed registry record whose <see cref="Registry.Version"/> is the version that was read.</summary>
    /// <remarks>The identifier, environment, address and sequence of an entry never change; a store refuses a
    /// record that changes them with <see cref="ArgumentException"/>.</remarks>
    /// <param name="record">The changed record.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored record with its next version.</returns>
    /// <exception cref="RegistryNotFoundException">The entry does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The stored version differs; nothing was written.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    ValueTask<RegistryRecord> UpdateRegistryAsync(RegistryRecord record, CancellationToken cancellationToken = default);
}
