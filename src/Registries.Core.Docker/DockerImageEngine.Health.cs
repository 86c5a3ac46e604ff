using Docker.DotNet;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registries.Core.Docker;

// The engine's health check (DockerEngineHealthCheck): the Engine answers _ping.
public sealed partial class DockerImageEngine
{
    /// <summary>Asks the Engine's <c>/_ping</c>; the answer names the endpoint and why it failed, never a credential.</summary>
    internal async Task<HealthCheckResult> CheckHealthAsync(HealthStatus failureStatus, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await _client.System.PingAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The Docker Engine at {_endpoint} answers.");
        }
        catch (DockerApiException ex)
        {
            return new HealthCheckResult(failureStatus, $"The Docker Engine at {_endpoint} answered its ping with {MessageOf(ex)}.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && IsConnectionFailure(ex))
        {
            return new HealthCheckResult(failureStatus, $"The Docker Engine at {_endpoint} does not answer ({ex.GetBaseException().Message.ReplaceLineEndings(" ")}): start it, or check DockerEngineOptions.Endpoint.");
        }
    }
}

/// <summary>The Docker Engine answers a ping.</summary>
internal sealed class DockerEngineHealthCheck(DockerImageEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => engine.CheckHealthAsync(context.Registration.FailureStatus, cancellationToken);
}
