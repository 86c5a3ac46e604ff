namespace Registries.Core.Events;

/// <summary>Observes changes to registry entries, for example to write an audit log.</summary>
/// <remarks>Called after the change is stored, in the order of the changes of one operation. An exception
/// thrown by an observer reaches the caller of the operation, but the change stays stored.</remarks>
public interface IRegistryEventObserver
{
    /// <summary>Receives one event.</summary>
    /// <param name="registryEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default);
}
