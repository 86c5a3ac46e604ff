namespace Registries.Core.Events;

/// <summary>Observes changes to registry entries and to environments' policies and mirrors, for example to write an audit log.</summary>
/// <remarks>Called after the change is stored, in the order of the changes of one operation, and awaited before the
/// operation returns. Best effort: what an observer throws goes to the <see cref="IObserverFailureHandler"/>, never to
/// the caller (who would otherwise retry a change that already happened), and the other observers still run. The
/// token is <see cref="CancellationToken.None"/>: cancelling after the commit cannot undo it.</remarks>
public interface IRegistryEventObserver
{
    /// <summary>Receives one event.</summary>
    /// <param name="registryEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default);

    /// <summary>Receives one change to an environment's policy or mirrors, as <see cref="OnRegistryEventAsync"/> receives
    /// a registry change (after the store write, never for a change that changed nothing).</summary>
    /// <param name="environmentEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the event is handled.</returns>
    /// <remarks>Implemented as doing nothing, so that an observer written before policies and mirrors existed keeps
    /// compiling; an audit log should implement it.</remarks>
    ValueTask OnEnvironmentEventAsync(EnvironmentEvent environmentEvent, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
