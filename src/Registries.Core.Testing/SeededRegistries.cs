using Registries.Core.Engine;
using Registries.Core.Storage;

namespace Registries.Core.Testing;

/// <summary>What <see cref="RegistriesSeed"/> created: the store, a service over it, and the ids of the seeded environments and registries by name.</summary>
/// <remarks>
/// <para><see cref="Service"/> has no caller: bind one with <see cref="As"/> (or <c>Service.As("alice")</c>). To use the
/// seeded store in a DI container: <c>services.AddRegistries().UseSeededStore(registries)</c>.</para>
/// <para>Thread-safe when the store is. <see cref="ToString"/> shows names and ids, never a credential.</para>
/// </remarks>
public sealed class SeededRegistries
{
    private readonly IReadOnlyDictionary<string, string> _environments;
    private readonly IReadOnlyDictionary<string, string> _namedRegistries;
    private readonly IReadOnlyDictionary<(string Environment, RegistryScope Scope), string> _latestRegistries;

    internal SeededRegistries(
        IRegistryStore store,
        LaunchResolver resolver,
        RegistryService service,
        IReadOnlyDictionary<string, string> environments,
        IReadOnlyDictionary<string, string> namedRegistries,
        IReadOnlyDictionary<(string Environment, RegistryScope Scope), string> latestRegistries)
    {
        Store = store;
        Resolver = resolver;
        Service = service;
        _environments = environments;
        _namedRegistries = namedRegistries;
        _latestRegistries = latestRegistries;
    }

    /// <summary>Gets the seeded store.</summary>
    public IRegistryStore Store { get; }

    /// <summary>Gets the resolver over the store, for <see cref="ImagePullService"/> or a resolution without a caller.</summary>
    public LaunchResolver Resolver { get; }

    /// <summary>Gets a service over the store, with no caller bound: use <see cref="As"/>.</summary>
    public RegistryService Service { get; }

    /// <summary>Gets the ids of the seeded environments, by the names they were seeded with.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentIds => _environments;

    /// <summary>Returns the service bound to a caller: every operation on it acts as that user.</summary>
    /// <param name="caller">The user name, as environments list their members.</param>
    /// <returns>The bound service.</returns>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public RegistryService As(string caller) => Service.As(caller);

    /// <summary>Returns the id of a seeded environment.</summary>
    /// <param name="name">The name it was seeded with.</param>
    /// <returns>The store-assigned id.</returns>
    /// <exception cref="ArgumentException">No environment of that name was seeded; the message lists those that were.</exception>
    public string EnvironmentId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _environments.TryGetValue(name, out var id)
            ? id
            : throw new ArgumentException($"No environment '{name}' was seeded (seeded: {List(_environments.Keys)}).", nameof(name));
    }

    /// <summary>Returns the id of the registry seeded with <paramref name="name"/> (the <c>name</c> argument of <see cref="RegistriesSeedBuilder.Registry(string, string, string, string, RegistryState, string?, string?)"/>).</summary>
    /// <param name="name">The registry's seed name.</param>
    /// <returns>The store-assigned id.</returns>
    /// <exception cref="ArgumentException">No registry of that name was seeded; the message lists those that were.</exception>
    public string RegistryId(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _namedRegistries.TryGetValue(name, out var id)
            ? id
            : throw new ArgumentException($"No registry named '{name}' was seeded (named: {List(_namedRegistries.Keys)}); pass name: \"{name}\" to Registry(...), or look it up by environment and address.", nameof(name));
    }

    /// <summary>Returns the id of the registry seeded last for an address in an environment (the effective one, unless it was seeded Inactive or Removed).</summary>
    /// <param name="environment">The environment's seed name.</param>
    /// <param name="address">The registry address, as it was seeded or in any form that parses to the same address.</param>
    /// <returns>The store-assigned id.</returns>
    /// <exception cref="ArgumentException">No registry was seeded for that address in that environment.</exception>
    /// <exception cref="RegistryAddressFormatException"><paramref name="address"/> is not a valid registry address.</exception>
    public string RegistryId(string environment, string address)
        => RegistryId(environment, RegistryAddress.Parse(address ?? throw new ArgumentNullException(nameof(address))));

    /// <summary>Returns the id of the registry seeded last for an address in an environment.</summary>
    /// <param name="environment">The environment's seed name.</param>
    /// <param name="address">The registry address.</param>
    /// <returns>The store-assigned id.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No registry was seeded for that address in that environment.</exception>
    public string RegistryId(string environment, RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(address);
        return _latestRegistries.TryGetValue((environment, RegistryScope.Of(address)), out var id)
            ? id
            : throw new ArgumentException($"No registry for {address} was seeded in environment '{environment}' (seeded: {Seeded()}).", nameof(address));
    }

    /// <summary>Returns the id of the registry seeded last for a scope in an environment.</summary>
    /// <param name="environment">The environment's seed name.</param>
    /// <param name="scope">The scope (address or host pattern, and path prefix).</param>
    /// <returns>The store-assigned id.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">No registry was seeded for that scope in that environment.</exception>
    public string RegistryId(string environment, RegistryScope scope)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(scope);
        return _latestRegistries.TryGetValue((environment, scope), out var id)
            ? id
            : throw new ArgumentException($"No registry for {scope} was seeded in environment '{environment}' (seeded: {Seeded()}).", nameof(scope));
    }

    private string Seeded() => List(_latestRegistries.Keys.Select(k => k.Environment + " " + k.Scope));

    /// <summary>Returns an <see cref="ImagePullService"/> over the seeded registries and <paramref name="engine"/> (a <see cref="FakeImageEngine"/>, typically).</summary>
    /// <param name="engine">The engine.</param>
    /// <returns>The pull service.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is <see langword="null"/>.</exception>
    public ImagePullService CreatePullService(IImageEngine engine) => new(Resolver, engine ?? throw new ArgumentNullException(nameof(engine)));

    /// <summary>Describes what was seeded, by name and id.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
        => $"SeededRegistries: environments {List(_environments.Select(e => $"{e.Key}={e.Value}"))}; registries {_latestRegistries.Count} address(es)";

    private static string List(IEnumerable<string> names)
    {
        var all = names.Select(n => $"'{n}'").ToArray();
        return all.Length == 0 ? "none" : string.Join(", ", all);
    }
}
