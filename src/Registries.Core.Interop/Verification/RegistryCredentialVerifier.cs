using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;

namespace Registries.Core.Interop;

/// <summary>Checks a credential against its registry the way <c>docker login</c> does.</summary>
/// <remarks>
/// <para>The handshake of the Docker Registry HTTP API v2: <c>GET /v2/</c> without credentials; on a 401, follow the
/// <c>WWW-Authenticate</c> challenge: Basic (retry with the credential) or Bearer (ask the token realm for a token with
/// the credential, then retry with the token). The answer is Valid, Invalid (with the registry's message) or
/// Unreachable.</para>
/// <para>Safety: the credential goes only to the registry's own host and to the token realm the registry names.
/// Redirects are followed only to the same host and port (never from HTTPS to HTTP), so no other host ever gets the
/// credential; a token realm over HTTP named by an HTTPS registry is refused. TLS is checked against the system's
/// trust store plus Docker's <c>certs.d</c> folder (see <see cref="RegistryVerificationOptions.CertificatesDirectory"/>),
/// so a self-signed registry verifies once it is trusted for Docker. Plain HTTP is used only for registries listed in
/// <see cref="RegistryVerificationOptions.InsecureRegistries"/>; a registry that answers HTTPS in plain HTTP is reported
/// as such. Messages never contain the credential in any form (clear, <c>user:password</c>, base64, JSON, URL-encoded)
/// nor the Bearer token obtained on the way, even when a server echoes them.</para>
/// <para>Docker Hub (<c>docker.io</c>) is asked at its API host, <c>registry-1.docker.io</c>. Thread-safe: each call
/// uses its own connections.</para>
/// </remarks>
public sealed class RegistryCredentialVerifier
{
    /// <summary>The host of Docker Hub's registry API.</summary>
    internal const string DockerHubApiHost = "registry-1.docker.io";

    private const int MaxRedirects = 5;
    private const int MaxBodyBytes = 64 * 1024;
    private readonly string _certificatesDirectory;
    private readonly TimeSpan _timeout;
    private readonly HashSet<RegistryAddress> _insecureRegistries;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new verifier.</summary>
    /// <param name="options">The options, read once: later changes to the options object do not reach this verifier.</param>
    /// <param name="timeProvider">The clock for the timeout; the system clock when <see langword="null"/>.</param>
    /// <remarks>Outside dependency injection: <c>new RegistryCredentialVerifier(Options.Create(new RegistryVerificationOptions { ... }))</c>.
    /// In it: <c>services.AddRegistries().UseRegistryVerification(...)</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid (an empty certificate folder, a timeout
    /// that is not positive or longer than 10 minutes); the message says what to fix, as at start-up under dependency injection.</exception>
    public RegistryCredentialVerifier(IOptions<RegistryVerificationOptions> options, TimeProvider? timeProvider = null)
    {
        var value = ValidatedOptions.Get(options, new RegistryVerificationOptionsValidator());
        _certificatesDirectory = value.CertificatesDirectory;
        _timeout = value.Timeout;
        _insecureRegistries = [.. value.InsecureRegistries];
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Verifies a credential against its registry.</summary>
    /// <param name="address">The registry address.</param>
    /// <param name="credential">The credential (the e-mail address is not sent).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>Valid, Invalid or Unreachable, with a message.</returns>
    /// <remarks>No permission is checked here: the verifier talks to registries, not to environments. To verify before
    /// saving, for a caller, use <see cref="RegistryServiceVerificationExtensions.AddVerifiedRegistryAsync(RegistryService, RegistryCredentialVerifier, string, RegistryScope, RegistryCredential, CancellationToken)"/>, which checks
    /// the caller's permission before anything is sent.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async Task<RegistryVerificationResult> VerifyAsync(RegistryAddress address, RegistryCredential credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(credential);
        var insecure = _insecureRegistries.Contains(address);
        using var trust = new RegistryTrust(_certificatesDirectory, skipVerification: insecure);
        if (!address.IsDockerHub)
        {
            trust.AddAuthority(address.ToString());
        }

        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _timeout,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Registries.Core.Interop/1");
        var session = new Session(address, credential, trust, client);
        var schemes = insecure ? new[] { "https", "http" } : ["https"];
        RegistryVerificationResult? result = null;
        foreach (var scheme in schemes)
        {
            // Each attempt has the whole timeout: an HTTPS attempt that hangs must not eat the HTTP fallback's time.
            using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                result = await session.RunAsync(scheme, linked.Token).ConfigureAwait(false);
            }
            // Our timeout, or the handler's ConnectTimeout (the same length), which can fire first and throws a
            // TaskCanceledException around a TimeoutException without cancelling any token: both mean no answer in time.
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && (timeout.IsCancellationRequested || ex.InnerException is TimeoutException))
            {
                result = session.TimedOut($"no answer within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
            }

            // Docker falls back to HTTP for an insecure registry only when HTTPS cannot be spoken at all.
            if (!session.TransportFailed)
            {
                break;
            }
        }

        return result!;
    }

    /// <summary>Returns the base URL of a registry's API, <c>{scheme}://host[:port]/v2/</c>.</summary>
    internal static Uri ApiBase(RegistryAddress address, string scheme)
    {
        var authority = address.IsDockerHub ? DockerHubApiHost : address.ToString();
        return new Uri($"{scheme}://{authority}/v2/", UriKind.Absolute);
    }

    internal static string AuthorityOf(Uri uri) => uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);

    private static bool SameEndpoint(Uri a, Uri b)
        => string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>One verification: the credential, the connections, and the rules about where the credential may go.</summary>
    private sealed class Session
    {
        private readonly RegistryAddress _address;
        private readonly RegistryCredential _credential;
        private readonly RegistryTrust _trust;
        private readonly HttpClient _client;
        private CredentialMask _mask;

        public Session(RegistryAddress address, RegistryCredential credential, RegistryTrust trust, HttpClient client)
        {
            _address = address;
            _credential = credential;
            _mask = CredentialMask.For(credential.Username, (credential.Password ?? throw new ArgumentException("Only a stored username and password can be verified.", nameof(credential))).Reveal());
            _trust = trust;
            _client = client;
        }

        /// <summary>Gets a value indicating whether the last run failed before any HTTP answer (connection or TLS).</summary>
        public bool TransportFailed { get; private set; }

        public RegistryVerificationResult Unreachable(string message) => new(_address, RegistryVerificationOutcome.Unreachable, Mask(message));

        public RegistryVerificationResult TimedOut(string message)
        {
            TransportFailed = true;
            return Unreachable(message);
        }

        public async Task<RegistryVerificationResult> RunAsync(string scheme, CancellationToken cancellationToken)
        {
            TransportFailed = false;
            var apiBase = ApiBase(_address, scheme);
            try
            {
                using var ping = await SendAsync(apiBase, credentialsFor: null, authorization: null, cancellationToken).ConfigureAwait(false);
                if (ping.StatusCode == HttpStatusCode.OK)
                {
                    return Result(RegistryVerificationOutcome.Valid, $"{apiBase} asks for no authentication; like docker login, the credential is accepted without being checked.");
                }

                if (ping.StatusCode != HttpStatusCode.Unauthorized)
                {
                    return Unreachable($"{apiBase} answered {Describe(ping)}: this is not a Docker registry (API v2) endpoint.");
                }

                var challenges = ping.Headers.TryGetValues("WWW-Authenticate", out var values)
                    ? values.Select(AuthenticationChallenge.Parse).OfType<AuthenticationChallenge>().ToArray()
                    : [];
                if (challenges.FirstOrDefault(c => c.IsBearer) is { } bearer)
                {
                    return await BearerAsync(apiBase, bearer, cancellationToken).ConfigureAwait(false);
                }

                if (challenges.Any(c => c.IsBasic))
                {
                    using var answer = await SendAsync(apiBase, apiBase, BasicHeader(), cancellationToken).ConfigureAwait(false);
                    return await JudgeAsync(answer, apiBase, "the registry", cancellationToken).ConfigureAwait(false);
                }

                return Unreachable($"{apiBase} answered 401 without a Basic or Bearer challenge; the credential could not be checked.");
            }
            catch (RedirectRefusedException ex)
            {
                return Unreachable(ex.Message);
            }
            catch (HttpRequestException ex) when (ex.StatusCode is null)
            {
                TransportFailed = true;
                return Unreachable(await DescribeTransportFailureAsync(ex, apiBase, cancellationToken).ConfigureAwait(false));
            }
        }

        private async Task<RegistryVerificationResult> BearerAsync(Uri apiBase, AuthenticationChallenge challenge, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(challenge["realm"], UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
            {
                return Unreachable($"{apiBase} names a token realm that is not an http(s) URL ('{challenge["realm"]}'); the credential could not be checked.");
            }

            if (apiBase.Scheme == Uri.UriSchemeHttps && realm.Scheme == Uri.UriSchemeHttp)
            {
                return Unreachable($"refused: {apiBase} (HTTPS) names the token realm {realm.GetLeftPart(UriPartial.Path)} over plain HTTP, which would send the credential without TLS. Fix the registry's token realm to use https.");
            }

            _trust.AddAuthority(AuthorityOf(realm));
            var query = new StringBuilder(realm.Query.TrimStart('?'));
            void Add(string name, string value)
            {
                query.Append(query.Length == 0 ? string.Empty : "&").Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }

            if (challenge["service"] is { Length: > 0 } service)
            {
                Add("service", service);
            }

            foreach (var scope in (challenge["scope"] ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                Add("scope", scope);
            }

            Add("account", _credential.Username);
            var tokenUri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
            string token;
            using (var tokenAnswer = await SendAsync(tokenUri, tokenUri, BasicHeader(), cancellationToken).ConfigureAwait(false))
            {
                if (tokenAnswer.StatusCode != HttpStatusCode.OK)
                {
                    return await JudgeAsync(tokenAnswer, tokenUri, "the token server", cancellationToken).ConfigureAwait(false);
                }

                var body = await ReadBodyAsync(tokenAnswer, cancellationToken).ConfigureAwait(false);
                if (ReadToken(body) is not { Length: > 0 } found)
                {
                    return Unreachable($"the token server {realm.GetLeftPart(UriPartial.Path)} answered 200 without a token; the credential could not be checked.");
                }

                token = found;
            }

            // The token is a credential too: a registry that echoes it back must not put it in a message.
            _mask = _mask.With(token);

            using var answer = await SendAsync(apiBase, apiBase, new AuthenticationHeaderValue("Bearer", token), cancellationToken).ConfigureAwait(false);
            return await JudgeAsync(answer, apiBase, "the registry (with the token it was given)", cancellationToken).ConfigureAwait(false);
        }

        private async Task<RegistryVerificationResult> JudgeAsync(HttpResponseMessage answer, Uri uri, string who, CancellationToken cancellationToken)
        {
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                return Result(RegistryVerificationOutcome.Valid, $"{_address} accepted the credential of '{_credential.Username}'.");
            }

            var body = await ReadBodyAsync(answer, cancellationToken).ConfigureAwait(false);
            // Masked before it is shortened: a cut would leave part of an encoded credential unrecognizable.
            var said = RegistryMessage(_mask.Apply(body));
            if (answer.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return Result(RegistryVerificationOutcome.Invalid, $"{who} refused the credential of '{_credential.Username}' ({Describe(answer)}): {said ?? "no reason given"}.");
            }

            return Unreachable($"{who} answered {Describe(answer)} at {uri.GetLeftPart(UriPartial.Path)}{(said is null ? string.Empty : ": " + said)}; the credential could not be checked.");
        }

        /// <summary>Sends a GET, following redirects only to the same host and port, never from HTTPS to HTTP.</summary>
        /// <param name="uri">The URL.</param>
        /// <param name="credentialsFor">The one endpoint the authorization may be sent to, or <see langword="null"/>.</param>
        /// <param name="authorization">The header, or <see langword="null"/> for none.</param>
        /// <param name="cancellationToken">Cancels the operation.</param>
        private async Task<HttpResponseMessage> SendAsync(Uri uri, Uri? credentialsFor, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
        {
            var current = uri;
            for (var redirects = 0; ; redirects++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                if (authorization is not null && credentialsFor is not null && SameEndpoint(current, credentialsFor))
                {
                    request.Headers.Authorization = authorization;
                }

                var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if ((int)response.StatusCode is < 300 or > 399 || response.Headers.Location is not { } location)
                {
                    return response;
                }

                response.Dispose();
                var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (!SameEndpoint(current, next) || (current.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps))
                {
                    throw new RedirectRefusedException(
                        $"refused: {current.GetLeftPart(UriPartial.Authority)} redirected to {next.GetLeftPart(UriPartial.Authority)}, another host or a downgrade to HTTP; credentials are sent only to the registry and its token realm, so the credential could not be checked.");
                }

                if (redirects >= MaxRedirects)
                {
                    throw new RedirectRefusedException($"{uri.GetLeftPart(UriPartial.Path)} redirected more than {MaxRedirects} times; the credential could not be checked.");
                }

                current = next;
            }
        }

        private async Task<string> DescribeTransportFailureAsync(HttpRequestException ex, Uri apiBase, CancellationToken cancellationToken)
        {
            for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
            {
                if (inner is AuthenticationException)
                {
                    var authority = _address.ToString();

                    // No certificate came back: the handshake failed before one, which is what a server answering the
                    // TLS hello in plain HTTP causes. Ask it over HTTP (no credential) to say so instead of blaming a
                    // certificate that does not exist.
                    if (!_trust.SawCertificate && apiBase.Scheme == Uri.UriSchemeHttps && await SpeaksPlainHttpAsync(apiBase, cancellationToken).ConfigureAwait(false))
                    {
                        return $"{authority} speaks plain HTTP, not HTTPS. Either list {authority} in RegistryVerificationOptions.InsecureRegistries (and configure it as an insecure registry on each Docker host: 'registries insecure add {authority}'), or serve the registry over TLS.";
                    }

                    return _address.IsDockerHub
                        ? $"the TLS certificate of {DockerHubApiHost} is not trusted by this host's trust store."
                        : $"the TLS certificate of {authority} is not trusted (or does not name the host). Trust it as Docker does: put the CA certificate that signed it in {_trust.FolderFor(authority)}{Path.DirectorySeparatorChar}ca.crt, or list {authority} in InsecureRegistries.";
                }
            }

            return $"could not reach {_address}: {ex.Message}";
        }

        private async Task<bool> SpeaksPlainHttpAsync(Uri apiBase, CancellationToken cancellationToken)
        {
            var plain = new UriBuilder(apiBase) { Scheme = Uri.UriSchemeHttp, Port = apiBase.Port }.Uri;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, plain);
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        private RegistryVerificationResult Result(RegistryVerificationOutcome outcome, string message) => new(_address, outcome, Mask(message));

        private AuthenticationHeaderValue BasicHeader() => new("Basic", BasicValue());

        private string BasicValue() => DockerAuth.BasicValue(_credential.Username, _credential.Password!);

        /// <summary>Masks every form of the credential (and of the token obtained) in anything a server sent back.</summary>
        private string Mask(string message) => _mask.Apply(message);

        private static string Describe(HttpResponseMessage response)
            => ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + (string.IsNullOrEmpty(response.ReasonPhrase) ? string.Empty : " " + response.ReasonPhrase);

        private static async Task<string> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxBodyBytes];
                var total = 0;
                int read;
                while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }

                return Encoding.UTF8.GetString(buffer, 0, total);
            }
        }

        private static string? ReadToken(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                foreach (var name in (ReadOnlySpan<string>)["token", "access_token"])
                {
                    if (document.RootElement.ValueKind == JsonValueKind.Object
                        && document.RootElement.TryGetProperty(name, out var value)
                        && value.ValueKind == JsonValueKind.String)
                    {
                        return value.GetString();
                    }
                }
            }
            catch (JsonException)
            {
            }

            return null;
        }

        /// <summary>Reads what a registry or token server says: the v2 <c>errors</c> array, or <c>details</c>/<c>error</c>, or the text.</summary>
        private static string? RegistryMessage(string body)
        {
            var text = body.Trim();
            if (text.Length == 0)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(text);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                    {
                        var parts = errors.EnumerateArray()
                            .Where(e => e.ValueKind == JsonValueKind.Object)
                            .Select(e => string.Join(": ", new[] { StringOf(e, "code"), StringOf(e, "message") }.Where(s => !string.IsNullOrEmpty(s))))
                            .Where(s => s.Length > 0)
                            .ToArray();
                        if (parts.Length > 0)
                        {
                            return Shorten(string.Join("; ", parts));
                        }
                    }

                    foreach (var name in (ReadOnlySpan<string>)["details", "error_description", "error", "message"])
                    {
                        if (StringOf(root, name) is { Length: > 0 } value)
                        {
                            return Shorten(value);
                        }
                    }
                }
            }
            catch (JsonException)
            {
            }

            return Shorten(text.ReplaceLineEndings(" "));
        }

        private static string? StringOf(JsonElement element, string name)
            => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
    }

    private sealed class RedirectRefusedException : Exception
    {
        public RedirectRefusedException(string message)
            : base(message)
        {
        }
    }
}
