using Registries.Core.Diagnostics;
using Registries.Core.Events;
using Registries.Core.Sources;
using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>The operations a user performs on environments and their registries, with Rancher's rules.</summary>
/// <remarks>
/// <para>Every operation acts for the caller: the one bound with <see cref="As(string)"/>, else the one the
/// registered <see cref="IRegistryCallerAccessor"/> gives (<see cref="MissingCallerException"/> when there is none). A caller who is not a member of the environment gets
/// <see cref="EnvironmentNotFoundException"/> (the same as for an unknown id), so an outsider cannot learn that
/// an environment or registry exists. Owners and Members manage registries; ReadOnly members may list them.
/// Registry operations in an environment whose orchestration is not supported throw
/// <see cref="UnsupportedOrchestrationException"/>.</para>
/// <para>Read-modify-write operations retry after a <see cref="ConcurrencyConflictException"/> (see
/// <see cref="RegistriesOptions.ConcurrencyRetries"/>), checking the rules again on the fresh entry each time.
/// Thread-safe when the store is.</para>
/// <para>This is the one way an application resolves for its user (<see cref="ResolveAsync(string, ImageReference, CancellationToken)"/>);
/// the platform's launch path, which has no caller, is <see cref="LaunchResolver"/>.</para>
/// </remarks>
public sealed partial class RegistryService
{
    // The operations live by concern: RegistryService.Environments.cs (environments, members, permissions),
    // RegistryService.Registries.cs (entries and their states) and RegistryService.Resolution.cs (what an image gets);
    // who may do what is CallerAuthorization's. This file holds what they share.
    private readonly IRegistryStore _store;
    private readonly RegistriesOptions _options;
    private readonly CallerAuthorization _authorization;
    private readonly IRegistryCallerAccessor _callers;
    private readonly IRegistryEventObserver[] _observers;
    private readonly ResolutionObservers _resolutionObservers;
    private readonly IObserverFailureHandler? _failures;
    private readonly CredentialSources _sources;
    private readonly RegistriesTelemetry _telemetry;

    /// <summary>Initializes a service over a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="callers">Tells who the current caller is (the application registers one); when <see langword="null"/>,
    /// every operation needs a caller bound with <see cref="As(string)"/>.</param>
    /// <param name="observers">Observers of registry events, for example an audit log. They run after the change is
    /// stored; what they throw goes to <paramref name="failureHandler"/>, never to the caller.</param>
    /// <param name="resolutionObservers">Observers told of every resolution made through the service (without its
    /// password), for example a logger; what they throw goes to <paramref name="failureHandler"/>.</param>
    /// <param name="failureHandler">Receives the failures of observers; with none they are dropped.</param>
    /// <param name="sources">The credential sources and their cache, shared with the <see cref="LaunchResolver"/> of the
    /// same store; with none, entries whose credential comes from a source answer Unavailable, and stored expiries are
    /// judged by <see cref="TimeProvider.System"/>.</param>
    /// <param name="telemetry">Where resolutions and observer failures are measured and traced; a process-wide
    /// instance when <see langword="null"/>.</param>
    /// <remarks>The simple form for scripts and tests is <c>new RegistryService(store).As("alice")</c>; with dependency
    /// injection, <c>services.AddRegistries()</c> registers one service with the application's store, caller and observers.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The options are not valid (the message says which and how to fix them).</exception>
    public RegistryService(IRegistryStore store, RegistriesOptions? options = null, IRegistryCallerAccessor? callers = null, IEnumerable<IRegistryEventObserver>? observers = null, IEnumerable<IResolutionObserver>? resolutionObservers = null, IObserverFailureHandler? failureHandler = null, CredentialSources? sources = null, RegistriesTelemetry? telemetry = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new RegistriesOptions();
        _options.ThrowIfInvalid();
        _authorization = new CallerAuthorization(_store, _options);
        _callers = callers ?? NoCaller.Instance;
        _observers = observers?.ToArray() ?? [];
        _telemetry = telemetry ?? RegistriesTelemetry.Default;
        _resolutionObservers = new ResolutionObservers(resolutionObservers, failureHandler, _telemetry);
        _failures = failureHandler;
        _sources = sources ?? new CredentialSources(telemetry: _telemetry);
    }

    private RegistryService(RegistryService other, IRegistryCallerAccessor callers)
    {
        _store = other._store;
        _options = other._options;
        _authorization = other._authorization;
        _observers = other._observers;
        _resolutionObservers = other._resolutionObservers;
        _failures = other._failures;
        _sources = other._sources;
        _telemetry = other._telemetry;
        _callers = callers;
    }

    /// <summary>Returns a service bound to <paramref name="caller"/>: every operation on it acts as that user.</summary>
    /// <param name="caller">The user name, as environments list their members.</param>
    /// <returns>A service that shares this one's store, options and observers.</returns>
    /// <remarks>The simple form for scripts, workers and tests; an application that serves many users registers an
    /// <see cref="IRegistryCallerAccessor"/> instead. Cheap: call it per request if that is simpler.</remarks>
    /// <exception cref="ArgumentException">The name is empty or white space.</exception>
    public RegistryService As(string caller) => As(new RegistryCaller(caller));

    /// <summary>Returns a service bound to <paramref name="caller"/>: every operation on it acts as that caller.</summary>
    /// <param name="caller">The caller.</param>
    /// <returns>A service that shares this one's store, options and observers.</returns>
    public RegistryService As(RegistryCaller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return new RegistryService(this, new FixedCaller(caller));
    }

    private string CallerName() => (_callers.Caller ?? throw new MissingCallerException()).Name;

    // The effective entry of one scope (null when it has none): what a new entry there overrides, and whether an entry
    // is the effective one of its scope.
    private async ValueTask<StoredRegistry?> EffectiveOfScopeAsync(string environmentId, RegistryScope scope, CancellationToken cancellationToken)
    {
        var entries = await _store.ListRegistriesByAddressAsync(environmentId, scope.Address, cancellationToken).ConfigureAwait(false);
        StoredRegistry? effective = null;
        foreach (var entry in entries)
        {
            if (entry.Registry.State != RegistryState.Removed && entry.Registry.Scope.Equals(scope)
                && (effective is null || entry.Registry.Sequence > effective.Registry.Sequence))
            {
                effective = entry;
            }
        }

        return effective;
    }

    // The change is stored: from here on nothing may fail the operation, or a caller who retries would repeat it.
    // Observers are awaited one by one (an audit log is written when the operation returns), without the caller's
    // token: cancelling after the commit cannot undo it, so the observers still hear of it.
    private async ValueTask PublishAsync(RegistryEvent registryEvent)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnRegistryEventAsync(registryEvent, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best effort after the commit, reported to the failure handler.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _telemetry.RecordObserverFailure(TelemetryNames.ObserverRegistryEvent);
                ObserverFailures.Report(_failures, new ObserverFailure(observer, registryEvent, ex));
            }
        }
    }

    // As PublishAsync, for a change to an environment's policy or mirrors.
    private async ValueTask PublishAsync(EnvironmentEvent environmentEvent)
    {
        foreach (var observer in _observers)
        {
            try
            {
                await observer.OnEnvironmentEventAsync(environmentEvent, CancellationToken.None).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Best effort after the commit, reported to the failure handler.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _telemetry.RecordObserverFailure(TelemetryNames.ObserverRegistryEvent);
                ObserverFailures.Report(_failures, new ObserverFailure(observer, environmentEvent, ex));
            }
        }
    }

    private sealed class NoCaller : IRegistryCallerAccessor
    {
        public static readonly NoCaller Instance = new();

        public RegistryCaller? Caller => null;
    }

    private sealed class FixedCaller(RegistryCaller caller) : IRegistryCallerAccessor
    {
        public RegistryCaller? Caller { get; } = caller;
    }
}
