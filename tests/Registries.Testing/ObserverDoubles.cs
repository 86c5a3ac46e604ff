using Registries.Core;
using Registries.Core.Events;

namespace Registries.Testing;

/// <summary>A registry event observer that keeps what it is told (an application's audit log).</summary>
public sealed class RecordingEventObserver : IRegistryEventObserver
{
    private readonly List<RegistryEvent> _events = [];
    private readonly List<EnvironmentEvent> _environmentEvents = [];

    /// <summary>Gets what the observer was told, in order.</summary>
    public IReadOnlyList<RegistryEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>Gets the environment changes (policy and mirrors) the observer was told, in order.</summary>
    public IReadOnlyList<EnvironmentEvent> EnvironmentEvents
    {
        get
        {
            lock (_events)
            {
                return _environmentEvents.ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        lock (_events)
        {
            _events.Add(registryEvent);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask OnEnvironmentEventAsync(EnvironmentEvent environmentEvent, CancellationToken cancellationToken = default)
    {
        lock (_events)
        {
            _environmentEvents.Add(environmentEvent);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A registry event observer that throws (an audit sink that is down), either before returning its task or after an await.</summary>
public sealed class ThrowingEventObserver : IRegistryEventObserver
{
    private readonly bool _afterAwait;
    private readonly List<Exception> _thrown = [];

    /// <summary>Initializes an observer that throws before returning its task (also the constructor DI uses).</summary>
    public ThrowingEventObserver()
        : this(afterAwait: false)
    {
    }

    /// <summary>Initializes an observer that throws before returning its task, or after an await.</summary>
    /// <param name="afterAwait">Whether to throw from the returned task, after an await.</param>
    public ThrowingEventObserver(bool afterAwait)
    {
        _afterAwait = afterAwait;
    }

    /// <summary>Gets what the observer threw, in order.</summary>
    public IReadOnlyList<Exception> Thrown
    {
        get
        {
            lock (_thrown)
            {
                return _thrown.ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registryEvent);
        if (!_afterAwait)
        {
            throw Record(new InvalidOperationException($"Synchronous observer failure on {registryEvent.Kind}."));
        }

        return ThrowLaterAsync(registryEvent);
    }

    /// <inheritdoc/>
    public ValueTask OnEnvironmentEventAsync(EnvironmentEvent environmentEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentEvent);
        throw Record(new InvalidOperationException($"Synchronous observer failure on {environmentEvent.Kind}."));
    }

    private async ValueTask ThrowLaterAsync(RegistryEvent registryEvent)
    {
        await Task.Yield();
        throw Record(new InvalidOperationException($"Asynchronous observer failure on {registryEvent.Kind}."));
    }

    private InvalidOperationException Record(InvalidOperationException exception)
    {
        lock (_thrown)
        {
            _thrown.Add(exception);
        }

        return exception;
    }
}

/// <summary>A resolution observer that keeps what it is told (an application's metrics).</summary>
public sealed class RecordingResolutionObserver : IResolutionObserver
{
    private readonly List<ResolutionEvent> _resolutions = [];

    /// <summary>Gets what the observer was told, in order.</summary>
    public IReadOnlyList<ResolutionEvent> Resolutions
    {
        get
        {
            lock (_resolutions)
            {
                return _resolutions.ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public void OnResolved(ResolutionEvent resolution)
    {
        lock (_resolutions)
        {
            _resolutions.Add(resolution);
        }
    }
}

/// <summary>A resolution observer that throws on every resolution (a metrics sink that is down).</summary>
public sealed class ThrowingResolutionObserver : IResolutionObserver
{
    private readonly List<Exception> _thrown = [];

    /// <summary>Gets what the observer threw, in order.</summary>
    public IReadOnlyList<Exception> Thrown
    {
        get
        {
            lock (_thrown)
            {
                return _thrown.ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public void OnResolved(ResolutionEvent resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        var exception = new InvalidOperationException($"Resolution observer failure on {resolution.Address}.");
        lock (_thrown)
        {
            _thrown.Add(exception);
        }

        throw exception;
    }
}

/// <summary>An application's own failure handler, which keeps the failures instead of logging them.</summary>
public sealed class RecordingFailureHandler : IObserverFailureHandler
{
    private readonly List<ObserverFailure> _failures = [];

    /// <summary>Gets the failures handed to it, in order.</summary>
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

    /// <inheritdoc/>
    public void OnObserverFailed(ObserverFailure failure)
    {
        lock (_failures)
        {
            _failures.Add(failure);
        }
    }
}

/// <summary>A failure handler that itself fails, after counting the call.</summary>
public sealed class ThrowingFailureHandler : IObserverFailureHandler
{
    private int _calls;

    /// <summary>Gets how many failures it was handed.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <inheritdoc/>
    public void OnObserverFailed(ObserverFailure failure)
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("The failure handler failed too.");
    }
}
