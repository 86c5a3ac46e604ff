namespace Registries.Core.Events;

internal static class ObserverFailures
{
    // Best effort by design: the operation already happened, so neither the observer's failure nor the handler's
    // may reach the caller.
    public static void Report(IObserverFailureHandler? handler, ObserverFailure failure)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            handler.OnObserverFailed(failure);
        }
#pragma warning disable CA1031 // A handler that fails has nowhere left to report to.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
