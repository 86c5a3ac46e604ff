using System.Collections.Concurrent;
using Registries.Core.Storage;

namespace Registries.Core.Tests.Domain;

/// <summary>A store that counts every call it passes on to an in-memory store, to see what an operation read or changed.</summary>
internal sealed class CountingStore(IRegistryStore inner) : IRegistryStore
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);

    public IRegistryStore Inner { get; } = inner;

    /// <summary>Gets the number of calls of every member, reads and writes alike.</summary>
    public int Total => _calls.Values.Sum();

    /// <summary>Runs before <see cref="CreateEnvironmentAsync"/> passes the call on, to hold flows at one point.</summary>
    public Func<Task>? BeforeCreateEnvironment { get; set; }

    /// <summary>Creates a counting store over an environment with an Owner, a Member and a ReadOnly member, an active
    /// entry for registry.example.com and an inactive one for quay.io; the counts start at zero.</summary>
    public static async Task<Seeded> CreateSeededAsync(OrchestrationKind orchestration = OrchestrationKind.Cattle)
    {
        var inner = new InMemoryRegistryStore();
        var options = new RegistriesOptions();
        options.SupportedOrchestrations.Add(orchestration);
        var owner = new RegistryService(inner, options).As(DomainFixture.Owner);
        var environment = await owner.CreateEnvironmentAsync("production", orchestration);
        await owner.SetMemberAsync(environment.Id, DomainFixture.Member, EnvironmentRole.Member);
        await owner.SetMemberAsync(environment.Id, DomainFixture.Reader, EnvironmentRole.ReadOnly);
        var active = await owner.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), DomainFixture.Credential("active", DomainFixture.Canary));
        var inactive = await owner.AddRegistryAsync(environment.Id, RegistryAddress.Quay, DomainFixture.Credential("inactive", DomainFixture.Canary));
        await owner.DeactivateRegistryAsync(environment.Id, inactive.Id);
        return new Seeded(new CountingStore(inner), environment.Id, active.Id, inactive.Id);
    }

    public int Count(string member) => _calls.TryGetValue(member, out var count) ? count : 0;

    public void Reset() => _calls.Clear();

    public async ValueTask<RegistryEnvironment> CreateEnvironmentAsync(string name, OrchestrationKind orchestration, IReadOnlyDictionary<string, EnvironmentRole> members, CancellationToken cancellationToken = default)
    {
        Counted(nameof(CreateEnvironmentAsync));
        if (BeforeCreateEnvironment is { } gate)
        {
            await gate();
        }

        return await Inner.CreateEnvironmentAsync(name, orchestration, members, cancellationToken);
    }

    public ValueTask<RegistryEnvironment?> GetEnvironmentAsync(string environmentId, CancellationToken cancellationToken = default)
        => Counted(nameof(GetEnvironmentAsync), Inner.GetEnvironmentAsync(environmentId, cancellationToken));

    public ValueTask<IReadOnlyList<RegistryEnvironment>> ListEnvironmentsAsync(CancellationToken cancellationToken = default)
        => Counted(nameof(ListEnvironmentsAsync), Inner.ListEnvironmentsAsync(cancellationToken));

    public ValueTask<RegistryEnvironment> UpdateEnvironmentAsync(RegistryEnvironment environment, CancellationToken cancellationToken = default)
        => Counted(nameof(UpdateEnvironmentAsync), Inner.UpdateEnvironmentAsync(environment, cancellationToken));

    public ValueTask<StoredRegistry> AddRegistryAsync(string environmentId, RegistryScope scope, RegistryCredential credential, CancellationToken cancellationToken = default)
        => Counted(nameof(AddRegistryAsync), Inner.AddRegistryAsync(environmentId, scope, credential, cancellationToken));

    public ValueTask<StoredRegistry?> GetRegistryAsync(string environmentId, string registryId, CancellationToken cancellationToken = default)
        => Counted(nameof(GetRegistryAsync), Inner.GetRegistryAsync(environmentId, registryId, cancellationToken));

    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesAsync(string environmentId, CancellationToken cancellationToken = default)
        => Counted(nameof(ListRegistriesAsync), Inner.ListRegistriesAsync(environmentId, cancellationToken));

    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesByAddressAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
        => Counted(nameof(ListRegistriesByAddressAsync), Inner.ListRegistriesByAddressAsync(environmentId, address, cancellationToken));

    public ValueTask<IReadOnlyList<StoredRegistry>> ListRegistriesCoveringAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
        => Counted(nameof(ListRegistriesCoveringAsync), Inner.ListRegistriesCoveringAsync(environmentId, address, cancellationToken));

    public ValueTask<StoredRegistry> UpdateRegistryAsync(StoredRegistry record, CancellationToken cancellationToken = default)
        => Counted(nameof(UpdateRegistryAsync), Inner.UpdateRegistryAsync(record, cancellationToken));

    private T Counted<T>(string member, T result)
    {
        Counted(member);
        return result;
    }

    private void Counted(string member) => _calls.AddOrUpdate(member, 1, (_, count) => count + 1);
}

/// <summary>A counting store over a seeded environment (see <see cref="CountingStore.CreateSeededAsync"/>).</summary>
internal sealed record Seeded(CountingStore Store, string EnvironmentId, string ActiveId, string InactiveId);
