using Registries.Core.Storage;

namespace Registries.Core.Sources;

/// <summary>The credential sources an application registered (one <see cref="ICredentialSource"/> per kind) behind a cache
/// that renews what they give ahead of its expiry and never hands it out after it.</summary>
/// <remarks>
/// <para>The resolution paths (<see cref="RegistryService"/>, <see cref="LaunchResolver"/> and so
/// <see cref="Engine.ImagePullService"/>) share one instance: when the deciding entry is Active and its credential
/// comes from a source, they ask it here. The rules:</para>
/// <list type="bullet">
/// <item>What a source gives is cached in memory with its expiry (the source's, capped by
/// <see cref="CredentialSourceOptions.MaximumCacheDuration"/>), keyed by the entry, its <see cref="Registry.Version"/> and
/// the credential's <see cref="CredentialCacheScope"/> (the image repository, the registry address or the whole entry):
/// an edit, a deactivation or a delete changes the version, so the old value is never used again.</item>
/// <item>Shortly before it expires (see <see cref="CredentialSourceOptions.RenewAheadFraction"/>) it is renewed by one
/// call, however many resolutions wait for it; a resolution's cancellation stops its own wait, never the shared fetch,
/// which <see cref="CredentialSourceOptions.FetchTimeout"/> bounds.</item>
/// <item>A renewal that fails while the cached value is still valid keeps it (and tells the observers). A value is never
/// handed out at or after its expiry: with none valid, the answer is <see cref="ResolutionOutcome.Unavailable"/> with
/// the source's reason, never Anonymous and never another entry's credential. No source registered for the entry's
/// kind is Unavailable too, saying so.</item>
/// </list>
/// <para>Fetched secrets stay in memory: never in the store, a log, an exception or an observer's event. The clock is
/// the <see cref="System.TimeProvider"/> given. Thread-safe.</para>
/// </remarks>
public sealed class CredentialSources
{
    private readonly Dictionary<CredentialSourceKind, ICredentialSource> _sources = [];
    private readonly CredentialSourceOptions _options;
    private readonly ICredentialSourceObserver[] _observers;
    private readonly Diagnostics.RegistriesTelemetry _telemetry;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, EntryCache> _entries = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>Initializes the sources and their cache.</summary>
    /// <param name="sources">The sources, at most one per kind and none of kind <see cref="CredentialSourceKind.Stored"/>;
    /// none when <see langword="null"/> (every fetched entry then answers Unavailable).</param>
    /// <param name="options">The cache's options; the defaults when <see langword="null"/>. Read once, here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="observers">Told of every fetch, renewal, failure and refresh, without a secret.</param>
    /// <param name="telemetry">Where fetches, renewals and failures are counted and traced (a <c>registries.source.fetch</c>
    /// span under the resolution that started the fetch); a process-wide instance when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">Two sources serve one kind, a source serves Stored or an unknown kind, or the
    /// options are not valid (the message says which and how to fix them).</exception>
    public CredentialSources(IEnumerable<ICredentialSource>? sources = null, CredentialSourceOptions? options = null, TimeProvider? timeProvider = null, IEnumerable<ICredentialSourceObserver>? observers = null, Diagnostics.RegistriesTelemetry? telemetry = null)
    {
        _telemetry = telemetry ?? Diagnostics.RegistriesTelemetry.Default;
        var given = options ?? new CredentialSourceOptions();
        given.ThrowIfInvalid();
        _options = new CredentialSourceOptions
        {
            MaximumCacheDuration = given.MaximumCacheDuration,
            RenewAheadFraction = given.RenewAheadFraction,
            RenewAheadMinimum = given.RenewAheadMinimum,
            FetchTimeout = given.FetchTimeout,
            MaximumCachedValues = given.MaximumCachedValues,
        };
        TimeProvider = timeProvider ?? TimeProvider.System;
        _observers = observers?.ToArray() ?? [];
        foreach (var source in sources ?? [])
        {
            ArgumentNullException.ThrowIfNull(source, nameof(sources));
            var kind = source.Kind;
            if (kind == CredentialSourceKind.Stored || !Enum.IsDefined(kind))
            {
                throw new ArgumentException($"{source.GetType().Name} serves {kind}, which is not a fetched kind: a source serves credential helpers, kubelet plugins or identity tokens.", nameof(sources));
            }

            if (!_sources.TryAdd(kind, source))
            {
                throw new ArgumentException($"Two sources serve {CredentialSource.NameOf(kind)} entries ({_sources[kind].GetType().Name} and {source.GetType().Name}): register one per kind.", nameof(sources));
            }
        }
    }

    /// <summary>Gets the clock the cache judges expiries by (and the resolution paths judge stored expiries by).</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the kinds a source is registered for.</summary>
    public IReadOnlyCollection<CredentialSourceKind> Kinds => _sources.Keys;

    /// <summary>Gets how many fetched credentials are cached now (expired ones included until they are dropped).</summary>
    public int CachedCount
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Drops every cached credential of an entry now: the next resolution fetches a new one (what
    /// <see cref="RegistryService.RefreshRegistryAsync"/> does after checking the caller's permission).</summary>
    /// <param name="registryId">The entry.</param>
    /// <returns><see langword="true"/> when something was cached for the entry.</returns>
    /// <remarks>A fetch already under way completes for the resolutions that wait for it, but what it gives is not cached.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="registryId"/> is <see langword="null"/>.</exception>
    public bool Invalidate(string registryId)
    {
        ArgumentNullException.ThrowIfNull(registryId);
        EntryCache? dropped;
        lock (_gate)
        {
            if (_entries.Remove(registryId, out dropped))
            {
                _count -= dropped.Values.Count;
            }
        }

        if (dropped is null)
        {
            return false;
        }

        Tell(new CredentialSourceEvent(CredentialSourceEventKind.Invalidated, dropped.Registry, null, null, TimeSpan.Zero, null));
        return dropped.Values.Count > 0;
    }

    /// <summary>Tells until when a credential of the entry's source is cached for an image or (image <see langword="null"/>)
    /// a registry address, without fetching.</summary>
    /// <param name="registry">The entry.</param>
    /// <param name="image">The image, or <see langword="null"/>.</param>
    /// <param name="address">The address (the image's when an image is given).</param>
    /// <returns>The expiry of the valid cached value, or <see langword="null"/> when none is cached.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="registry"/> or <paramref name="address"/> is <see langword="null"/>.</exception>
    public DateTimeOffset? CachedUntil(Registry registry, ImageReference? image, RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(address);
        var now = TimeProvider.GetUtcNow();
        lock (_gate)
        {
            return _entries.TryGetValue(registry.Id, out var entry) && entry.Registry.Version == registry.Version
                ? entry.Find(image, address, now)?.ExpiresAt
                : null;
        }
    }

    // The resolution paths' one way to answer: the pure answer of the deciding entry, completed by a fetch (or the cache)
    // when it is Active and its credential comes from a source. Stored expiries are judged by this clock too.
    // A stored credential (the common case) is answered without an async state machine.
    internal ValueTask<CredentialResolution> ResolveAsync(ImageReference? image, RegistryAddress address, StoredRegistry? deciding, CancellationToken cancellationToken)
        => CredentialResolver.NeedsFetch(deciding)
            ? FetchedAsync(image, address, deciding!, cancellationToken)
            : new(CredentialResolver.Answer(image, address, deciding, TimeProvider.GetUtcNow()));

    private async ValueTask<CredentialResolution> FetchedAsync(ImageReference? image, RegistryAddress address, StoredRegistry deciding, CancellationToken cancellationToken)
    {
        var registry = deciding.Registry;
        if (!_sources.TryGetValue(registry.Source.Kind, out var source))
        {
            return CredentialResolution.Unavailable(image, address, registry,
                $"Registry {registry.Scope} ({registry.Id}) takes its credential from {registry.Source}, but no {registry.Source.KindName} source is configured in this application: the operator enables {registry.Source.KindName} sources, or edit the entry to another credential.");
        }

        var now = TimeProvider.GetUtcNow();
        Cached? current;
        TaskCompletionSource<FetchOutcome>? started = null;
        Task<FetchOutcome> flight;
        EntryCache entry;
        var flightKey = FlightKey(image, address);
        lock (_gate)
        {
            entry = EntryFor(registry);
            current = entry.Find(image, address, now);
            if (current is not null && now < current.RenewAt)
            {
                return Authenticated(image, address, registry, current);
            }

            if (entry.Flights.TryGetValue(flightKey, out var running))
            {
                flight = running.Task;
            }
            else
            {
                started = new TaskCompletionSource<FetchOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
                entry.Flights.Add(flightKey, started);
                flight = started.Task;
            }
        }

        if (started is not null)
        {
            // Not awaited here: the fetch belongs to every waiter, so this caller's cancellation only ends its own wait.
            _ = FetchAsync(source, new CredentialSourceRequest(registry, address, image, deciding.Password), entry, flightKey, current, started);
        }

        var outcome = await flight.WaitAsync(cancellationToken).ConfigureAwait(false);
        now = TimeProvider.GetUtcNow();
        if (outcome.Value is { } fresh && now < fresh.ExpiresAt)
        {
            return Authenticated(image, address, registry, fresh);
        }

        if (current is not null && now < current.ExpiresAt)
        {
            return Authenticated(image, address, registry, current);
        }

        return CredentialResolution.Unavailable(image, address, registry, outcome.Reason
            ?? $"The credential {registry.Source} gave for {address} (registry {registry.Id}) expired before it could be used: resolve again.");
    }

    // The fetch shared by every waiter of one flight. Never throws: a failure is an outcome with a reason.
    private async Task FetchAsync(ICredentialSource source, CredentialSourceRequest request, EntryCache entry, string flightKey, Cached? previous, TaskCompletionSource<FetchOutcome> flight)
    {
        var registry = request.Registry;
        var startedAt = TimeProvider.GetTimestamp();
        FetchOutcome outcome;
        using var span = _telemetry.BeginSourceFetch(Diagnostics.CredentialSourceKinds.Name(source.Kind), renewal: previous is not null);
        using (var timeout = new CancellationTokenSource(_options.FetchTimeout, TimeProvider))
        {
            try
            {
                var credential = await source.FetchAsync(request, timeout.Token).ConfigureAwait(false);
                outcome = credential is null
                    ? FetchOutcome.Failed($"{Describe(registry.Source)} has no credential for {request.Address} (registry {registry.Id}): store one there, or edit the entry to another credential.")
                    : Accept(registry, credential);
                if (outcome.Value is not null)
                {
                    span.Complete();
                }
                else
                {
                    span.FailWith(credential is null ? "no_credential" : "expired");
                }
            }
            catch (CredentialSourceException ex)
            {
                span.Fail(ex, "source_failed");
                outcome = FetchOutcome.Failed(ex.Message);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                span.FailWith("timeout");
                outcome = FetchOutcome.Failed($"{Describe(registry.Source)} did not answer within {_options.FetchTimeout.TotalSeconds:0.###} s for {request.Address} (registry {registry.Id}): check that it works on this host, or raise CredentialSourceOptions.FetchTimeout.");
            }
#pragma warning disable CA1031 // A source that breaks its contract must not fail the resolution path: its waiters get Unavailable.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // The type only: an unexpected exception's message could hold what the source read.
                span.FailWith("unexpected");
                outcome = FetchOutcome.Failed($"{Describe(registry.Source)} failed unexpectedly ({ex.GetType().Name}) for {request.Address} (registry {registry.Id}): see the source's own logs.");
            }
        }

        var duration = TimeProvider.GetElapsedTime(startedAt);
        var now = TimeProvider.GetUtcNow();
        lock (_gate)
        {
            if (entry.Flights.TryGetValue(flightKey, out var registered) && ReferenceEquals(registered, flight))
            {
                entry.Flights.Remove(flightKey);
            }

            // Cached only while the entry is still the one asked for: a refresh or a newer version in between drops it.
            if (outcome.Value is { } value && _entries.TryGetValue(registry.Id, out var currentEntry) && ReferenceEquals(currentEntry, entry))
            {
                Store(entry, value, request, now);
            }
        }

        var previousValid = previous is not null && now < previous.ExpiresAt;
        Tell(new CredentialSourceEvent(
            outcome.Value is not null ? (previous is null ? CredentialSourceEventKind.Fetched : CredentialSourceEventKind.Renewed)
                : previousValid ? CredentialSourceEventKind.RenewalFailed : CredentialSourceEventKind.Failed,
            registry,
            request.Address,
            outcome.Value?.ExpiresAt ?? (previousValid ? previous!.ExpiresAt : null),
            duration,
            outcome.Reason));
        flight.SetResult(outcome);
    }

    // What a source gave, with its expiry capped by the maximum; one that has already expired is refused.
    private FetchOutcome Accept(Registry registry, SourcedCredential credential)
    {
        var now = TimeProvider.GetUtcNow();
        var longest = now + _options.MaximumCacheDuration;
        var expiresAt = credential.ExpiresAt is { } at && at < longest ? at : longest;
        if (expiresAt <= now)
        {
            return FetchOutcome.Failed($"{Describe(registry.Source)} gave a credential for registry {registry.Id} that had already expired ({CredentialResolver.Iso(expiresAt)}): check the clock of this host and the source's.");
        }

        var capped = expiresAt == credential.ExpiresAt ? credential : new SourcedCredential(credential.Username, credential.Secret, credential.SecretKind, expiresAt, credential.CacheScope);
        return FetchOutcome.Succeeded(new Cached(capped, expiresAt, _options.RenewAt(now, expiresAt)));
    }

    // Under the gate: the cache of the entry's current version; a new version (an edit, a state change) starts empty.
    // A resolution that read an older version than the one cached works on a cache of its own that is never stored.
    private EntryCache EntryFor(Registry registry)
    {
        if (_entries.TryGetValue(registry.Id, out var entry))
        {
            if (entry.Registry.Version == registry.Version)
            {
                return entry;
            }

            if (entry.Registry.Version > registry.Version)
            {
                return new EntryCache(registry);
            }

            _count -= entry.Values.Count;
        }

        entry = new EntryCache(registry);
        _entries[registry.Id] = entry;
        return entry;
    }

    // Under the gate: keeps a value under the key its scope says, within the cap (expired values go first, then the
    // ones that expire soonest).
    private void Store(EntryCache entry, Cached value, CredentialSourceRequest request, DateTimeOffset now)
    {
        var key = ValueKey(value.Credential.CacheScope, request.Image, request.Address);
        if (!entry.Values.ContainsKey(key))
        {
            if (_count >= _options.MaximumCachedValues)
            {
                MakeRoom(now);
            }

            _count++;
        }

        entry.Values[key] = value;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var cache in _entries.Values)
        {
            foreach (var (key, value) in cache.Values.ToArray())
            {
                if (value.ExpiresAt <= now)
                {
                    cache.Values.Remove(key);
                    _count--;
                }
            }
        }

        while (_count >= _options.MaximumCachedValues)
        {
            (EntryCache Cache, string Key, DateTimeOffset ExpiresAt)? soonest = null;
            foreach (var cache in _entries.Values)
            {
                foreach (var (key, value) in cache.Values)
                {
                    if (soonest is null || value.ExpiresAt < soonest.Value.ExpiresAt)
                    {
                        soonest = (cache, key, value.ExpiresAt);
                    }
                }
            }

            if (soonest is null)
            {
                return;
            }

            soonest.Value.Cache.Values.Remove(soonest.Value.Key);
            _count--;
        }
    }

    private void Tell(CredentialSourceEvent sourceEvent)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnCredentialSourceEvent(sourceEvent);
            }
#pragma warning disable CA1031 // Best effort: an observer never changes a resolution's answer.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    private static CredentialResolution Authenticated(ImageReference? image, RegistryAddress address, Registry registry, Cached value)
        => CredentialResolution.Authenticated(image, address, registry, value.Credential);

    private static string Describe(CredentialSource source) => source.Kind switch
    {
        CredentialSourceKind.CredentialHelper => $"The credential helper '{source.Name}'",
        CredentialSourceKind.KubeletPlugin => $"The kubelet plugin '{source.Name}'",
        _ => "The identity-token exchange",
    };

    // One fetch at a time per image repository (or per address when a whole address is resolved): what it gives is then
    // kept under the key of the scope it says.
    private static string FlightKey(ImageReference? image, RegistryAddress address)
        => image is null ? "a:" + address : "i:" + address + "/" + image.Repository;

    private static string ValueKey(CredentialCacheScope scope, ImageReference? image, RegistryAddress address) => scope switch
    {
        CredentialCacheScope.Entry => string.Empty,
        CredentialCacheScope.Registry => "a:" + address,
        _ => image is null ? "n:" + address : "i:" + address + "/" + image.Repository,
    };

    private sealed class EntryCache(Registry registry)
    {
        public Registry Registry { get; } = registry;

        public Dictionary<string, Cached> Values { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, TaskCompletionSource<FetchOutcome>> Flights { get; } = new(StringComparer.Ordinal);

        // The valid value that covers the image or address, the widest scope first; null when none is valid at 'now'.
        public Cached? Find(ImageReference? image, RegistryAddress address, DateTimeOffset now)
        {
            if (Values.Count == 0)
            {
                return null;
            }

            foreach (var key in (ReadOnlySpan<string>)[string.Empty, "a:" + address, image is null ? "n:" + address : "i:" + address + "/" + image.Repository])
            {
                if (Values.TryGetValue(key, out var value) && now < value.ExpiresAt)
                {
                    return value;
                }
            }

            return null;
        }
    }

    private sealed class Cached(SourcedCredential credential, DateTimeOffset expiresAt, DateTimeOffset renewAt)
    {
        public SourcedCredential Credential { get; } = credential;

        public DateTimeOffset ExpiresAt { get; } = expiresAt;

        public DateTimeOffset RenewAt { get; } = renewAt;
    }

    private sealed class FetchOutcome
    {
        private FetchOutcome(Cached? value, string? reason)
        {
            Value = value;
            Reason = reason;
        }

        public Cached? Value { get; }

        public string? Reason { get; }

        public static FetchOutcome Succeeded(Cached value) => new(value, null);

        public static FetchOutcome Failed(string reason) => new(null, reason);
    }
}
