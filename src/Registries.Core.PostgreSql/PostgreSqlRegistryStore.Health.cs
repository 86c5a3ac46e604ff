using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registries.Core.PostgreSql;

// What the health checks ask of the store (PostgreSqlHealthChecks registers them): each answer is one line without a
// secret, as the store's own messages are.
public sealed partial class PostgreSqlRegistryStore
{
    /// <summary>Reachable, and on <see cref="SchemaVersion"/>: the store does what its first operation would (migrate
    /// when <see cref="PostgreSqlStoreOptions.MigrateOnStart"/> is on, else check), then reads the version again, so a
    /// newer release's migration by another instance is seen.</summary>
    internal async Task<HealthCheckResult> CheckStoreHealthAsync(HealthStatus failureStatus, CancellationToken cancellationToken)
    {
        int? version;
        try
        {
            version = await RunAsync("health check", ReadVersionAsync, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryStoreException e)
        {
            return new HealthCheckResult(failureStatus, e.Message);
        }

        return version == SchemaVersion
            ? HealthCheckResult.Healthy($"PostgreSQL {Server}, database '{Database}', schema '{Schema}' at version {SchemaVersion}.")
            : new HealthCheckResult(failureStatus, $"The Registries.Core schema '{Schema}' in database '{Database}' on {Server} is at version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}; this release needs version {SchemaVersion}.");
    }

    /// <summary>The resolution cache's listening connection: connected, and its last round trip began within the
    /// staleness bound (the cache answers from memory); starts the listener when no lookup has yet.</summary>
    internal HealthCheckResult CheckCacheHealth(HealthStatus failureStatus)
    {
        if (_cache is null || _listener is null)
        {
            return HealthCheckResult.Healthy("The resolution cache is off: every lookup reads the database.");
        }

        _listener.EnsureStarted();
        if (_cache.IsTrusted)
        {
            return HealthCheckResult.Healthy("The resolution cache is listening and its last round trip is within the staleness bound.");
        }

        return new HealthCheckResult(
            failureStatus,
            _listener.ProcessId == 0
                ? "The resolution cache's listening connection is down: every lookup reads the database until it is back (see the store's log for why)."
                : "The resolution cache's listening connection has not completed a round trip within the staleness bound: every lookup reads the database.");
    }
}
