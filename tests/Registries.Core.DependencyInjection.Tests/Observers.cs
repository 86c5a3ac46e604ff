using System.Collections.Concurrent;
using Registries.Core.Events;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>An application's registry event observer that keeps what it is told.</summary>
internal sealed class RecordingRegistryObserver : IRegistryEventObserver
{
    public ConcurrentQueue<RegistryEvent> Events { get; } = new();

    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        Events.Enqueue(registryEvent);
        return ValueTask.CompletedTask;
    }
}

/// <summary>An application's resolution observer that keeps what it is told.</summary>
internal sealed class RecordingResolutionObserver : IResolutionObserver
{
    public ConcurrentQueue<ResolutionEvent> Resolutions { get; } = new();

    public void OnResolved(ResolutionEvent resolution) => Resolutions.Enqueue(resolution);
}

/// <summary>An application's registry event observer that always fails, as an audit sink that is down would.</summary>
internal sealed class ThrowingRegistryObserver : IRegistryEventObserver
{
    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
        => throw new InvalidOperationException("The audit sink is down.");
}

/// <summary>An application's resolution observer that always fails.</summary>
internal sealed class ThrowingResolutionObserver : IResolutionObserver
{
    public void OnResolved(ResolutionEvent resolution) => throw new InvalidOperationException("The metrics sink is down.");
}

/// <summary>An application's own failure handler, which keeps the failures instead of logging them.</summary>
internal sealed class RecordingFailureHandler : IObserverFailureHandler
{
    public ConcurrentQueue<ObserverFailure> Failures { get; } = new();

    public void OnObserverFailed(ObserverFailure failure) => Failures.Enqueue(failure);
}
