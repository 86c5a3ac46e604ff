using Registries.Core.Diagnostics;
using Registries.Core.Sources;
using Registries.Core.Storage;

namespace Registries.Core;

// The one resolution path of RegistryService and LaunchResolver once the environment and the entries of the image's
// address are read (and the caller, if any, authorized): the environment's policy first, on the image the user asked
// for, before any entry is consulted or any source asked; then the image's own credential; then its mirrors, each
// resolved by the same entry rules on the image's name there, without the policy.
internal static class EnvironmentResolution
{
    public static async ValueTask<CredentialResolution> ResolveImageAsync(
        IRegistryStore store, RegistriesTelemetry telemetry, CredentialSources sources, string environmentId, ResolutionData data, ImageReference image, CancellationToken cancellationToken)
    {
        var environment = data.Environment!;
        var policy = environment.Policy.Evaluate(image);
        if (!policy.IsAllowed)
        {
            return CredentialResolution.DeniedByPolicy(image, policy);
        }

        var own = await sources.ResolveAsync(image, image.Address, CredentialResolver.Decide(data.Entries, image, image.Address), cancellationToken).ConfigureAwait(false);
        if (own.Outcome == ResolutionOutcome.Denied || environment.Mirrors.For(image.Address).Count == 0)
        {
            return own.WithPolicyAndMirrors(policy, []);
        }

        var plan = environment.Mirrors.Plan(image);
        if (plan.Count == 0)
        {
            return CredentialResolution.DeniedWithoutSource(image, policy, MirrorOnlyReason(environment, image));
        }

        var mirrors = new List<MirrorResolution>(plan.Count);
        foreach (var source in plan)
        {
            if (source.IsUpstream)
            {
                mirrors.Add(new MirrorResolution(source, own));
                continue;
            }

            var onMirror = source.Image;
            var entries = (await store.ReadForResolutionAsync(telemetry, environmentId, onMirror.Address, cancellationToken).ConfigureAwait(false)).Entries;
            var credential = await sources.ResolveAsync(onMirror, onMirror.Address, CredentialResolver.Decide(entries, onMirror, onMirror.Address), cancellationToken).ConfigureAwait(false);
            mirrors.Add(new MirrorResolution(source, credential));
        }

        return own.WithPolicyAndMirrors(policy, mirrors);
    }

    public static async ValueTask<CredentialResolution> ResolveAddressAsync(CredentialSources sources, ResolutionData data, RegistryAddress address, CancellationToken cancellationToken)
    {
        var policy = data.Environment!.Policy.EvaluateAddress(address);
        if (!policy.IsAllowed)
        {
            return CredentialResolution.DeniedByPolicy(address, policy);
        }

        var resolution = await sources.ResolveAsync(null, address, CredentialResolver.Decide(data.Entries, null, address), cancellationToken).ConfigureAwait(false);
        return resolution.WithPolicyAndMirrors(policy, []);
    }

    // The pure counterpart (CredentialResolver.Resolve with an environment): the entries given hold the mirrors' too.
    public static CredentialResolution ResolveImage(RegistryEnvironment environment, ImageReference image, IReadOnlyList<StoredRegistry> entries, DateTimeOffset? now)
    {
        var policy = environment.Policy.Evaluate(image);
        if (!policy.IsAllowed)
        {
            return CredentialResolution.DeniedByPolicy(image, policy);
        }

        var own = CredentialResolver.Answer(image, image.Address, CredentialResolver.Decide(entries, image, image.Address), now);
        if (own.Outcome == ResolutionOutcome.Denied || environment.Mirrors.For(image.Address).Count == 0)
        {
            return own.WithPolicyAndMirrors(policy, []);
        }

        var plan = environment.Mirrors.Plan(image);
        if (plan.Count == 0)
        {
            return CredentialResolution.DeniedWithoutSource(image, policy, MirrorOnlyReason(environment, image));
        }

        var mirrors = plan.Select(source => new MirrorResolution(source, source.IsUpstream
            ? own
            : CredentialResolver.Answer(source.Image, source.Image.Address, CredentialResolver.Decide(entries, source.Image, source.Image.Address), now))).ToList();
        return own.WithPolicyAndMirrors(policy, mirrors);
    }

    public static CredentialResolution ResolveAddress(RegistryEnvironment environment, RegistryAddress address, IReadOnlyList<StoredRegistry> entries, DateTimeOffset? now)
    {
        var policy = environment.Policy.EvaluateAddress(address);
        return policy.IsAllowed
            ? CredentialResolver.Answer(null, address, CredentialResolver.Decide(entries, null, address), now).WithPolicyAndMirrors(policy, [])
            : CredentialResolution.DeniedByPolicy(address, policy);
    }

    private static string MirrorOnlyReason(RegistryEnvironment environment, ImageReference image)
        => $"the mirrors of {image.Address} in environment '{environment.Id}' are mirror-only and none can name '{image.Name}' (their rewrites give no valid repository path): it is pulled from nowhere. Fix the rewrite, or add a mirror that serves it.";
}
