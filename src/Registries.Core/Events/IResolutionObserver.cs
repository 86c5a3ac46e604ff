namespace Registries.Core.Events;

/// <summary>Observes resolutions, for example to log which image was allowed or denied.</summary>
/// <remarks>Called synchronously on the resolution path: keep it cheap and never throw. The resolution holds the
/// password when Authenticated; an observer must not write it anywhere.</remarks>
public interface IResolutionObserver
{
    /// <summary>Receives one resolution.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="resolution">The result.</param>
    void OnResolved(string environmentId, CredentialResolution resolution);
}
