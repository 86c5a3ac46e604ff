using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registries.Core.PostgreSql;

/// <summary>The PostgreSQL store: reachable and on the schema version this release needs.</summary>
internal sealed class PostgreSqlStoreHealthCheck(PostgreSqlRegistryStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => store.CheckStoreHealthAsync(context.Registration.FailureStatus, cancellationToken);
}

/// <summary>The resolution cache's listening connection: connected, last round trip within the staleness bound.</summary>
internal sealed class ResolutionCacheHealthCheck(PostgreSqlRegistryStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(store.CheckCacheHealth(context.Registration.FailureStatus));
}
