using Microsoft.Extensions.Options;

namespace Registries.Core.Interop;

internal sealed class KubeletCredentialProviderOptionsValidator : IValidateOptions<KubeletCredentialProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, KubeletCredentialProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var duration = options.CacheDuration;
        if (duration < KubeletCredentialProviderOptions.MinimumCacheDuration || duration > KubeletCredentialProviderOptions.MaximumCacheDuration)
        {
            return ValidateOptionsResult.Fail(
                $"KubeletCredentialProviderOptions.CacheDuration is {KubeletDuration.Describe(duration)}; give one from 1s to 24h (for example 1m), so that the kubelet caches the answer but a deactivation still reaches the node soon.");
        }

        if (duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return ValidateOptionsResult.Fail(
                $"KubeletCredentialProviderOptions.CacheDuration is {KubeletDuration.Describe(duration)}; give whole seconds (for example 30s or 5m).");
        }

        return ValidateOptionsResult.Success;
    }
}
