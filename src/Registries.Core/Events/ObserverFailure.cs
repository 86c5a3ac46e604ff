namespace Registries.Core.Events;

/// <summary>An observer that threw, what it was told, and the exception.</summary>
public sealed class ObserverFailure
{
    /// <summary>Initializes a failure of a registry event observer.</summary>
    /// <param name="observer">The observer.</param>
    /// <param name="registryEvent">The event it was told.</param>
    /// <param name="exception">What it threw.</param>
    public ObserverFailure(object observer, RegistryEvent registryEvent, Exception exception)
        : this(observer, exception)
    {
        ArgumentNullException.ThrowIfNull(registryEvent);
        RegistryEvent = registryEvent;
    }

    /// <summary>Initializes a failure of a registry event observer told of an environment change.</summary>
    /// <param name="observer">The observer.</param>
    /// <param name="environmentEvent">The event it was told.</param>
    /// <param name="exception">What it threw.</param>
    public ObserverFailure(object observer, EnvironmentEvent environmentEvent, Exception exception)
        : this(observer, exception)
    {
        ArgumentNullException.ThrowIfNull(environmentEvent);
        EnvironmentEvent = environmentEvent;
    }

    /// <summary>Initializes a failure of a resolution observer.</summary>
    /// <param name="observer">The observer.</param>
    /// <param name="resolution">The resolution it was told.</param>
    /// <param name="exception">What it threw.</param>
    public ObserverFailure(object observer, ResolutionEvent resolution, Exception exception)
        : this(observer, exception)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        Resolution = resolution;
    }

    private ObserverFailure(object observer, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(exception);
        Observer = observer;
        Exception = exception;
    }

    /// <summary>Gets the observer that threw.</summary>
    public object Observer { get; }

    /// <summary>Gets the registry event it was told, or <see langword="null"/> for an environment event or a resolution.</summary>
    public RegistryEvent? RegistryEvent { get; }

    /// <summary>Gets the environment event it was told, or <see langword="null"/> for a registry event or a resolution.</summary>
    public EnvironmentEvent? EnvironmentEvent { get; }

    /// <summary>Gets the resolution it was told, or <see langword="null"/> for a registry or environment event.</summary>
    public ResolutionEvent? Resolution { get; }

    /// <summary>Gets what it threw.</summary>
    public Exception Exception { get; }

    /// <inheritdoc/>
    public override string ToString()
        => $"{Observer.GetType().Name} failed on {(object?)RegistryEvent ?? (object?)EnvironmentEvent ?? Resolution}: {Exception.GetType().Name}";
}
