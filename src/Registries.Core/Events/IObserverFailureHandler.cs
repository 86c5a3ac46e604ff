namespace Registries.Core.Events;

/// <summary>Receives the failures of observers, so that they are seen (logged) without failing what already happened.</summary>
/// <remarks>
/// <para>Observers run after the store committed the change (or after the resolution was made). An observer that
/// throws cannot undo that: if its exception reached the caller, a caller who retries would add a second entry. So
/// <see cref="RegistryService"/> and <see cref="LaunchResolver"/> catch every exception an observer throws, hand it
/// here, and go on with the other observers and the answer.</para>
/// <para>The DI package registers one that logs each failure as an error; without DI, pass your own (with none, the
/// failures are dropped). An exception thrown by the handler itself is dropped too.</para>
/// </remarks>
public interface IObserverFailureHandler
{
    /// <summary>Called when an observer threw.</summary>
    /// <param name="failure">The observer, what it was told, and what it threw.</param>
    void OnObserverFailed(ObserverFailure failure);
}
