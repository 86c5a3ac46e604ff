using Microsoft.Extensions.Logging;
using Registries.Core.Events;
using Registries.Core.Sources;

namespace Registries.Core.DependencyInjection;

// Logs registry events and resolutions: addresses, ids, environments and outcomes; never a secret
// (the values logged are chosen one by one, never a whole credential or resolution object).
internal sealed partial class RegistriesLogging(ILogger<RegistriesLogging> logger) : IRegistryEventObserver, IResolutionObserver, IObserverFailureHandler, ICredentialSourceObserver
{
    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        var registry = registryEvent.Registry;
        RegistryChanged(logger, registryEvent.Kind, registry.Scope.ToString(), registry.Id, registry.EnvironmentId, registryEvent.Caller, registry.State);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnEnvironmentEventAsync(EnvironmentEvent environmentEvent, CancellationToken cancellationToken = default)
    {
        // A rule or a mirror, as the CLI shows it: scopes, addresses and rewrites, never a secret.
        EnvironmentChanged(logger, environmentEvent.Kind, ((object?)environmentEvent.Rule ?? environmentEvent.Mirror)?.ToString(), environmentEvent.EnvironmentId, environmentEvent.Caller);
        return ValueTask.CompletedTask;
    }

    public void OnResolved(ResolutionEvent resolution)
    {
        var environmentId = resolution.EnvironmentId;
        // The image, or the address when an address was resolved (a credential helper asks per server).
        var subject = resolution.Image?.ToString() ?? resolution.Address.ToString();
        var registryId = resolution.MatchedRegistry?.Id;
        switch (resolution.Outcome)
        {
            case ResolutionOutcome.Authenticated:
                ResolvedAuthenticated(logger, subject, environmentId, resolution.Address, registryId, resolution.MatchedRegistry?.Username);
                break;
            case ResolutionOutcome.Anonymous:
                ResolvedAnonymous(logger, subject, environmentId, resolution.Address);
                break;
            case ResolutionOutcome.Unavailable:
                ResolvedUnavailable(logger, subject, environmentId, resolution.Address, registryId, resolution.MatchedRegistry?.Source.ToString(), resolution.Reason);
                break;
            default:
                if (registryId is null)
                {
                    ResolvedDeniedByEnvironment(logger, subject, environmentId, resolution.Address, resolution.Policy?.Rule?.ToString(), resolution.Reason);
                }
                else
                {
                    ResolvedDenied(logger, subject, environmentId, resolution.Address, registryId, resolution.Reason);
                }

                break;
        }
    }

    // The event holds no secret by construction; the values are still picked one by one.
    public void OnCredentialSourceEvent(CredentialSourceEvent sourceEvent)
    {
        var source = sourceEvent.Source.ToString();
        var address = sourceEvent.Address?.ToString();
        switch (sourceEvent.Kind)
        {
            case CredentialSourceEventKind.Fetched:
            case CredentialSourceEventKind.Renewed:
                CredentialFetched(logger, sourceEvent.Kind, source, address, sourceEvent.RegistryId, sourceEvent.EnvironmentId, sourceEvent.ExpiresAt, sourceEvent.Duration.TotalMilliseconds);
                break;
            case CredentialSourceEventKind.RenewalFailed:
                CredentialRenewalFailed(logger, source, address, sourceEvent.RegistryId, sourceEvent.EnvironmentId, sourceEvent.ExpiresAt, sourceEvent.Reason);
                break;
            case CredentialSourceEventKind.Failed:
                CredentialFetchFailed(logger, source, address, sourceEvent.RegistryId, sourceEvent.EnvironmentId, sourceEvent.Reason);
                break;
            default:
                CredentialInvalidated(logger, source, sourceEvent.RegistryId, sourceEvent.EnvironmentId);
                break;
        }
    }

    public void OnObserverFailed(ObserverFailure failure)
    {
        // The exception is logged as it was thrown: an observer's own message is its author's responsibility, and the
        // event named beside it carries no secret.
        if (failure.RegistryEvent is { } registryEvent)
        {
            RegistryObserverFailed(logger, failure.Exception, failure.Observer.GetType().FullName, registryEvent.Kind, registryEvent.Registry.Id, registryEvent.Registry.EnvironmentId);
        }
        else if (failure.EnvironmentEvent is { } environmentEvent)
        {
            EnvironmentObserverFailed(logger, failure.Exception, failure.Observer.GetType().FullName, environmentEvent.Kind, environmentEvent.EnvironmentId);
        }
        else
        {
            ResolutionObserverFailed(logger, failure.Exception, failure.Observer.GetType().FullName, failure.Resolution!.EnvironmentId);
        }
    }

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Observer {Observer} failed on registry event {Kind} of {RegistryId} in environment {EnvironmentId}; the change itself was stored")]
    private static partial void RegistryObserverFailed(ILogger logger, Exception exception, string? observer, RegistryEventKind kind, string registryId, string environmentId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Error, Message = "Resolution observer {Observer} failed in environment {EnvironmentId}; the resolution was answered all the same")]
    private static partial void ResolutionObserverFailed(ILogger logger, Exception exception, string? observer, string environmentId);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registry {Kind}: {Address} ({RegistryId}) in environment {EnvironmentId} by {Caller}, now {State}")]
    private static partial void RegistryChanged(ILogger logger, RegistryEventKind kind, string address, string registryId, string environmentId, string caller, RegistryState state);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Resolved {Reference} in environment {EnvironmentId}: authenticated for {Address} with registry {RegistryId} as user {Username}")]
    private static partial void ResolvedAuthenticated(ILogger logger, string reference, string environmentId, RegistryAddress address, string? registryId, string? username);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Resolved {Reference} in environment {EnvironmentId}: anonymous, no registry configured for {Address}")]
    private static partial void ResolvedAnonymous(ILogger logger, string reference, string environmentId, RegistryAddress address);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Resolved {Reference} in environment {EnvironmentId}: denied by registry {RegistryId} for {Address}: {Reason}")]
    private static partial void ResolvedDenied(ILogger logger, string reference, string environmentId, RegistryAddress address, string? registryId, string? reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Resolved {Reference} in environment {EnvironmentId}: unavailable, registry {RegistryId} for {Address} takes its credential from {Source}: {Reason}")]
    private static partial void ResolvedUnavailable(ILogger logger, string reference, string environmentId, RegistryAddress address, string? registryId, string? source, string? reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Credential {Kind} from {Source} for {Address} (registry {RegistryId} in environment {EnvironmentId}), expires {ExpiresAt:O}, in {DurationMs} ms")]
    private static partial void CredentialFetched(ILogger logger, CredentialSourceEventKind kind, string source, string? address, string registryId, string environmentId, DateTimeOffset? expiresAt, double durationMs);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Renewing the credential from {Source} for {Address} (registry {RegistryId} in environment {EnvironmentId}) failed; the cached one is used until it expires at {ExpiresAt:O}: {Reason}")]
    private static partial void CredentialRenewalFailed(ILogger logger, string source, string? address, string registryId, string environmentId, DateTimeOffset? expiresAt, string? reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Fetching the credential from {Source} for {Address} (registry {RegistryId} in environment {EnvironmentId}) failed: {Reason}")]
    private static partial void CredentialFetchFailed(ILogger logger, string source, string? address, string registryId, string environmentId, string? reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Environment {Kind}: {Change} in environment {EnvironmentId} by {Caller}")]
    private static partial void EnvironmentChanged(ILogger logger, EnvironmentEventKind kind, string? change, string environmentId, string caller);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "Observer {Observer} failed on environment event {Kind} in environment {EnvironmentId}; the change itself was stored")]
    private static partial void EnvironmentObserverFailed(ILogger logger, Exception exception, string? observer, EnvironmentEventKind kind, string environmentId);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Resolved {Reference} in environment {EnvironmentId}: denied by the environment for {Address} (rule {Rule}): {Reason}")]
    private static partial void ResolvedDeniedByEnvironment(ILogger logger, string reference, string environmentId, RegistryAddress address, string? rule, string? reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Cached credentials from {Source} of registry {RegistryId} in environment {EnvironmentId} dropped on request")]
    private static partial void CredentialInvalidated(ILogger logger, string source, string registryId, string environmentId);
}
