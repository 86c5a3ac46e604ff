using Microsoft.Extensions.Logging;
using Registries.Core.Events;

namespace Registries.Core.DependencyInjection;

// Logs registry events and resolutions: addresses, ids, environments and outcomes; never a secret
// (the values logged are chosen one by one, never a whole credential or resolution object).
internal sealed partial class RegistriesLogging(ILogger<RegistriesLogging> logger) : IRegistryEventObserver, IResolutionObserver
{
    public ValueTask OnRegistryEventAsync(RegistryEvent registryEvent, CancellationToken cancellationToken = default)
    {
        var registry = registryEvent.Registry;
        RegistryChanged(logger, registryEvent.Kind, registry.Address.ToString(), registry.Id, registry.EnvironmentId, registryEvent.Actor, registry.State);
        return ValueTask.CompletedTask;
    }

    public void OnResolved(string environmentId, CredentialResolution resolution)
    {
        switch (resolution.Outcome)
        {
            case ResolutionOutcome.Authenticated:
                ResolvedAuthenticated(logger, resolution.Image, environmentId, resolution.Registry, resolution.RegistryId, resolution.Username);
                break;
            case ResolutionOutcome.Anonymous:
                ResolvedAnonymous(logger, resolution.Image, environmentId, resolution.Registry);
                break;
            default:
                ResolvedDenied(logger, resolution.Image, environmentId, resolution.Registry, resolution.RegistryId);
                break;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Registry {Kind}: {Address} ({RegistryId}) in environment {EnvironmentId} by {Actor}, now {State}")]
    private static partial void RegistryChanged(ILogger logger, RegistryEventKind kind, string address, string registryId, string environmentId, string actor, RegistryState state);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Resolved {Image} in environment {EnvironmentId}: authenticated for {Registry} with registry {RegistryId} as user {Username}")]
    private static partial void ResolvedAuthenticated(ILogger logger, ImageReference image, string environmentId, RegistryAddress registry, string? registryId, string? username);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Resolved {Image} in environment {EnvironmentId}: anonymous, no registry configured for {Registry}")]
    private static partial void ResolvedAnonymous(ILogger logger, ImageReference image, string environmentId, RegistryAddress registry);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Resolved {Image} in environment {EnvironmentId}: denied, registry {RegistryId} for {Registry} is inactive")]
    private static partial void ResolvedDenied(ILogger logger, ImageReference image, string environmentId, RegistryAddress registry, string? registryId);
}
