using Registries.Core.Storage;

namespace Registries.Core.Testing;

/// <summary>Seeds environments, members and registry credentials in one statement, for a consumer's unit tests.</summary>
/// <remarks>
/// <para>For example:</para>
/// <code>
/// var registries = await RegistriesSeed.CreateAsync(seed => seed
///     .Environment("prod", owner: "alice")
///     .Member("prod", "bob", EnvironmentRole.ReadOnly)
///     .Registry("prod", "registry.example.com:5000", "ci", "s3cret")
///     .Registry("prod", RegistryAddress.DockerHub, "hub-user", "hub-pass", state: RegistryState.Inactive));
///
/// var prod = registries.EnvironmentId("prod");
/// var entries = await registries.As("alice").ListRegistriesAsync(prod);
/// </code>
/// <para>Everything is created through <see cref="RegistryService"/>, so the rules, the store-assigned order and the
/// events are those of a real application: a registry seeded later overrides an earlier one for the same address,
/// and an Inactive one denies pulls. Steps run in the order they were given.</para>
/// </remarks>
public static class RegistriesSeed
{
    /// <summary>Seeds a new <see cref="InMemoryRegistryStore"/>.</summary>
    /// <param name="seed">Says what to create.</param>
    /// <param name="options">The options of the service (for example more supported orchestrations); the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the seeding.</param>
    /// <returns>The store, a service over it and the ids of what was seeded, by name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="seed"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A step is not valid (an unknown environment name, a name seeded twice, a bad address); the message says which.</exception>
    /// <exception cref="RegistriesException">The service refused a step (for example a registry in an orchestration that is not supported).</exception>
    public static Task<SeededRegistries> CreateAsync(Action<RegistriesSeedBuilder> seed, RegistriesOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(new InMemoryRegistryStore(), seed, options, cancellationToken);

    /// <summary>Seeds the store the caller gives, for example their own <see cref="IRegistryStore"/> implementation.</summary>
    /// <param name="store">The store to seed; environments it already holds are left as they are.</param>
    /// <param name="seed">Says what to create.</param>
    /// <param name="options">The options of the service; the defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the seeding.</param>
    /// <returns>The store, a service over it and the ids of what was seeded, by name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> or <paramref name="seed"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A step is not valid (an unknown environment name, a name seeded twice, a bad address); the message says which.</exception>
    /// <exception cref="RegistriesException">The service or the store refused a step.</exception>
    public static async Task<SeededRegistries> CreateAsync(IRegistryStore store, Action<RegistriesSeedBuilder> seed, RegistriesOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(seed);
        var builder = new RegistriesSeedBuilder();
        seed(builder);

        var resolver = new LaunchResolver(store, options);
        var service = new RegistryService(store, options);
        var environments = new Dictionary<string, (string Id, string Owner)>(StringComparer.Ordinal);
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var latest = new Dictionary<(string Environment, RegistryScope Scope), string>();
        foreach (var step in builder.Steps)
        {
            switch (step)
            {
                case RegistriesSeedBuilder.EnvironmentStep environment:
                {
                    var owner = service.As(environment.Owner);
                    var created = await owner.CreateEnvironmentAsync(environment.Name, environment.Orchestration, cancellationToken).ConfigureAwait(false);
                    environments[environment.Name] = (created.Id, environment.Owner);
                    break;
                }

                case RegistriesSeedBuilder.MemberStep member:
                {
                    var (id, owner) = environments[member.Environment];
                    await service.As(owner).SetMemberAsync(id, member.User, member.Role, cancellationToken).ConfigureAwait(false);
                    break;
                }

                case RegistriesSeedBuilder.RegistryStep registry:
                {
                    var (id, owner) = environments[registry.Environment];
                    var actor = service.As(owner);
                    var added = await actor.AddRegistryAsync(id, registry.Scope, registry.Credential, cancellationToken).ConfigureAwait(false);

                    // Removed is reached the way a user reaches it: deactivate, then delete.
                    if (registry.State is RegistryState.Inactive or RegistryState.Removed)
                    {
                        await actor.DeactivateRegistryAsync(id, added.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    if (registry.State == RegistryState.Removed)
                    {
                        await actor.DeleteRegistryAsync(id, added.Id, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    latest[(registry.Environment, registry.Scope)] = added.Id;
                    if (registry.Name is not null)
                    {
                        named[registry.Name] = added.Id;
                    }

                    break;
                }
            }
        }

        return new SeededRegistries(store, resolver, service, environments.ToDictionary(e => e.Key, e => e.Value.Id, StringComparer.Ordinal), named, latest);
    }
}
