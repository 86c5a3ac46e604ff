using System.Diagnostics;
using System.Diagnostics.Metrics;
using Registries.Core.Diagnostics;

namespace Registries.Testing;

/// <summary>Captures what one test's <see cref="RegistriesTelemetry"/> emits: the measurements of its own meter (from a
/// meter factory of the capture's, so parallel tests never mix) and the library's spans of the capture's own trace
/// (a root activity the capture starts on the test's execution context).</summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly CaptureMeterFactory _factory = new();
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _spans;
    private readonly Activity _root;
    private readonly List<CapturedMeasurement> _measurements = [];
    private readonly List<Activity> _activities = [];

    /// <summary>Starts capturing; the test's code must run after this, on the same execution context.</summary>
    public TelemetryCapture()
    {
        Telemetry = new RegistriesTelemetry(_factory);
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == _factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meters.Start();
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name is RegistriesTelemetry.Name or "Registries.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _root!.TraceId && activity != _root)
                {
                    lock (_activities)
                    {
                        _activities.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_spans);
        _root = RootSource.StartActivity("test root") ?? throw new InvalidOperationException("The capture's root activity was not sampled.");
    }

    /// <summary>Gets the telemetry to give the services under test.</summary>
    public RegistriesTelemetry Telemetry { get; }

    /// <summary>Gets the root activity: the parent of the library's first spans.</summary>
    public Activity Root => _root;

    /// <summary>Gets the measurements so far, in order.</summary>
    public IReadOnlyList<CapturedMeasurement> Measurements
    {
        get
        {
            lock (_measurements)
            {
                return _measurements.ToArray();
            }
        }
    }

    /// <summary>Gets the library's spans of this capture's trace that ended, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_activities)
            {
                return _activities.ToArray();
            }
        }
    }

    private static ActivitySource RootSource { get; } = new("Registries.Tests");

    /// <summary>Gets the measurements of one instrument.</summary>
    public IReadOnlyList<CapturedMeasurement> Of(string instrument) => Measurements.Where(m => m.Instrument == instrument).ToArray();

    /// <summary>The tags the catalog (and docs/operating.md) lists for an instrument or span.</summary>
    public static IReadOnlySet<string> DocumentedTags(string name)
        => TelemetryNames.Catalog.Single(c => c.Name == name).Tags.ToHashSet(StringComparer.Ordinal);

    /// <summary>Fails unless every measurement and span carries only the tags its catalog entry lists, and every value
    /// is one of the bounded values (no id, name, address or secret can pass: only the documented constants do).</summary>
    public void AssertOnlyDocumentedTags()
    {
        foreach (var m in Measurements)
        {
            var allowed = DocumentedTags(m.Instrument);
            Xunit.Assert.All(m.Tags, tag => Xunit.Assert.True(allowed.Contains(tag.Key) && BoundedValue(tag.Key, tag.Value), $"{m.Instrument} carries {tag.Key}={tag.Value}"));
        }

        foreach (var span in Spans)
        {
            var allowed = DocumentedTags(span.OperationName);
            Xunit.Assert.All(span.TagObjects, tag => Xunit.Assert.True(allowed.Contains(tag.Key) && BoundedValue(tag.Key, tag.Value), $"{span.OperationName} carries {tag.Key}={tag.Value}"));
        }
    }

    // The documented values of each tag; error.type is an exception's type name or one of the pull errors.
    private static bool BoundedValue(string key, object? value) => value is string text && key switch
    {
        TelemetryNames.OutcomeTag => text is "authenticated" or "anonymous" or "denied" or "unavailable",
        TelemetryNames.PathTag => text is TelemetryNames.PathLaunch or TelemetryNames.PathCaller,
        TelemetryNames.SourceKindTag => text is "stored" or "credential_helper" or "kubelet_plugin" or "identity_token",
        TelemetryNames.DeniedReasonTag => text is TelemetryNames.DeniedByState or TelemetryNames.DeniedExpired or TelemetryNames.DeniedByPolicy,
        TelemetryNames.StoreOperationTag => text is TelemetryNames.ReadResolution,
        TelemetryNames.FlushScopeTag => text is TelemetryNames.FlushEnvironment or TelemetryNames.FlushAll,
        TelemetryNames.PullOutcomeTag => text is TelemetryNames.PullPulled or TelemetryNames.PullPresent or TelemetryNames.PullDenied or TelemetryNames.PullUnavailable or TelemetryNames.PullFailed,
        TelemetryNames.PullOriginTag => text is TelemetryNames.OriginUpstream or TelemetryNames.OriginMirror,
        TelemetryNames.ObserverKindTag => text is TelemetryNames.ObserverRegistryEvent or TelemetryNames.ObserverResolution,
        TelemetryNames.ErrorTypeTag => System.Text.RegularExpressions.Regex.IsMatch(text, "^[A-Za-z_][A-Za-z0-9_.]*$"),
        _ => false,
    };

    /// <summary>Reads the observable instruments now (the cache's counters and gauge).</summary>
    public void Observe() => _meters.RecordObservableInstruments();

    /// <summary>Every text the capture saw: instrument names, tag keys and values, span names, tags, status and events.</summary>
    public string AllText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var m in Measurements)
        {
            text.Append(m.Instrument).Append(' ').Append(m.Value);
            foreach (var tag in m.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }

            text.Append('\n');
        }

        foreach (var span in Spans)
        {
            text.Append(span.OperationName).Append(' ').Append(span.DisplayName).Append(' ').Append(span.StatusDescription);
            foreach (var tag in span.TagObjects)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }

            foreach (var e in span.Events)
            {
                text.Append(' ').Append(e.Name);
                foreach (var tag in e.Tags)
                {
                    text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
                }
            }

            foreach (var link in span.Baggage)
            {
                text.Append(' ').Append(link.Key).Append('=').Append(link.Value);
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _root.Dispose();
        _spans.Dispose();
        _meters.Dispose();
        Telemetry.Dispose();
        _factory.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        lock (_measurements)
        {
            _measurements.Add(new CapturedMeasurement(instrument.Name, value, copy));
        }
    }

    private sealed class CaptureMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (_created)
            {
                _created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_created)
            {
                _created.ForEach(m => m.Dispose());
            }
        }
    }
}

/// <summary>One measurement: the instrument, the value and the tags exactly as recorded.</summary>
public sealed record CapturedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
