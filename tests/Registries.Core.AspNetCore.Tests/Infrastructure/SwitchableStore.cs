using Registries.Core.Storage;

namespace Registries.Core.AspNetCore.Tests.Infrastructure;

/// <summary>The in-memory store, counting every call, that can be told to fail the way a broken store does
/// (<see cref="RegistryStoreException"/>) or with an exception the library does not document.</summary>
public sealed class SwitchableStore : IRegistryStore
{
    private readonly InMemoryRegistryStore _inner = new();
    private int _calls;

    public Func<Exception>? Failure { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
        => Enter().CreateEnvironmentAsync(name, orchestration, members, cancellationToken);

    public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
        => Enter().GetEnvironmentAsync(environmentId, cancellationToken);

    public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
        => Enter().ListEnvironmentsAsync(cancellationToken);

    public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
        => Enter().UpdateEnvironmentAsync(environment, cancellationToken);

    public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
        => Enter().AddRegistryAsync(environmentId, scope, credential, cancellationToken);

    public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
        => Enter().GetRegistryAsync(environmentId, registryId, cancellationToken);

    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
        => Enter().ListRegistriesAsync(environmentId, cancellationToken);

    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
        => Enter().ListRegistriesByAddressAsync(environmentId, address, cancellationToken);

    /// <summary>When set, every registry update first waits at this gate: a test holds writers there until all of them
    /// have read the entry, so their writes truly race.</summary>
    public WriterGate? UpdateGate { get; set; }

    public async ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
    {
        var store = Enter();
        if (UpdateGate is { } gate)
        {
            await gate.ArriveAsync();
        }

        return await store.UpdateRegistryAsync(record, cancellationToken);
    }

    private InMemoryRegistryStore Enter()
    {
        Interlocked.Increment(ref _calls);
        if (Failure is { } failure)
        {
            throw failure();
        }

        return _inner;
    }
}

/// <summary>Lets writers through only once <c>count</c> of them have arrived (bounded: a writer that waits longer than
/// the timeout fails the test instead of hanging it).</summary>
public sealed class WriterGate(int count, TimeSpan timeout)
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public async Task ArriveAsync()
    {
        if (Interlocked.Increment(ref _arrived) >= count)
        {
            _open.TrySetResult();
        }

        await _open.Task.WaitAsync(timeout);
    }
}
