using Registries.Core.Storage;

namespace Registries.Core;

/// <summary>Decides, for an image (or a registry address) in an environment, which credential the engine gets or whether the pull is prohibited.</summary>
/// <remarks>
/// <para>The rules: among the scopes that cover the image (<see cref="RegistryScope"/>) and hold an entry that is not
/// Removed, the most specific one decides: an exact address before a host pattern, then a longer path prefix before a
/// shorter one. Its effective entry is the most recently added one (highest <see cref="Registry.Sequence"/>) that is
/// not Removed. If it is Active, the answer is Authenticated with its credential; if it is Inactive, or its stored
/// credential's <see cref="Registry.ExpiresAt"/> has passed, the answer is Denied, with no fallback to a less specific
/// scope, an older entry or an anonymous pull; if no scope covers the image, the answer is Anonymous. Entries without a
/// path or pattern behave exactly as in the seed.</para>
/// <para>An entry whose credential comes from a source (<see cref="CredentialSource"/>) is fetched by the resolution
/// paths through <see cref="Sources.CredentialSources"/>; these pure functions cannot fetch and answer Unavailable for it,
/// saying so. They never read the clock: the instant to judge expiries at is given.</para>
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
    /// <param name="now">The instant to judge a stored credential's expiry at (an Active entry whose
    /// <see cref="Registry.ExpiresAt"/> has passed answers Denied); <see langword="null"/> leaves expiries unchecked.
    /// The resolution paths pass their <see cref="TimeProvider"/>'s time.</param>
    /// <param name="environment">The environment whose policy and mirrors count, or <see langword="null"/> to decide by
    /// the entries alone (no policy, no mirrors). With one, its <see cref="RegistryEnvironment.Policy"/> is decided first
    /// (a denied image answers Denied naming the rule, no entry consulted) and each of its mirrors of the image's registry
    /// gets the credential <paramref name="entries"/> give the image's name on the mirror (so give the mirrors' entries too).</param>
    /// <returns>Authenticated, Anonymous or Denied; Unavailable when the deciding entry's credential comes from a source,
    /// which this pure function cannot fetch (<see cref="RegistryService"/> and <see cref="LaunchResolver"/> fetch it).</returns>
    public static CredentialResolution Resolve(ImageReference image, IReadOnlyList<StoredRegistry> entries, DateTimeOffset? now = null, RegistryEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        return environment is null
            ? Answer(image, image.Address, SelectDeciding(entries, image, null), now)
            : EnvironmentResolution.ResolveImage(environment, image, entries, now);
    }

    /// <summary>Decides the resolution of a whole registry address from its entries, without I/O.</summary>
    /// <param name="address">The address.</param>
    /// <param name="entries">Entries of one environment, in any order; only host-level entries (no path) whose address
    /// or pattern covers the address count.</param>
    /// <param name="now">The instant to judge a stored credential's expiry at; <see langword="null"/> leaves expiries unchecked.</param>
    /// <param name="environment">The environment whose policy counts (<see cref="RegistryPolicy.EvaluateAddress"/>: denied
    /// only when every image of the address is), or <see langword="null"/> to decide by the entries alone.</param>
    /// <returns>Authenticated, Anonymous or Denied; Unavailable when the deciding entry's credential comes from a source
    /// (see <see cref="Resolve(ImageReference, IReadOnlyList{StoredRegistry}, DateTimeOffset?, RegistryEnvironment?)"/>).</returns>
    public static CredentialResolution Resolve(RegistryAddress address, IReadOnlyList<StoredRegistry> entries, DateTimeOffset? now = null, RegistryEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(entries);
        return environment is null
            ? Answer(null, address, SelectDeciding(entries, null, address), now)
            : EnvironmentResolution.ResolveAddress(environment, address, entries, now);
    }

    /// <summary>Explains the resolution of an image: every entry that could have answered, and why it did or did not.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entries">Entries of one environment, in any order (for example all of them); entries of other
    /// addresses are left out of the explanation, those of host patterns are kept (with "pattern did not match" when
    /// they do not cover the image).</param>
    /// <param name="now">The instant to judge a stored credential's expiry at; <see langword="null"/> leaves expiries unchecked.</param>
    /// <returns>The explanation, without any password. When the deciding entry is Active and its credential comes from a
    /// source, the outcome is Authenticated (what the rules decide; the fetch itself may still answer Unavailable).</returns>
    public static ResolutionExplanation Explain(ImageReference image, IReadOnlyList<StoredRegistry> entries, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        var decidingEntry = SelectDeciding(entries, image, null);
        var deciding = decidingEntry?.Registry;
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
                            ? (CandidateVerdict.Effective, registry.State != RegistryState.Active
                                ? $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}, is inactive: the pull is prohibited, with no fallback"
                                : IsExpired(registry, now)
                                    ? $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}: its stored credential expired at {Iso(registry.ExpiresAt!.Value)}, so the pull is prohibited, with no fallback"
                                    : registry.Source.IsFetched
                                        ? $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}: its credential is fetched from {registry.Source}"
                                        : $"the most recently added entry of the most specific scope that covers the image, {registry.Scope}: its credential is used")
                            : deciding is not null && registry.Scope.Equals(deciding.Scope)
                                ? (CandidateVerdict.Overridden, $"overridden by the newer entry {deciding.Id} of the same scope")
                                : (CandidateVerdict.LessSpecific, $"{deciding!.Scope} is more specific and decides");
            candidates.Add(new ResolutionCandidate(registry, verdict, reason));
        }

        var result = Answer(image, image.Address, decidingEntry, now);
        return NeedsFetch(decidingEntry)
            ? new ResolutionExplanation(image, ResolutionOutcome.Authenticated, deciding, null, candidates)
            : new ResolutionExplanation(image, result.Outcome, result.MatchedRegistry, result.Reason, candidates);
    }

    // The deciding entry for an image or (image null) a whole address, for the paths that complete the answer with a source.
    internal static StoredRegistry? Decide(IReadOnlyList<StoredRegistry> entries, ImageReference? image, RegistryAddress address)
        => SelectDeciding(entries, image, image is null ? address : null);

    // Whether the deciding entry's answer needs a fetch: it is Active and its credential comes from a source. An inactive
    // or removed entry never runs its source.
    internal static bool NeedsFetch(StoredRegistry? deciding)
        => deciding is { Registry: { State: RegistryState.Active, Source.IsFetched: true } };

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

    // The answer the deciding entry gives, for an image or (image null) a whole address or scope, without I/O: Anonymous
    // when no entry decides; Denied when it is Inactive or its stored credential expired at 'now'; Authenticated with its
    // stored credential; and, for a credential fetched from a source, Unavailable saying so: the paths that can fetch
    // (CredentialSources) ask NeedsFetch first and never take this answer. The one place of the outcomes.
    internal static CredentialResolution Answer(ImageReference? image, RegistryAddress address, StoredRegistry? deciding, DateTimeOffset? now)
    {
        if (deciding is null)
        {
            return CredentialResolution.Of(ResolutionOutcome.Anonymous, image, address, null, null, null);
        }

        var registry = deciding.Registry;
        if (registry.State != RegistryState.Active)
        {
            return CredentialResolution.Of(ResolutionOutcome.Denied, image, address, registry, null, DeniedReason(registry));
        }

        if (IsExpired(registry, now))
        {
            return CredentialResolution.Of(ResolutionOutcome.Denied, image, address, registry, null, ExpiredReason(registry));
        }

        return registry.Source.IsFetched
            ? CredentialResolution.Unavailable(image, address, registry, $"Registry {registry.Scope} ({registry.Id}) takes its credential from {registry.Source}, which is fetched only when an image is resolved through RegistryService or LaunchResolver.")
            : CredentialResolution.Of(ResolutionOutcome.Authenticated, image, address, registry, deciding.Password!, null);
    }

    // ISO 8601 in UTC to the second, the form every message and the CLI show an instant in.
    internal static string Iso(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsExpired(Registry registry, DateTimeOffset? now)
        => now is { } at && registry.ExpiresAt is { } expiresAt && at >= expiresAt;

    private static string DeniedReason(Registry registry)
        => $"Registry {registry.Scope} ({registry.Id}) is inactive in environment '{registry.EnvironmentId}': pulls from it are prohibited. Activate it, or add a new credential for {registry.Scope}.";

    private static string ExpiredReason(Registry registry)
        => $"The stored credential of registry {registry.Scope} ({registry.Id}) in environment '{registry.EnvironmentId}' expired at {Iso(registry.ExpiresAt!.Value)}: pulls with it would be refused. Edit the entry with a new credential (and its new expiry date).";
}
