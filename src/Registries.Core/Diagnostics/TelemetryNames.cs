namespace Registries.Core.Diagnostics;

// The names of the instruments, spans, tags and tag values: public API (docs/operating.md lists them, and an approval
// test in Registries.Architecture.Tests holds them). Every tag value is one of a few constants: never an id, a name,
// an address or a secret.
internal static class TelemetryNames
{
    public const string Resolutions = "registries.resolutions";
    public const string ResolutionDuration = "registries.resolution.duration";
    public const string StoreOperationDuration = "registries.store.operation.duration";
    public const string CacheHits = "registries.cache.hits";
    public const string CacheMisses = "registries.cache.misses";
    public const string CacheFlushes = "registries.cache.flushes";
    public const string CacheTrusted = "registries.cache.trusted";
    public const string SourceFetches = "registries.source.fetches";
    public const string SourceRenewals = "registries.source.renewals";
    public const string SourceFailures = "registries.source.failures";
    public const string Pulls = "registries.pulls";
    public const string PullDuration = "registries.pull.duration";
    public const string ObserverFailures = "registries.observer.failures";

    public const string ResolveSpan = "registries.resolve";
    public const string StoreReadSpan = "registries.store.read";
    public const string SourceFetchSpan = "registries.source.fetch";
    public const string EnsureImageSpan = "registries.ensure_image";
    public const string PullSpan = "registries.pull";

    public const string OutcomeTag = "registries.resolution.outcome";
    public const string PathTag = "registries.resolution.path";
    public const string SourceKindTag = "registries.source.kind";
    public const string DeniedReasonTag = "registries.denied.reason";
    public const string StoreOperationTag = "registries.store.operation";
    public const string FlushScopeTag = "registries.cache.flush.scope";
    public const string PullOutcomeTag = "registries.pull.outcome";
    public const string PullOriginTag = "registries.pull.origin";
    public const string ObserverKindTag = "registries.observer.kind";
    public const string ErrorTypeTag = "error.type";

    public const string PathLaunch = "launch";
    public const string PathCaller = "caller";
    public const string DeniedByState = "state";
    public const string DeniedExpired = "expired";
    public const string DeniedByPolicy = "policy";
    public const string ReadResolution = "read_resolution";
    public const string FlushEnvironment = "environment";
    public const string FlushAll = "all";
    public const string PullPulled = "pulled";
    public const string PullPresent = "present";
    public const string PullDenied = "denied";
    public const string PullUnavailable = "unavailable";
    public const string PullFailed = "failed";
    public const string OriginUpstream = "upstream";
    public const string OriginMirror = "mirror";
    public const string ObserverRegistryEvent = "registry_event";
    public const string ObserverResolution = "resolution";

    /// <summary>One line per instrument and span: its kind, name, unit and the tags it may carry (the approval file).</summary>
    public static IReadOnlyList<(string Kind, string Name, string Unit, string[] Tags)> Catalog { get; } =
    [
        ("counter", Resolutions, "{resolution}", [OutcomeTag, PathTag, SourceKindTag, DeniedReasonTag]),
        ("histogram", ResolutionDuration, "s", [OutcomeTag, PathTag, ErrorTypeTag]),
        ("histogram", StoreOperationDuration, "s", [StoreOperationTag, ErrorTypeTag]),
        ("observable counter", CacheHits, "{lookup}", []),
        ("observable counter", CacheMisses, "{lookup}", []),
        ("observable counter", CacheFlushes, "{flush}", [FlushScopeTag]),
        ("observable gauge", CacheTrusted, "1", []),
        ("counter", SourceFetches, "{fetch}", [SourceKindTag]),
        ("counter", SourceRenewals, "{renewal}", [SourceKindTag]),
        ("counter", SourceFailures, "{failure}", [SourceKindTag, ErrorTypeTag]),
        ("counter", Pulls, "{pull}", [PullOutcomeTag, PullOriginTag, ErrorTypeTag]),
        ("histogram", PullDuration, "s", [PullOutcomeTag, PullOriginTag, ErrorTypeTag]),
        ("counter", ObserverFailures, "{failure}", [ObserverKindTag]),
        ("span", ResolveSpan, string.Empty, [OutcomeTag, PathTag, SourceKindTag, DeniedReasonTag, ErrorTypeTag]),
        ("span", StoreReadSpan, string.Empty, [StoreOperationTag, ErrorTypeTag]),
        ("span", SourceFetchSpan, string.Empty, [SourceKindTag, ErrorTypeTag]),
        ("span", EnsureImageSpan, string.Empty, [PullOutcomeTag, ErrorTypeTag]),
        ("span", PullSpan, string.Empty, [PullOutcomeTag, PullOriginTag, ErrorTypeTag]),
    ];
}
