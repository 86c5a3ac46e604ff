using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Registries.Core.Shared;

/// <summary>How every package registers its health checks: once per name (a second call changes nothing), tagged
/// <c>ready</c> unless the application gives tags, with a timeout after which the check reports its failure status.
/// Each package that owns a dependency (a store, an engine, the credential sources) links this one source.</summary>
internal static class RegistriesHealthChecks
{
    /// <summary>The tag of the checks a readiness probe runs (ASP.NET Core's convention: <c>/health/ready</c>).</summary>
    public const string Ready = "ready";

    /// <summary>How long a check may take before it reports its failure status.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    public static void Add(IServiceCollection services, string name, Func<IServiceProvider, IHealthCheck> factory, HealthStatus failureStatus, IEnumerable<string>? tags, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (timeout is { } given && given <= TimeSpan.Zero && given != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), given, "Give a positive timeout for the health check, or none for the default of 5 s.");
        }

        var tagList = tags?.ToArray() ?? [Ready];
        services.AddHealthChecks();
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            if (!options.Registrations.Any(r => string.Equals(r.Name, name, StringComparison.Ordinal)))
            {
                options.Registrations.Add(new HealthCheckRegistration(name, factory, failureStatus, tagList, timeout ?? DefaultTimeout));
            }
        });
    }
}
