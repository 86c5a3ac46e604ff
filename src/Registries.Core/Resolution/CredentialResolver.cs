using Registries.Core.Events;
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
/// <para>This is the system path used at launch time (no caller): code that acts for a user goes through
/// <see cref="RegistryService.ResolveAsync(string, ImageReference, CancellationToken)"/>, which checks the caller's
/// permission first. Thread-safe when the store is.</para>
/// </remarks>
public sealed class CredentialResolver
{
    private readonly RegistriesOptions _options;
    private readonly IResolutionObserver[] _observers;
    private readonly IObserverFailureHandler? _failures;

    /// <summary>Initializes a new resolver over a store.</summary>
    /// <param name="store">The store.</param>
    /// <param name="options">The options; the defaults when <see langword="null"/>.</param>
    /// <param name="observers">Observers told of every resolution (without its password), for example a logger.</param>
    /// <param name="failureHandler">Receives what an observer throws; the resolution is answered all the same.</param>
    /// <exception cref="ArgumentException">The options are not valid (the message says which and how to fix them).</exception>
    public CredentialResolver(IRegistryStore store, RegistriesOptions? options = null, IEnumerable<IResolutionObserver>? observers = null, IObserverFailureHandler? failureHandler = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        _options = options ?? new RegistriesOptions();
        _options.ThrowIfInvalid();
        _observers = observers?.ToArray() ?? [];
        _failures = failureHandler;
    }

    // The service reads the same store, so that one read serves both the permission check and the resolution.
    internal IRegistryStore Store { get; }

    internal RegistriesOptions Options => _options;

    /// <summary>Resolves an image in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(image);
        var data = await Store.ReadResolutionAsync(environmentId, image.Address, cancellationToken).ConfigureAwait(false);
        _options.EnsureSupported(data.Environment ?? throw new EnvironmentNotFoundException(environmentId));
        return Observed(environmentId, Resolve(image, data.Entries));
    }

    /// <summary>Resolves an image given as text in an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="image">The image, as Docker accepts it.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    /// <exception cref="ImageReferenceFormatException">The image is not a valid reference.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public ValueTask<CredentialResolution> ResolveAsync(string environmentId, string image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return ResolveAsync(environmentId, ImageReference.Parse(image), cancellationToken);
    }

    /// <summary>Resolves a registry address in an environment: the answer for every image of that address.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="address">The registry address.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Authenticated, Anonymous or Denied, with <see cref="CredentialResolution.Image"/> <see langword="null"/>.</returns>
    /// <remarks>For credential protocols that ask per server (a Docker credential helper, an exported config file)
    /// and for addresses no image reference can name (a one-label host without a port, such as <c>myregistry</c>, which
    /// Docker reads as a Docker Hub namespace in <c>myregistry/app</c>).</remarks>
    /// <exception cref="EnvironmentNotFoundException">No such environment.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async ValueTask<CredentialResolution> ResolveAsync(string environmentId, RegistryAddress address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(address);
        var data = await Store.ReadResolutionAsync(environmentId, address, cancellationToken).ConfigureAwait(false);
        _options.EnsureSupported(data.Environment ?? throw new EnvironmentNotFoundException(environmentId));
        return Observed(environmentId, Resolve(address, data.Entries));
    }

    /// <summary>Decides the resolution of an image from the entries that could cover it, without I/O.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entries">Entries of one environment, in any order: those of the image's address and of the host
    /// patterns that cover it (entries that do not cover the image are ignored).</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    public static CredentialResolution Resolve(ImageReference image, IReadOnlyList<RegistryRecord> entries)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(entries);
        var effective = SelectDeciding(entries, image, null);
        if (effective is null)
        {
            return CredentialResolution.Anonymous(image);
        }

        var registry = effective.Registry;
        return registry.State == RegistryState.Active
            ? CredentialResolution.Authenticated(image, registry, effective.Password!)
            : CredentialResolution.Denied(image, registry, DeniedReason(registry));
    }

    /// <summary>Decides the resolution of a whole registry address from its entries, without I/O.</summary>
    /// <param name="address">The address.</param>
    /// <param name="entries">Entries of one environment, in any order; only host-level entries (no path) whose address
    /// or pattern covers the address count.</param>
    /// <returns>Authenticated, Anonymous or Denied.</returns>
    public static CredentialResolution Resolve(RegistryAddress address, IReadOnlyList<RegistryRecord> entries)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(entries);
        var effective = SelectDeciding(entries, null, address);
        if (effective is null)
        {
            return CredentialResolution.Anonymous(address);
        }

        var registry = effective.Registry;
        return registry.State == RegistryState.Active
            ? CredentialResolution.Authenticated(address, registry, effective.Password!)
            : CredentialResolution.Denied(address, registry, DeniedReason(registry));
    }

    /// <summary>Explains the resolution of an image: every entry that could have answered, and why it did or did not.</summary>
    /// <param name="image">The image.</param>
    /// <param name="entries">Entries of one environment, in any order (for example all of them); entries of other
    /// addresses are left out of the explanation, those of host patterns are kept (with "pattern did not match" when
    /// they do not cover the image).</param>
    /// <returns>The explanation, without any password.</returns>
    public static ResolutionExplanation Explain(ImageReference image, IReadOnlyList<RegistryRecord> entries)
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
    private static RegistryRecord? SelectDeciding(IReadOnlyList<RegistryRecord> entries, ImageReference? image, RegistryAddress? address)
    {
        RegistryRecord? best = null;
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

    // The service's path: the caller was authorized on data.Environment; the entries were read with it.
    internal CredentialResolution ResolveIn(string environmentId, ImageReference image, IReadOnlyList<RegistryRecord> entries)
        => Observed(environmentId, Resolve(image, entries));

    internal CredentialResolution ResolveIn(string environmentId, RegistryAddress address, IReadOnlyList<RegistryRecord> entries)
        => Observed(environmentId, Resolve(address, entries));

    internal CredentialResolution ResolveIn(string environmentId, RegistryScope scope, RegistryRecord? effective)
    {
        if (effective is null)
        {
            return Observed(environmentId, CredentialResolution.Anonymous(scope.Address));
        }

        var registry = effective.Registry;
        return Observed(environmentId, registry.State == RegistryState.Active
            ? CredentialResolution.Authenticated(scope.Address, registry, effective.Password!)
            : CredentialResolution.Denied(scope.Address, registry, DeniedReason(registry)));
    }

    private static string DeniedReason(Registry registry)
        => $"Registry {registry.Scope} ({registry.Id}) is inactive in environment '{registry.EnvironmentId}': pulls from it are prohibited. Activate it, or add a new credential for {registry.Scope}.";

    private CredentialResolution Observed(string environmentId, CredentialResolution resolution)
    {
        if (_observers.Length == 0)
        {
            return resolution;
        }

        var told = new ResolutionEvent(environmentId, resolution);
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnResolved(told);
            }
#pragma warning disable CA1031 // Best effort: the resolution is made; an observer's failure must not change the answer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ObserverFailures.Report(_failures, new ObserverFailure(observer, told, ex));
            }
        }

        return resolution;
    }
}
