using System.Diagnostics;
using System.Diagnostics.Metrics;
using static Registries.Core.Diagnostics.TelemetryNames;

namespace Registries.Core.Diagnostics;

/// <summary>The library's metrics and traces: one <see cref="Meter"/> and one <see cref="ActivitySource"/>, both named
/// <see cref="Name"/>, in OpenTelemetry's terms.</summary>
/// <remarks>
/// <para>An application collects them with any listener of <c>System.Diagnostics</c>; with OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter("Registries.Core"))</c> and <c>.WithTracing(t =&gt; t.AddSource("Registries.Core"))</c>.
/// The library depends on no exporter.</para>
/// <para>With dependency injection, <c>AddRegistries()</c> registers one instance whose meter comes from the
/// application's <see cref="IMeterFactory"/> (when it has one, as every ASP.NET Core and generic host app does). Code that
/// builds the services itself may pass an instance, or none: they then share one process-wide meter.</para>
/// <para>The instruments, their units and tags and the span names are listed in the guide (docs/operating.md) and
/// are public API. Every tag value is one of a few documented constants: never an id, a name, an address, a user or a
/// secret. Thread-safe.</para>
/// </remarks>
public sealed class RegistriesTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source: <c>Registries.Core</c>.</summary>
    public const string Name = "Registries.Core";

    private static readonly string? Version = typeof(RegistriesTelemetry).Assembly.GetName().Version?.ToString();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _resolutions;
    private readonly Histogram<double> _resolutionDuration;
    private readonly Histogram<double> _storeDuration;
    private readonly Counter<long> _sourceFetches;
    private readonly Counter<long> _sourceRenewals;
    private readonly Counter<long> _sourceFailures;
    private readonly Counter<long> _pulls;
    private readonly Histogram<double> _pullDuration;
    private readonly Counter<long> _observerFailures;
    private readonly object _cachesGate = new();
    private ICacheStatistics[] _caches = [];

    /// <summary>Initializes the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of their own
    /// when it is <see langword="null"/>.</summary>
    /// <param name="meterFactory">The application's meter factory (it owns the meter), or <see langword="null"/>.</param>
    public RegistriesTelemetry(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(new MeterOptions(Name) { Version = Version }) ?? new Meter(Name, Version);
        _ownsMeter = meterFactory is null;
        _resolutions = _meter.CreateCounter<long>(Resolutions, "{resolution}", "Resolutions answered, by outcome, path and the kind of credential that decided.");
        _resolutionDuration = _meter.CreateHistogram<double>(ResolutionDuration, "s", "How long resolutions took, store read included.");
        _storeDuration = _meter.CreateHistogram<double>(StoreOperationDuration, "s", "How long the store took to answer the reads of the resolution path.");
        _meter.CreateObservableCounter(CacheHits, () => ObserveCaches(static c => c.Hits), "{lookup}", "Lookups of the PostgreSQL resolution cache answered from memory.");
        _meter.CreateObservableCounter(CacheMisses, () => ObserveCaches(static c => c.Misses), "{lookup}", "Lookups of the PostgreSQL resolution cache that read the database.");
        _meter.CreateObservableCounter(CacheFlushes, ObserveFlushes, "{flush}", "What the PostgreSQL resolution cache forgot: one environment, or everything.");
        _meter.CreateObservableGauge(CacheTrusted, ObserveTrust, "1", "1 while every PostgreSQL resolution cache of the process answers from memory, 0 while one reads the database.");
        _sourceFetches = _meter.CreateCounter<long>(SourceFetches, "{fetch}", "Credentials fetched from a credential source (a helper, a plugin, a token endpoint).");
        _sourceRenewals = _meter.CreateCounter<long>(SourceRenewals, "{renewal}", "Credentials of a source renewed ahead of their expiry.");
        _sourceFailures = _meter.CreateCounter<long>(SourceFailures, "{failure}", "Fetches or renewals of a credential source that failed.");
        _pulls = _meter.CreateCounter<long>(Pulls, "{pull}", "Images made present for a launch: pulled, already present, denied, unavailable or failed.");
        _pullDuration = _meter.CreateHistogram<double>(PullDuration, "s", "How long making an image present took, resolution and pull included.");
        _observerFailures = _meter.CreateCounter<long>(ObserverFailures, "{failure}", "Exceptions thrown by registry-event or resolution observers (the operation went ahead).");
    }

    /// <summary>Gets the process-wide instance used by services built without one.</summary>
    internal static RegistriesTelemetry Default { get; } = new();

    /// <summary>Gets the activity source of the library's spans.</summary>
    internal static ActivitySource Source { get; } = new(Name, Version);

    /// <summary>Disposes the meter when this instance created it (not one from an <see cref="IMeterFactory"/>).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>Begins a resolution: its span (a child of the current activity, such as an HTTP request's) and its clock.</summary>
    internal ResolutionScope BeginResolution(string path)
        => new(this, Source.StartActivity(ResolveSpan, ActivityKind.Internal), path, Stopwatch.GetTimestamp());

    /// <summary>Begins a read of the store for a resolution.</summary>
    internal OperationScope BeginStoreRead(string operation)
    {
        var activity = Source.StartActivity(StoreReadSpan, ActivityKind.Internal);
        activity?.SetTag(StoreOperationTag, operation);
        return new(this, activity, operation, Stopwatch.GetTimestamp());
    }

    /// <summary>Begins a fetch (or a renewal) from a credential source; <see cref="OperationScope.Complete"/> counts it.</summary>
    internal SourceScope BeginSourceFetch(string sourceKind, bool renewal)
    {
        var activity = Source.StartActivity(SourceFetchSpan, ActivityKind.Client);
        activity?.SetTag(SourceKindTag, sourceKind);
        return new(this, activity, sourceKind, renewal);
    }

    /// <summary>Begins making an image present for a launch.</summary>
    internal PullScope BeginEnsureImage()
        => new(this, Source.StartActivity(EnsureImageSpan, ActivityKind.Internal), Stopwatch.GetTimestamp());

    /// <summary>Starts the span of the engine's pull (a child of the ensure-image span).</summary>
    internal static Activity? StartPull(string origin)
    {
        var activity = Source.StartActivity(PullSpan, ActivityKind.Client);
        activity?.SetTag(PullOriginTag, origin);
        return activity;
    }

    /// <summary>Counts a fetch from a credential source.</summary>
    internal void RecordSourceFetch(string sourceKind)
        => _sourceFetches.Add(1, new KeyValuePair<string, object?>(SourceKindTag, sourceKind));

    /// <summary>Counts a renewal of a credential source's credential.</summary>
    internal void RecordSourceRenewal(string sourceKind)
        => _sourceRenewals.Add(1, new KeyValuePair<string, object?>(SourceKindTag, sourceKind));

    /// <summary>Counts a failure of a credential source; <paramref name="errorType"/> is one of a few documented constants.</summary>
    internal void RecordSourceFailure(string sourceKind, string errorType)
        => _sourceFailures.Add(1, new KeyValuePair<string, object?>(SourceKindTag, sourceKind), new KeyValuePair<string, object?>(ErrorTypeTag, errorType));

    /// <summary>Counts an observer that threw.</summary>
    internal void RecordObserverFailure(string observerKind)
        => _observerFailures.Add(1, new KeyValuePair<string, object?>(ObserverKindTag, observerKind));

    /// <summary>Reports a PostgreSQL resolution cache's statistics until the returned registration is disposed.</summary>
    internal IDisposable ObserveCache(ICacheStatistics cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        lock (_cachesGate)
        {
            _caches = [.. _caches, cache];
        }

        return new CacheRegistration(this, cache);
    }

    /// <summary>The tag value of an outcome: its name in lower case (<c>authenticated</c>, <c>anonymous</c>, <c>denied</c>,
    /// <c>unavailable</c>).</summary>
    internal static string OutcomeName(ResolutionOutcome outcome) => outcome switch
    {
        ResolutionOutcome.Authenticated => "authenticated",
        ResolutionOutcome.Anonymous => "anonymous",
        ResolutionOutcome.Denied => "denied",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    /// <summary>The <c>error.type</c> of an exception: its full type name, which our documented exceptions bound.</summary>
    internal static string ErrorType(Exception exception) => exception.GetType().FullName ?? exception.GetType().Name;

    // Status and an exception event with the type and message only: the library's messages never hold a secret, and a
    // stack trace adds nothing an operator needs on a span.
    internal static void RecordError(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        var type = ErrorType(exception);
        activity.SetTag(ErrorTypeTag, type);
        activity.SetStatus(ActivityStatusCode.Error, type);
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = type,
            ["exception.message"] = exception.Message,
        }));
    }

    private static double Seconds(long started) => Stopwatch.GetElapsedTime(started).TotalSeconds;

    private void Resolved(Activity? activity, string path, long started, CredentialResolution resolution)
    {
        var outcome = OutcomeName(resolution.Outcome);
        var source = CredentialSourceKinds.Of(resolution);
        var denied = resolution.Outcome == ResolutionOutcome.Denied ? DeniedReason(resolution) : null;
        if (activity is not null)
        {
            activity.SetTag(OutcomeTag, outcome);
            activity.SetTag(PathTag, path);
            activity.SetTag(SourceKindTag, source);
            activity.SetTag(DeniedReasonTag, denied);
        }

        if (_resolutions.Enabled)
        {
            var tags = new TagList { { OutcomeTag, outcome }, { PathTag, path } };
            if (source is not null)
            {
                tags.Add(SourceKindTag, source);
            }

            if (denied is not null)
            {
                tags.Add(DeniedReasonTag, denied);
            }

            _resolutions.Add(1, tags);
        }

        if (_resolutionDuration.Enabled)
        {
            _resolutionDuration.Record(Seconds(started), new TagList { { OutcomeTag, outcome }, { PathTag, path } });
        }
    }

    private void ResolutionFailed(Activity? activity, string path, long started, Exception exception)
    {
        RecordError(activity, exception);
        if (_resolutionDuration.Enabled)
        {
            _resolutionDuration.Record(Seconds(started), new TagList { { PathTag, path }, { ErrorTypeTag, ErrorType(exception) } });
        }
    }

    // Denied by the environment (its policy, or mirror-only mirrors that cannot name the image: no entry matched), by
    // the state of the effective entry (Inactive), or because its stored credential expired.
    private static string DeniedReason(CredentialResolution resolution)
        => resolution.MatchedRegistry switch
        {
            null => DeniedByPolicy,
            { State: RegistryState.Active } => DeniedExpired,
            _ => DeniedByState,
        };

    private void StoreDone(string operation, long started, Exception? exception)
    {
        if (_storeDuration.Enabled)
        {
            var tags = new TagList { { StoreOperationTag, operation } };
            if (exception is not null)
            {
                tags.Add(ErrorTypeTag, ErrorType(exception));
            }

            _storeDuration.Record(Seconds(started), tags);
        }
    }

    private void PullDone(string outcome, string? origin, string? errorType, long started)
    {
        if (!_pulls.Enabled && !_pullDuration.Enabled)
        {
            return;
        }

        var tags = new TagList { { PullOutcomeTag, outcome } };
        if (origin is not null)
        {
            tags.Add(PullOriginTag, origin);
        }

        if (errorType is not null)
        {
            tags.Add(ErrorTypeTag, errorType);
        }

        _pulls.Add(1, tags);
        _pullDuration.Record(Seconds(started), tags);
    }

    private IEnumerable<Measurement<long>> ObserveCaches(Func<ICacheStatistics, long> read)
    {
        var caches = Volatile.Read(ref _caches);
        if (caches.Length == 0)
        {
            return [];
        }

        long total = 0;
        foreach (var cache in caches)
        {
            total += read(cache);
        }

        return [new Measurement<long>(total)];
    }

    private IEnumerable<Measurement<long>> ObserveFlushes()
    {
        var caches = Volatile.Read(ref _caches);
        if (caches.Length == 0)
        {
            return [];
        }

        long environment = 0, all = 0;
        foreach (var cache in caches)
        {
            environment += cache.EnvironmentFlushes;
            all += cache.FullFlushes;
        }

        return
        [
            new Measurement<long>(environment, new KeyValuePair<string, object?>(FlushScopeTag, FlushEnvironment)),
            new Measurement<long>(all, new KeyValuePair<string, object?>(FlushScopeTag, FlushAll)),
        ];
    }

    private IEnumerable<Measurement<int>> ObserveTrust()
    {
        var caches = Volatile.Read(ref _caches);
        return caches.Length == 0 ? [] : [new Measurement<int>(caches.All(static c => c.IsTrusted) ? 1 : 0)];
    }

    private void Unobserve(ICacheStatistics cache)
    {
        lock (_cachesGate)
        {
            _caches = [.. _caches.Where(c => !ReferenceEquals(c, cache))];
        }
    }

    /// <summary>A resolution in progress: <see cref="Complete"/> with its answer, or <see cref="Fail"/> in an exception filter.</summary>
    internal readonly struct ResolutionScope(RegistriesTelemetry telemetry, Activity? activity, string path, long started) : IDisposable
    {
        public CredentialResolution Complete(CredentialResolution resolution)
        {
            telemetry.Resolved(activity, path, started, resolution);
            return resolution;
        }

        /// <summary>Records the failure; returns false, so that <c>catch (Exception e) when (scope.Fail(e))</c> never catches.</summary>
        public bool Fail(Exception exception)
        {
            telemetry.ResolutionFailed(activity, path, started, exception);
            return false;
        }

        public void Dispose() => activity?.Dispose();
    }

    /// <summary>A store operation in progress.</summary>
    internal readonly struct OperationScope(RegistriesTelemetry telemetry, Activity? activity, string operation, long started) : IDisposable
    {
        public void Complete() => telemetry.StoreDone(operation, started, null);

        public bool Fail(Exception exception)
        {
            RecordError(activity, exception);
            telemetry.StoreDone(operation, started, exception);
            return false;
        }

        public void Dispose() => activity?.Dispose();
    }

    /// <summary>A fetch or renewal from a credential source in progress.</summary>
    internal readonly struct SourceScope(RegistriesTelemetry telemetry, Activity? activity, string sourceKind, bool renewal) : IDisposable
    {
        public void Complete()
        {
            if (renewal)
            {
                telemetry.RecordSourceRenewal(sourceKind);
            }
            else
            {
                telemetry.RecordSourceFetch(sourceKind);
            }
        }

        /// <summary>Records the failure with a bounded <paramref name="errorType"/> (the exception's type when null).</summary>
        public bool Fail(Exception exception, string? errorType = null)
        {
            RecordError(activity, exception);
            telemetry.RecordSourceFailure(sourceKind, errorType ?? ErrorType(exception));
            return false;
        }

        /// <summary>Records a failure that is an answer rather than an exception (a source with no credential, a value
        /// already expired), with a bounded <paramref name="errorType"/>.</summary>
        public void FailWith(string errorType)
        {
            activity?.SetStatus(ActivityStatusCode.Error, errorType);
            telemetry.RecordSourceFailure(sourceKind, errorType);
        }

        public void Dispose() => activity?.Dispose();
    }

    /// <summary>Making an image present, in progress: ends with exactly one outcome.</summary>
    internal readonly struct PullScope(RegistriesTelemetry telemetry, Activity? activity, long started) : IDisposable
    {
        public void Complete(string outcome, string? origin)
        {
            activity?.SetTag(PullOutcomeTag, outcome);
            telemetry.PullDone(outcome, origin, null, started);
        }

        public bool Fail(Exception exception, string outcome, string? origin, string errorType)
        {
            RecordError(activity, exception);
            activity?.SetTag(PullOutcomeTag, outcome);
            activity?.SetTag(ErrorTypeTag, errorType);
            telemetry.PullDone(outcome, origin, errorType, started);
            return false;
        }

        public void Dispose() => activity?.Dispose();
    }

    private sealed class CacheRegistration(RegistriesTelemetry telemetry, ICacheStatistics cache) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                telemetry.Unobserve(cache);
            }
        }
    }
}
