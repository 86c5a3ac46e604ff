using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registries.Core.Storage;

namespace Registries.Core.FileStore;

/// <summary>The file store: its file is readable (the read every operation makes, under the shared lock), and the
/// protector's key protects and reveals a probe (the key file is readable, undamaged and private).</summary>
internal sealed class FileStoreHealthCheck(FileRegistryStore store, ISecretProtector protector) : IHealthCheck
{
    // A probe, never a user's password: a value of its own, under a context no entry can have.
    private static readonly SecretContext ProbeContext = new("registries-health-check", "probe");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.ListEnvironmentsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryStoreException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message);
        }

        try
        {
            var probe = Guid.NewGuid().ToString("N");
            var secret = new RegistrySecret(probe);
            var revealed = protector.Unprotect(protector.Protect(secret, ProbeContext), ProbeContext);
            if (!string.Equals(revealed.Reveal(), probe, StringComparison.Ordinal))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The store's key does not give back what it protected: the key file is damaged.");
            }
        }
        catch (RegistryStoreException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, e.Message);
        }

        return HealthCheckResult.Healthy($"The store file {store.FilePath} is readable and its key is usable.");
    }
}
