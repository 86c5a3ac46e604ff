using System.Text;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Answers the kubelet's image credential provider requests (<c>credentialprovider.kubelet.k8s.io/v1</c>) from an environment's rules, live.</summary>
/// <remarks>
/// <para>The kubelet runs a provider for each image that one of its <c>matchImages</c> matches (see
/// <see cref="CreateConfigurationAsync"/>), writes a <see cref="KubeletCredentialRequest"/> on its stdin and reads the
/// <see cref="KubeletCredentialResponse"/> on its stdout. The image is resolved through
/// <see cref="RegistryService.ResolveAsync(string, ImageReference, CancellationToken)"/> for the service's caller, who
/// must be an Owner or Member (<see cref="RegistryPermission.UseCredentials"/>): Authenticated answers with the
/// credential, cached by the kubelet no longer than the credential's remaining life; Anonymous with an empty
/// <c>auth</c> (the kubelet pulls without a credential from this provider); Denied and Unavailable with no document
/// (the provider reports the reason and exits with an error; the kubelet logs it and pulls without a credential from
/// this provider, so a private registry refuses the pull). A credential that is an identity or registry token has no
/// document either (see <see cref="KubeletCredentialResponse.Refusal"/>).</para>
/// <para>Scopes: the kubelet asks per image, so path-scoped and host-pattern entries decide exactly as in
/// <see cref="CredentialResolver"/> (the most specific covering scope; <c>team</c> covers <c>REGISTRY/team/app</c> but not
/// <c>REGISTRY/team-b/app</c>; an inactive deciding entry denies, with no fallback to the host's). Where a registry
/// has path-scoped entries the answer is cached per image (<see cref="KubeletCredentialResponse.ImageCacheKeyType"/>),
/// since a per-registry cache would hand one path's answer to another.</para>
/// <para>Policy: the environment's <see cref="RegistryPolicy"/> is decided on the image first; a denied image is Denied
/// (naming the rule) and gets no document, so the kubelet gets no credential for it from this provider. The provider can
/// only withhold: the kubelet then pulls without one, which a private registry refuses and a public one does not.
/// Where the policy has a path-scoped or digest-only rule for the image's registry, the answer is cached per image, so
/// that an allowed image's credential never serves a denied one.</para>
/// <para>No password is kept anywhere on the node: a deactivation reaches it when the kubelet's cache of the answer
/// expires (<see cref="KubeletCredentialProviderOptions.CacheDuration"/>). This is how an environment of Kubernetes
/// orchestration gets its registries, once <see cref="RegistriesOptions.SupportedOrchestrations"/> includes
/// Kubernetes.</para>
/// <para>Thread-safe when the service's store is.</para>
/// </remarks>
public sealed class KubeletCredentialProvider
{
    /// <summary>The API version of the kubelet's <c>CredentialProviderConfig</c>.</summary>
    public const string ConfigurationApiVersion = "kubelet.config.k8s.io/v1";

    private readonly RegistryService _service;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new provider over the user-facing service.</summary>
    /// <param name="service">The service that checks permissions and resolves credentials, for its caller.</param>
    /// <param name="options">The options (the cache duration).</param>
    /// <param name="timeProvider">The clock that tells a credential's remaining life; the system clock when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="service"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid (a cache duration outside 1s..24h or not whole seconds).</exception>
    public KubeletCredentialProvider(RegistryService service, IOptions<KubeletCredentialProviderOptions> options, TimeProvider? timeProvider = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var value = ValidatedOptions.Get(options, new KubeletCredentialProviderOptionsValidator());
        _service = service;
        _cacheDuration = value.CacheDuration;
    }

    /// <summary>Answers one request for an environment.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="request">The kubelet's request.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The answer; for a Denied or Unavailable outcome, or a token, it has no document (see <see cref="KubeletCredentialResponse.HasDocument"/>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="environmentId"/> or <paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<KubeletCredentialResponse> ProvideAsync(string environmentId, KubeletCredentialRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(request);
        var resolution = await _service.ResolveAsync(environmentId, request.Reference, cancellationToken).ConfigureAwait(false);

        // Cached per registry, a team/... answer would serve team-b/... (and the reverse) until it expires: where the
        // registry has path-scoped entries, the kubelet must ask per image. So too where the policy has a path-scoped or
        // digest-only rule for it: an allowed image's credential, cached per registry, would serve a denied one.
        var entries = await _service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var policy = await _service.GetPolicyAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var perImage = entries.Any(e => e.Registry.State != RegistryState.Removed
                && !e.Registry.Scope.IsHostLevel
                && e.Registry.Scope.Address.Covers(request.Reference.Address))
            || policy.Rules.Any(r => (!r.Scope.IsHostLevel || r.DigestOnly) && r.Scope.Address.Covers(request.Reference.Address));
        return new KubeletCredentialResponse(
            request,
            resolution,
            AuthKeyFor(request),
            CacheDurationFor(resolution, _cacheDuration, _timeProvider.GetUtcNow()),
            perImage ? KubeletCredentialResponse.ImageCacheKeyType : KubeletCredentialResponse.CacheKeyType,
            TokenRefusal(resolution));
    }

    /// <summary>The configured duration, or the credential's remaining life when shorter, in whole seconds rounded down
    /// (zero, "do not cache", when under a second is left).</summary>
    internal static TimeSpan CacheDurationFor(CredentialResolution resolution, TimeSpan configured, DateTimeOffset now)
    {
        if (resolution.ExpiresAt is not { } expiresAt)
        {
            return configured;
        }

        var left = expiresAt - now;
        if (left >= configured)
        {
            return configured;
        }

        return left <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Floor(left.TotalSeconds));
    }

    // The kubelet's protocol carries a username and a password; a token in the password field works only where the
    // registry's token realm happens to accept it as one, which nothing here can know: refused with what to do instead.
    private static string? TokenRefusal(CredentialResolution resolution)
        => resolution.Outcome == ResolutionOutcome.Authenticated && resolution.SecretKind != CredentialSecretKind.Password
            ? $"the credential of registry '{resolution.RegistryId}' ({resolution.Source}) is {(resolution.SecretKind == CredentialSecretKind.IdentityToken ? "an identity token" : "a registry access token")}, and the kubelet's protocol carries only a username and a password. Give the kubelet this registry through a stored credential (a robot account or deploy token) or its registry's own kubelet plugin."
            : null;

    /// <summary>Serves one exchange: reads the request from <paramref name="input"/> (bounded), resolves it and writes the response to <paramref name="output"/>, when it has a document.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="input">The kubelet's request (the provider's stdin); read to its end, at most <see cref="KubeletCredentialRequest.MaxBytes"/> bytes.</param>
    /// <param name="output">Where the response goes (the provider's stdout); nothing is written when there is no document or on an error.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The answer, whose <see cref="KubeletCredentialResponse.Outcome"/> tells whether a document was written.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="KubeletCredentialRequestException">The request is not a valid <c>CredentialProviderRequest</c>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="PermissionDeniedException">The caller is ReadOnly and may not use the environment's credentials.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    /// <exception cref="IOException">A stream could not be read or written.</exception>
    public async Task<KubeletCredentialResponse> ServeAsync(string environmentId, Stream input, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var request = await KubeletCredentialRequest.ReadAsync(input, cancellationToken).ConfigureAwait(false);
        var response = await ProvideAsync(environmentId, request, cancellationToken).ConfigureAwait(false);
        if (response.HasDocument)
        {
            await response.WriteAsync(output, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>Renders the kubelet's <c>CredentialProviderConfig</c> (YAML) that sends the environment's images to this provider.</summary>
    /// <param name="environmentId">The environment.</param>
    /// <param name="providerName">The provider's executable in the kubelet's <c>--image-credential-provider-bin-dir</c>, for example <c>registries</c> (a file name, no path).</param>
    /// <param name="arguments">The arguments the kubelet passes to it (the command, the environment, the store, the caller...); written as they are.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The document: one provider whose <c>matchImages</c> are the scopes of the environment's registries in the
    /// kubelet's syntax (Docker Hub as <c>docker.io</c>, the name the kubelet gives its images; a host pattern as it is,
    /// <c>*.corp.example</c>, which the kubelet matches one DNS label per <c>*</c> with the same port, as the entry does;
    /// a path-scoped entry as <c>HOST/PATH</c>, which the kubelet matches as a raw prefix, so it also runs the provider for
    /// <c>HOST/PATH-b/...</c>, and the provider answers that image by its own rules), in every state, so that an inactive one
    /// is asked about and refused rather than never asked; <c>defaultCacheDuration</c> is the cache duration.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The provider name is empty, has a path separator or is '.' or '..'; or an argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The environment has no registry: the kubelet refuses a provider without <c>matchImages</c>.</exception>
    /// <exception cref="MissingCallerException">The service has no caller.</exception>
    /// <exception cref="EnvironmentNotFoundException">No such environment, or the caller is not a member.</exception>
    /// <exception cref="UnsupportedOrchestrationException">Registries are not supported in the environment's orchestration.</exception>
    /// <exception cref="RegistryStoreException">The store failed.</exception>
    public async Task<string> CreateConfigurationAsync(string environmentId, string providerName, IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environmentId);
        ArgumentNullException.ThrowIfNull(providerName);
        ArgumentNullException.ThrowIfNull(arguments);
        if (providerName.Length == 0 || providerName is "." or ".." || providerName.IndexOfAny(['/', '\\']) >= 0 || providerName.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"'{providerName}' is not a provider name: the kubelet runs the file of that name in its --image-credential-provider-bin-dir, so give a file name without a path, for example 'registries'.",
                nameof(providerName));
        }

        if (arguments.Any(a => a is null))
        {
            throw new ArgumentException("An argument of the provider is null.", nameof(arguments));
        }

        var entries = await _service.ListRegistriesAsync(environmentId, cancellationToken).ConfigureAwait(false);
        var patterns = entries
            .Where(e => e.IsEffective)
            .Select(e => MatchImageOf(e.Registry.Scope))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (patterns.Length == 0)
        {
            throw new InvalidOperationException(
                "The environment has no registry, and the kubelet refuses a credential provider without matchImages: add a registry first (registry add).");
        }

        var text = new StringBuilder();
        text.Append("apiVersion: ").Append(ConfigurationApiVersion).Append('\n');
        text.Append("kind: CredentialProviderConfig\n");
        text.Append("providers:\n");
        text.Append("  - name: ").Append(YamlText.Quote(providerName)).Append('\n');
        text.Append("    apiVersion: ").Append(KubeletCredentialRequest.ApiVersionV1).Append('\n');
        text.Append("    matchImages:\n");
        foreach (var pattern in patterns)
        {
            text.Append("      - ").Append(YamlText.Quote(pattern)).Append('\n');
        }

        text.Append("    defaultCacheDuration: ").Append(YamlText.Quote(KubeletDuration.Format(_cacheDuration))).Append('\n');
        if (arguments.Count > 0)
        {
            text.Append("    args:\n");
            foreach (var argument in arguments)
            {
                text.Append("      - ").Append(YamlText.Quote(argument)).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string MatchImageOf(RegistryScope scope)
    {
        var host = scope.Address.IsDockerHub ? "docker.io" : scope.Address.ToString();
        return scope.IsHostLevel ? host : host + "/" + scope.Path;
    }

    // The kubelet matches each auth key against the image it asked for, host against host: the key is the image's
    // first component as the kubelet wrote it (case and alias kept), so that it matches whatever the address's own
    // spelling is. An image without a registry component (which a kubelet never sends: it normalizes "nginx" to
    // "docker.io/library/nginx") gets the address's own name, docker.io for Docker Hub.
    internal static string AuthKeyFor(KubeletCredentialRequest request)
    {
        var address = request.Reference.Address;
        var slash = request.Image.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && RegistryAddress.TryParse(request.Image.AsSpan(0, slash), out var written) && written.Equals(address))
        {
            return request.Image[..slash];
        }

        return address.IsDockerHub ? "docker.io" : address.ToString();
    }
}
