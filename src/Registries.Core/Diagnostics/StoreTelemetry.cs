using Registries.Core.Storage;

namespace Registries.Core.Diagnostics;

internal static class StoreTelemetry
{
    /// <summary>The resolution path's one read (environment and entries), measured and traced as <c>read_resolution</c>.</summary>
    public static async ValueTask<ResolutionData> ReadForResolutionAsync(this IRegistryStore store, RegistriesTelemetry telemetry, string environmentId, RegistryAddress address, CancellationToken cancellationToken)
    {
        using var scope = telemetry.BeginStoreRead(TelemetryNames.ReadResolution);
        try
        {
            var data = await store.ReadResolutionAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
            scope.Complete();
            return data;
        }
        catch (Exception e) when (scope.Fail(e))
        {
            throw;
        }
    }
}
