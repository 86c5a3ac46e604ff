using Registries.Core.Events;

namespace Registries.Core.Tests.Domain;

/// <summary>Keeps every failure it is handed.</summary>
internal sealed class RecordingFailureHandler : IObserverFailureHandler
{
    private readonly List<ObserverFailure> _failures = [];

    public IReadOnlyList<ObserverFailure> Failures
    {
        get
        {
            lock (_failures)
            {
                return _failures.ToArray();
            }
        }
    }

    public void OnObserverFailed(ObserverFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}

/// <summary>A failure handler that itself fails, after counting the call.</summary>
internal sealed class ThrowingFailureHandler : IObserverFailureHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    public void OnObserverFailed(ObserverFailure failure)
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("The failure handler failed too.");
    }
}

/// <summary>A registry event observer that throws, either before returning its task or after an await.</summary>
internal sealed class ThrowingEventObserver(bool afterAwait) : IRegistryEventObserver
{
    public List<Exception> Thrown { get; } = [];

    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        if (!afterAwait)
        {
            throw Record(new InvalidOperationException($"Synchronous observer failure on {registryEvent.Kind}."));
        }

        return ThrowLaterAsync(registryEvent);
    }

    private async ValueTask ThrowLaterAsync(RegistryEvent registryEvent)
    {
        await Task.Yield();
        throw Record(new InvalidOperationException($"Asynchronous observer failure on {registryEvent.Kind}."));
    }

    private InvalidOperationException Record(InvalidOperationException exception)
    {
        lock (Thrown)
        {
            Thrown.Add(exception);
        }

        return exception;
    }
}

/// <summary>A registry event observer that keeps what it is told.</summary>
internal sealed class RecordingEventObserver : IRegistryEventObserver
{
    public List<RegistryEvent> Events { get; } = [];

    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        lock (Events)
        {
            Events.Add(registryEvent);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A resolution observer that throws on every resolution.</summary>
internal sealed class ThrowingResolutionObserver : IResolutionObserver
{
    public List<Exception> Thrown { get; } = [];

    public void OnResolved(ResolutionEvent resolution)
    {
        var exception = new InvalidOperationException($"Resolution observer failure on {resolution.Address}.");
        lock (Thrown)
        {
            Thrown.Add(exception);
        }

        throw exception;
    }
}

/// <summary>A resolution observer that keeps what it is told.</summary>
internal sealed class RecordingResolutionObserver : IResolutionObserver
{
    public List<ResolutionEvent> Resolutions { get; } = [];

    public void OnResolved(ResolutionEvent resolution)
    {
        lock (Resolutions)
        {
            Resolutions.Add(resolution);
        }
    }
}
