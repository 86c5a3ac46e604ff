using Registries.Core.Events;
using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>Decides, for an image in an environment, which credential the engine gets or whether the pull is prohibited.</summary>
/// <remarks>
/// <para>The rules: the effective entry for an address is the most recently added one (highest
/// <see cref="Registry.Sequence"/>) that is not Removed. If it is Active, the answer is Authenticated with its
/// credential; if it is Inactive, the answer is Denied, with no fallback to an older entry or to an anonymous
/// pull; if there is none, the answer is Anonymous.</para>
/// <para>This is the system path used at launch time (no user): callers that act for a user go through
/// <see cref="RegistryService.ResolveAsync(string, string, ImageReference, CancellationToken)"/>, which checks roles first.
/// Thread-safe.</para>
/// </remarks>
public sealed class CredentialResolver
{
    private readonly IRegistryStore _store;
    private readonly RegistriesOptions _options;
    private readonly IResolutionObserver[] _observers;

    /// <summary>Initializes a new resolver over a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="observers">Observers told of every resolution, for example a logger.</param>
    public CredentialResolver(IRegistryStore store, RegistriesOptions? options = null, IEnumerable<IResolutionObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new RegistriesOptions();
        _observers = observers?.ToArray() ?? [];
    }

    /// <summary>Resolves an image in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(image);
        var environment = await _store.GetEnvironmentAsync(environmentId, cancellationToken).ConfigureAwait(false)
            ?? throw new EnvironmentNotFoundException(environmentId);
        EnsureSupported(environment);
        var entries = await _store.ListRegistriesByAddressAsync(environmentId, image.Registry, cancellationToken).ConfigureAwait(false);
        var resolution = Resolve(image, entries);
        foreach (var observer in _observers)
        {
            observer.OnResolved(environmentId, resolution);
        }

        return resolution;
    }

    /// <summary>Parses and resolves an image in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image reference text, for example <c>ubuntu:22.04</c>.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <exception cref="ImageReferenceFormatException">The image reference is not valid.</exception>
    /// <exception cref="EnvironmentNotFoundException">The environment does not exist.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<CredentialResolution> ResolveAsync(string environmentId, string image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ResolveAsync(environmentId, ImageReference.Parse(image), cancellationToken);
    }

    /// <summary>Applies the resolution rules to the entries of one address; pure, no I/O.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entriesForAddress">Every entry of the environment for the image's registry address, in any order.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    public static CredentialResolution Resolve(ImageReference image, IReadOnlyList<RegistryRecord> entriesForAddress)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entriesForAddress);
        var effective = SelectEffective(entriesForAddress);
        if (effective is null)
        {
            return CredentialResolution.Anonymous(image);
        }

        var registry = effective.Registry;
        return registry.State == RegistryState.Active
            ? CredentialResolution.Authenticated(image, registry, effective.Password!)
            : CredentialResolution.Denied(
                image,
                registry,
                $"Registry {registry.Address} ({registry.Id}) is inactive in environment '{registry.EnvironmentId}': pulls from it are prohibited. Activate it, or add a new credential for {registry.Address}.");
    }

    /// <summary>Returns the effective entry among the entries of one address: the most recently added one that is not Removed.</summary>
    /// <param name="entriesForAddress">The entries of one address.</param>
    /// <returns>The effective entry, or <see langword="null"/> when every entry is Removed or there are none.</returns>
    public static RegistryRecord? SelectEffective(IReadOnlyList<RegistryRecord> entriesForAddress)
    {
        ArgumentNullException.ThrowIfNull(entriesForAddress);
        RegistryRecord? effective = null;
        for (var i = 0; i < entriesForAddress.Count; i++)
        {
            var entry = entriesForAddress[i];
            if (entry.Registry.State != RegistryState.Removed
                && (effective is null || entry.Registry.Sequence > effective.Registry.Sequence))
            {
                effective = entry;
            }
        }

        return effective;
    }

    internal void EnsureSupported(RegistryEnvironment environment)
    {
        if (!_options.SupportedOrchestrations.Contains(environment.Orchestration))
        {
            throw new UnsupportedOrchestrationException(environment.Id, environment.Orchestration, _options.SupportedOrchestrations.Order());
        }
    }
}
