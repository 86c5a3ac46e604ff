using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>Decides, for an image (or a registry address) in an environment, which credential the engine gets or whether the pull is prohibited.</summary>
/// <remarks>
/// <para>The rules: among the scopes that cover the image (<see cref="RegistryScope"/>) and hold an entry that is not
/// Removed, the most specific one decides: an exact address before a host pattern, then a longer path prefix before a
/// shorter one. Its effective entry is the most recently added one (highest <see cref="Registry.Sequence"/>) that is
/// not Removed. If it is Active, the answer is Authenticated with its credential; if it is Inactive, the answer is
/// Denied, with no fallback to a less specific scope, an older entry or an anonymous pull; if no scope covers the
/// image, the answer is Anonymous. Entries without a path or pattern behave exactly as in the seed.</para>
/// <para>Pure functions, without I/O: the entries come from the store. Code that acts for a user resolves with
/// <see cref="RegistryService.ResolveAsync(string, ImageReference, CancellationToken)"/>, which checks the caller's
/// permission first; the platform's launch path, with no caller, is <see cref="LaunchResolver"/>. Thread-safe.</para>
/// </remarks>
public static class CredentialResolver
{
    /// <summary>Decides the resolution of an image from the entries that could cover it, without I/O.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entries">Entries of one environment, in any order: those of the image's address and of the host
    /// patterns that cover it (entries that do not cover the image are ignored).</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    public static CredentialResolution Resolve(ImageReference image, IReadOnlyList<StoredRegistry> entries)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        return Answer(image, image.Address, SelectDeciding(entries, image, null));
    }

    /// <summary>Decides the resolution of a whole registry address from its entries, without I/O.</summary>
    /// <param name="address">The address.</param>
    /// <param name="entries">Entries of one environment, in any order; only host-level entries (no path) whose address
    /// or pattern covers the address count.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    public static CredentialResolution Resolve(RegistryAddress address, IReadOnlyList<StoredRegistry> entries)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(entries);
        return Answer(null, address, SelectDeciding(entries, null, address));
    }

    /// <summary>Explains the resolution of an image: every entry that could have answered, and why it did or did not.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entries">Entries of one environment, in any order (for example all of them); entries of other
    /// addresses are left out of the explanation, those of host patterns are kept (with "pattern did not match" when
    /// they do not cover the image).</param>
    /// <returns>The explanation, without any password.</returns>
    public static ResolutionExplanation Explain(ImageReference image, IReadOnlyList<StoredRegistry> entries)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        var deciding = SelectDeciding(entries, image, null)?.Registry;
        var candidates = new List<ResolutionCandidate>();
        foreach (var entry in entries.OrderBy(e => e.Registry.Sequence))
        {
            var registry = entry.Registry;
            var addressCovers = registry.Address.Covers(image.Address);
            if (!addressCovers && !registry.Address.IsPattern)
            {
                continue;
            }

            var (verdict, reason) = !addressCovers
                ? (CandidateVerdict.PatternDidNotMatch, $"the host pattern {registry.Address} does not cover {image.Address}")
                : !registry.Scope.CoversPath(image.Repository)
                    ? (CandidateVerdict.PathDidNotMatch, $"the path {registry.Path} does not cover the repository {image.Repository} (paths match on '/' boundaries)")
                    : registry.State == RegistryState.Removed
                        ? (CandidateVerdict.Removed, "it was deleted")
                        : deciding is not null && registry.Id == deciding.Id
                            ? (CandidateVerdict.Effective, registry.State == RegistryState.Active
                                ? $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}: its credential is used"
                                : $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}, is inactive: the pull is prohibited, with no fallback")
                            : deciding is not null && registry.Scope.Equals(deciding.Scope)
                                ? (CandidateVerdict.Overridden, $"overridden by the newer entry {deciding.Id} of the same scope")
                                : (CandidateVerdict.LessSpecific, $"{deciding!.Scope} is more specific and decides");
            candidates.Add(new ResolutionCandidate(registry, verdict, reason));
        }

        return new ResolutionExplanation(image, Resolve(image, entries), candidates);
    }

    // The effective entry of the deciding scope: among the entries that are not Removed and cover the image (or, for an
    // address, are host-level and cover it), the one of the most specific scope, and in it the most recently added. Two
    // scopes equally specific that cover one image are the same scope, so one pass over the entries is enough.
    private static StoredRegistry? SelectDeciding(IReadOnlyList<StoredRegistry> entries, ImageReference? image, RegistryAddress? address)
    {
        StoredRegistry? best = null;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var registry = entry.Registry;
            if (registry.State == RegistryState.Removed
                || !(image is not null ? registry.Scope.Covers(image) : registry.Scope.Covers(address!)))
            {
                continue;
            }

            if (best is null)
            {
                best = entry;
                continue;
            }

            var specificity = ReferenceEquals(registry.Scope, best.Registry.Scope) ? 0 : registry.Scope.CompareSpecificity(best.Registry.Scope);
            if (specificity > 0 || (specificity == 0 && registry.Sequence > best.Registry.Sequence))
            {
                best = entry;
            }
        }

        return best;
    }

    // The answer the deciding entry gives, for an image or (image null) a whole address or scope: Anonymous when no
    // entry decides, Authenticated when it is Active, Denied when it is Inactive. The one place of the three outcomes.
    internal static CredentialResolution Answer(ImageReference? image, RegistryAddress address, StoredRegistry? deciding)
    {
        if (deciding is null)
        {
            return CredentialResolution.Of(ResolutionOutcome.Anonymous, image, address, null, null, null);
        }

        var registry = deciding.Registry;
        return registry.State == RegistryState.Active
            ? CredentialResolution.Of(ResolutionOutcome.Authenticated, image, address, registry, deciding.Password!, null)
            : CredentialResolution.Of(ResolutionOutcome.Denied, image, address, registry, null, DeniedReason(registry));
    }

    private static string DeniedReason(Registry registry)
        => $"Registry {registry.Scope} ({registry.Id}) is inactive in environment '{registry.EnvironmentId}': pulls from it are prohibited. Activate it, or add a new credential for {registry.Scope}.";
}
