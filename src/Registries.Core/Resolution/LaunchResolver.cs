using Registries.Core.Diagnostics;
using Registries.Core.Events;
using Registries.Core.Sources;
using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>Resolves an image for the platform itself, at container launch: there is no caller, so no membership or
/// role is checked.</summary>
/// <remarks>
/// <para>The launch path, which <see cref="Engine.ImagePullService"/> takes: the environment and the entries that could
/// cover the image are read together (<see cref="IRegistryStore.ReadResolutionAsync"/>), the environment's orchestration
/// must support registries, the environment's <see cref="RegistryPolicy"/> is decided on the image (a denied image is
/// Denied naming the rule, before any entry is consulted or any source asked), and <see cref="CredentialResolver"/>
/// decides (Authenticated, Anonymous or Denied), with the credential of a source fetched through
/// <see cref="CredentialSources"/> (or Unavailable), and the credential of each mirror of the image's registry
/// (<see cref="CredentialResolution.Mirrors"/>). Code that
/// acts for a user resolves with <see cref="RegistryService.ResolveAsync(string, ImageReference, CancellationToken)"/>,
/// which checks the caller's permission first; give this type only to the code that launches containers.</para>
/// <para>Every resolution is told to the resolution observers (without its password). Thread-safe when the store is.</para>
/// </remarks>
public sealed class LaunchResolver
{
    private readonly IRegistryStore _store;
    private readonly RegistriesOptions _options;
    private readonly ResolutionObservers _observers;
    private readonly CredentialSources _sources;
    private readonly RegistriesTelemetry _telemetry;

    /// <summary>Initializes a new resolver over a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="observers">Observers told of every resolution (without its password), for example a logger.</param>
    /// <param name="failureHandler">Receives what an observer throws; the resolution is answered all the same.</param>
    /// <param name="sources">The credential sources and their cache (share one with the <see cref="RegistryService"/>);
    /// with none, entries whose credential comes from a source answer Unavailable, and stored expiries are judged by
    /// <see cref="TimeProvider.System"/>.</param>
    /// <param name="telemetry">Where resolutions are measured and traced; a process-wide instance when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are not valid (the message says which and how to fix them).</exception>
    public LaunchResolver(IRegistryStore store, RegistriesOptions? options = null, IEnumerable<IResolutionObserver>? observers = null, IObserverFailureHandler? failureHandler = null, CredentialSources? sources = null, RegistriesTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new RegistriesOptions();
        _options.ThrowIfInvalid();
        _telemetry = telemetry ?? RegistriesTelemetry.Default;
        _observers = new ResolutionObservers(observers, failureHandler, _telemetry);
        _sources = sources ?? new CredentialSources(telemetry: _telemetry);
    }

    /// <summary>Gets where resolutions are measured and traced (the pull service measures pulls there too).</summary>
    internal RegistriesTelemetry Telemetry => _telemetry;

    /// <summary>Resolves an image in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous, Denied or Unavailable.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(image);
        using var scope = _telemetry.BeginResolution(TelemetryNames.PathLaunch);
        try
        {
            var data = await ReadAsync(environmentId, image.Address, cancellationToken).ConfigureAwait(false);
            var resolution = await EnvironmentResolution.ResolveImageAsync(_store, _telemetry, _sources, environmentId, data, image, cancellationToken).ConfigureAwait(false);
            return _observers.Tell(environmentId, scope.Complete(resolution));
        }
        catch (Exception e) when (scope.Fail(e))
        {
            throw;
        }
    }

    /// <summary>Resolves an image given as text in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image, as Docker accepts it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous, Denied or Unavailable.</returns>
    /// <exception cref="ImageReferenceFormatException">The image is not a valid reference.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<CredentialResolution> ResolveAsync(string environmentId, string image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ResolveAsync(environmentId, ImageReference.Parse(image), cancellationToken);
    }

    /// <summary>Resolves a registry address in an environment: the answer for every image of that address.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous, Denied or Unavailable, with <see cref="CredentialResolution.Image"/> <see langword="null"/>.</returns>
    /// <remarks>For credential protocols that ask per server (a Docker credential helper, an exported config file)
    /// and for addresses no image reference can name (a one-label host without a port, such as <c>myregistry</c>, which
    /// Docker reads as a Docker Hub namespace in <c>myregistry/app</c>).</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        using var scope = _telemetry.BeginResolution(TelemetryNames.PathLaunch);
        try
        {
            var data = await ReadAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
            var resolution = await EnvironmentResolution.ResolveAddressAsync(_sources, data, address, cancellationToken).ConfigureAwait(false);
            return _observers.Tell(environmentId, scope.Complete(resolution));
        }
        catch (Exception e) when (scope.Fail(e))
        {
            throw;
        }
    }

    // One read for the environment and the entries that could cover the address; the environment must exist and its
    // orchestration support registries.
    private async ValueTask<ResolutionData> ReadAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken)
    {
        var data = await _store.ReadForResolutionAsync(_telemetry, environmentId, address, cancellationToken).ConfigureAwait(false);
        _options.EnsureSupported(data.Environment ?? throw new EnvironmentNotFoundException(environmentId));
        return data;
    }
}
