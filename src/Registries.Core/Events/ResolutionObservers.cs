using Registries.Core.Diagnostics;

namespace Registries.Core.Events;

/// <summary>Tells the resolution observers of each resolution, for the two paths that resolve: a caller's
/// (<see cref="RegistryService"/>) and the platform's at launch (<see cref="LaunchResolver"/>).</summary>
internal sealed class ResolutionObservers
{
    private readonly IResolutionObserver[] _observers;
    private readonly IObserverFailureHandler? _failures;
    private readonly RegistriesTelemetry _telemetry;

    public ResolutionObservers(IEnumerable<IResolutionObserver>? observers, IObserverFailureHandler? failures, RegistriesTelemetry telemetry)
    {
        _observers = observers?.ToArray() ?? [];
        _failures = failures;
        _telemetry = telemetry;
    }

    /// <summary>Tells every observer of <paramref name="resolution"/> (without its password) and returns it unchanged.</summary>
    public CredentialResolution Tell(string environmentId, CredentialResolution resolution)
    {
        if (_observers.Length == 0)
        {
            return resolution;
        }

        var told = new ResolutionEvent(environmentId, resolution);
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnResolved(told);
            }
#pragma warning disable CA1031 // Best effort: the resolution is made; an observer's failure must not change the answer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _telemetry.RecordObserverFailure(TelemetryNames.ObserverResolution);
                ObserverFailures.Report(_failures, new ObserverFailure(observer, told, ex));
            }
        }

        return resolution;
    }
}
