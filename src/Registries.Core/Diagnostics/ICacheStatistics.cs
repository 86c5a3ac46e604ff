namespace Registries.Core.Diagnostics;

/// <summary>What a resolution cache reports to <see cref="RegistriesTelemetry"/>: cumulative counts and whether it is
/// trusted now. Read from a metrics collection thread: every member must be cheap and thread-safe.</summary>
internal interface ICacheStatistics
{
    long Hits { get; }

    long Misses { get; }

    long EnvironmentFlushes { get; }

    long FullFlushes { get; }

    bool IsTrusted { get; }
}
