namespace Registries.Core.Sources;

/// <summary>Told of every fetch, renewal, failure and refresh of <see cref="CredentialSources"/>, for example to log or
/// count them. Never given a secret.</summary>
/// <remarks>Called synchronously on the thread that completed the fetch: keep it quick. What it throws is ignored; the
/// resolution is answered all the same. Implementations must be thread-safe.</remarks>
public interface ICredentialSourceObserver
{
    /// <summary>Receives one event.</summary>
    /// <param name="sourceEvent">What happened, without a secret.</param>
    void OnCredentialSourceEvent(CredentialSourceEvent sourceEvent);
}
