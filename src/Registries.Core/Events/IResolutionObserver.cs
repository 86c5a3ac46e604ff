namespace Registries.Core.Events;

/// <summary>Observes every resolution (for example for audit logs or metrics), without its secret.</summary>
/// <remarks>Called after the answer is known and before it is returned. An observer that throws does not change the
/// answer: the failure goes to the <see cref="IObserverFailureHandler"/>. Implementations must be thread-safe and fast.</remarks>
public interface IResolutionObserver
{
    /// <summary>Called after a resolution.</summary>
    /// <param name="resolution">What was resolved and the outcome; it carries no password.</param>
    void OnResolved(ResolutionEvent resolution);
}
