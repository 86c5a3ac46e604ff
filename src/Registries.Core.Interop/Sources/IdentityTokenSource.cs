using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Shared;
using Registries.Core.Sources;

namespace Registries.Core.Interop;

/// <summary>The credential source of identity-token entries: exchanges the entry's stored OAuth2 refresh token at the
/// registry's token realm for a short-lived access token, as the distribution token specification describes
/// (<c>grant_type=refresh_token</c>).</summary>
/// <remarks>
/// <para>Each fetch asks the registry <c>GET /v2/</c> without credentials and reads the realm and service of its
/// <c>WWW-Authenticate: Bearer</c> challenge, then POSTs the form <c>grant_type=refresh_token</c>, <c>service</c>,
/// <c>scope</c>, <c>client_id</c> and <c>refresh_token</c> to the realm.</para>
/// <para>For an image, the scope is <c>repository:REPO:pull</c> and the answer is that access token
/// (<see cref="CredentialSecretKind.RegistryToken"/>, shared by resolutions of the same repository only). Its expiry is
/// the realm's <c>expires_in</c> counted from when the request was sent, or the token's own JWT <c>exp</c> claim when
/// that is earlier, or the specification's default of 60 seconds when neither is given. A lifetime longer than
/// <see cref="IdentityTokenSourceOptions.MaxTokenLifetime"/> (a realm that says years) is shortened to it; a lifetime
/// under one second (zero, negative, microseconds) or an expiry already past is refused: such a token could only be
/// handed out after it expired.</para>
/// <para>For a whole address (the credential helper's <c>get</c>, an export), no single repository scope fits, and an
/// access token without one lets nothing be pulled. The answer is then the refresh token itself
/// (<see cref="CredentialSecretKind.IdentityToken"/>, with no expiry), exactly what <c>docker login</c> stores as
/// <c>identitytoken</c>, so that Docker exchanges it per repository itself. It is handed out only after the realm
/// accepted it in an exchange without scope, so a revoked token fails here instead of in a later pull.</para>
/// <para>A refused or revoked refresh token, a registry without a token realm, an unreachable or slow realm (see
/// <see cref="IdentityTokenSourceOptions.Timeout"/>), an answer longer than
/// <see cref="IdentityTokenSourceOptions.MaxResponseBytes"/> or one that is not a token answer all throw
/// <see cref="CredentialSourceException"/>, whose message quotes the realm's own error bounded, on one line, with every
/// form of the refresh token and of the access token masked (a server may echo them).</para>
/// <para>Safety: the refresh token goes only to the realm the registry names; redirects are not followed; an HTTPS
/// registry naming a plain-HTTP realm is refused. TLS trust is the verifier's and dockerd's (system store plus
/// <c>certs.d</c>; insecure registries as listed). A rotated refresh token in an answer is not kept: the stored one
/// stays. Thread-safe: each fetch uses its own connections.</para>
/// </remarks>
public sealed class IdentityTokenSource : ICredentialSource
{
    /// <summary>The username Docker's credential helper protocol and config files pair with an identity token.</summary>
    public const string IdentityTokenUsername = "<token>";

    private static readonly TimeSpan DefaultTokenLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan MinTokenLifetime = TimeSpan.FromSeconds(1);
    private readonly string _certificatesDirectory;
    private readonly TimeSpan _timeout;
    private readonly int _maxResponseBytes;
    private readonly string _clientId;
    private readonly HashSet<RegistryAddress> _insecureRegistries;
    private readonly TimeProvider _timeProvider;

    /// <summary>Initializes a new source.</summary>
    /// <param name="options">The options, read once.</param>
    /// <param name="timeProvider">The clock for expiries and the timeout; the system clock when <see langword="null"/>.</param>
    /// <remarks>Outside dependency injection: <c>new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions { ... }))</c>.
    /// In it: <c>services.AddRegistries().AddIdentityTokenSource(...)</c>.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid; the message says what to fix.</exception>
    public IdentityTokenSource(IOptions<IdentityTokenSourceOptions> options, TimeProvider? timeProvider = null)
    {
        var value = ValidatedOptions.Get(options, new IdentityTokenSourceOptionsValidator());
        _certificatesDirectory = value.CertificatesDirectory;
        _timeout = value.Timeout;
        _maxResponseBytes = value.MaxResponseBytes;
        _clientId = value.ClientId;
        _insecureRegistries = [.. value.InsecureRegistries];
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public CredentialSourceKind Kind => CredentialSourceKind.IdentityToken;

    /// <summary>Exchanges the entry's refresh token for an access token to pull the image, or checks it and hands it
    /// out for a whole address (see the remarks of <see cref="IdentityTokenSource"/>).</summary>
    /// <param name="request">The identity-token entry, what is resolved, and the entry's refresh token.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The credential; never <see langword="null"/> (a realm that refuses the token is a failure, not "none").</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The entry is not an identity-token entry.</exception>
    /// <exception cref="CredentialSourceException">The exchange failed; the message says why and what to fix, without a secret.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public async ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Registry.Source.Kind != CredentialSourceKind.IdentityToken || request.StoredSecret is null)
        {
            throw new ArgumentException($"The entry's source is {request.Registry.Source}, not identity-token.", nameof(request));
        }

        var address = request.Address;
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
            MaxResponseHeadersLength = 64,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => trust.Validate(certificate, chain, errors);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Registries.Core.Interop/1");
        var exchange = new Exchange(this, request, trust, client);

        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var schemes = insecure ? new[] { Uri.UriSchemeHttps, Uri.UriSchemeHttp } : [Uri.UriSchemeHttps];
        for (var i = 0; ; i++)
        {
            try
            {
                return await exchange.RunAsync(schemes[i], linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && (timeout.IsCancellationRequested || ex.InnerException is TimeoutException))
            {
                throw exchange.Fail($"no answer from {address} or its token realm within {_timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; check that the registry is reachable, then refresh the entry.");
            }
            catch (HttpRequestException ex) when (ex.StatusCode is null)
            {
                // Docker falls back to HTTP for an insecure registry only when HTTPS cannot be spoken at all.
                if (i + 1 < schemes.Length && !exchange.ReachedRealm)
                {
                    continue;
                }

                throw exchange.Fail(Describe(ex, exchange.ReachedRealm ? "its token realm" : address.ToString(), address, trust));
            }
        }
    }

    /// <summary>Reads the <c>exp</c> claim of a JWT, or <see langword="null"/> when the token is not a JWT with one.</summary>
    internal static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length is 0 or > 16 * 1024)
        {
            return null;
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        var bytes = new byte[payload.Length];
        if (!Convert.TryFromBase64String(payload, bytes, out var written))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, written));
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("exp", out var exp)
                && exp.ValueKind == JsonValueKind.Number
                && exp.TryGetDouble(out var seconds)
                && seconds is > 0 and < 253402300799)
            {
                return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    /// <summary>Decides when an access token stops working (see the remarks of <see cref="IdentityTokenSource"/>).</summary>
    /// <returns>The expiry, or a reason to refuse the token.</returns>
    internal static (DateTimeOffset? ExpiresAt, string? Refusal) Expiry(DateTimeOffset sentAt, DateTimeOffset now, double? expiresIn, DateTimeOffset? jwtExpiry)
    {
        DateTimeOffset expiresAt;
        if (expiresIn is { } seconds)
        {
            if (double.IsNaN(seconds) || seconds < MinTokenLifetime.TotalSeconds)
            {
                return (null, $"the token realm gave an access token that lasts {seconds.ToString("G6", CultureInfo.InvariantCulture)} s (expires_in); a token that lasts under a second cannot be used before it expires. Fix the token realm's token lifetime.");
            }

            expiresAt = sentAt + (seconds >= IdentityTokenSourceOptions.MaxTokenLifetime.TotalSeconds ? IdentityTokenSourceOptions.MaxTokenLifetime : TimeSpan.FromSeconds(seconds));
        }
        else
        {
            expiresAt = jwtExpiry ?? sentAt + DefaultTokenLifetime;
        }

        if (jwtExpiry is { } exp && exp < expiresAt)
        {
            expiresAt = exp;
        }

        if (expiresAt > sentAt + IdentityTokenSourceOptions.MaxTokenLifetime)
        {
            expiresAt = sentAt + IdentityTokenSourceOptions.MaxTokenLifetime;
        }

        if (expiresAt - now < MinTokenLifetime)
        {
            return (null, $"the token realm gave an access token that expires at {expiresAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}, already past or within a second (its exp claim); check the token realm's clock.");
        }

        return (expiresAt, null);
    }

    private static string Describe(HttpRequestException ex, string who, RegistryAddress address, RegistryTrust trust)
    {
        for (Exception? inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
            {
                return address.IsDockerHub
                    ? $"the TLS certificate of {who} is not trusted by this host's trust store."
                    : $"the TLS certificate of {who} is not trusted (or does not name the host). Trust it as Docker does: put the CA certificate in {trust.FolderFor(address.ToString())}{Path.DirectorySeparatorChar}ca.crt, or list {address} in IdentityTokenSourceOptions.InsecureRegistries.";
            }
        }

        return $"could not reach {who}: {RegistryAnswers.Clean(ex.Message)}";
    }

    /// <summary>One fetch: the request, the connections, and everything to mask.</summary>
    private sealed class Exchange
    {
        private readonly IdentityTokenSource _source;
        private readonly CredentialSourceRequest _request;
        private readonly RegistryTrust _trust;
        private readonly HttpClient _client;
        private CredentialMask _mask;

        public Exchange(IdentityTokenSource source, CredentialSourceRequest request, RegistryTrust trust, HttpClient client)
        {
            _source = source;
            _request = request;
            _trust = trust;
            _client = client;
            _mask = CredentialMask.For(request.Registry.Username, request.StoredSecret!.Reveal());
        }

        /// <summary>Gets a value indicating whether the registry answered and the realm was asked (a transport failure then is the realm's).</summary>
        public bool ReachedRealm { get; private set; }

        private string Who => $"the identity token of '{_request.Registry.Username}' for {_request.Address}";

        public CredentialSourceException Fail(string message)
        {
            // Masked before it is cut: a cut would leave part of an encoded token unrecognizable.
            var text = RegistryAnswers.Clean(_mask.Apply(message));
            return new CredentialSourceException(_request.Registry.Source, text.Length <= 1000 ? text : text[..1000] + "...");
        }

        public async Task<SourcedCredential> RunAsync(string scheme, CancellationToken cancellationToken)
        {
            ReachedRealm = false;
            var apiBase = RegistryCredentialVerifier.ApiBase(_request.Address, scheme);
            AuthenticationChallenge? bearer;
            using (var ping = await SendAsync(new HttpRequestMessage(HttpMethod.Get, apiBase), cancellationToken).ConfigureAwait(false))
            {
                if (ping.StatusCode == HttpStatusCode.OK)
                {
                    throw Fail($"{_request.Address} asks for no authentication, so {Who} has nothing to be exchanged for. Remove the entry, or add one with a username and password if the registry should ask for them.");
                }

                if (ping.StatusCode != HttpStatusCode.Unauthorized)
                {
                    throw Fail($"{apiBase} answered {RegistryAnswers.Describe(ping)}: this is not a Docker registry (API v2) endpoint, so {Who} cannot be exchanged.");
                }

                var challenges = ping.Headers.TryGetValues("WWW-Authenticate", out var values)
                    ? values.Select(AuthenticationChallenge.Parse).OfType<AuthenticationChallenge>().ToArray()
                    : [];
                bearer = challenges.FirstOrDefault(c => c.IsBearer);
                if (bearer is null)
                {
                    throw Fail(challenges.Any(c => c.IsBasic)
                        ? $"{_request.Address} asks for Basic authentication and names no token realm, so {Who} cannot be exchanged there. Add the entry with a username and password instead."
                        : $"{_request.Address} answered 401 without a Bearer challenge, so {Who} cannot be exchanged.");
                }
            }

            if (!Uri.TryCreate(bearer["realm"], UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
            {
                throw Fail($"{_request.Address} names a token realm that is not an http(s) URL ('{Shorten(bearer["realm"] ?? string.Empty)}'), so {Who} cannot be exchanged.");
            }

            var realmText = Shorten(realm.GetLeftPart(UriPartial.Path));
            if (apiBase.Scheme == Uri.UriSchemeHttps && realm.Scheme == Uri.UriSchemeHttp)
            {
                throw Fail($"refused: {_request.Address} (HTTPS) names the token realm {realmText} over plain HTTP, which would send the identity token without TLS. Fix the registry's token realm to use https.");
            }

            _trust.AddAuthority(RegistryCredentialVerifier.AuthorityOf(realm));
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"),
                new("client_id", _source._clientId),
            };
            if (bearer["service"] is { Length: > 0 } service)
            {
                form.Add(new("service", service));
            }

            if (_request.Image is { } image)
            {
                form.Add(new("scope", $"repository:{image.Repository}:pull"));
            }

            form.Add(new("refresh_token", _request.StoredSecret!.Reveal()));
            var post = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            var sentAt = _source._timeProvider.GetUtcNow();
            ReachedRealm = true;
            string body;
            using (var answer = await SendAsync(post, cancellationToken).ConfigureAwait(false))
            {
                if ((int)answer.StatusCode is >= 300 and <= 399)
                {
                    throw Fail($"the token realm {realmText} answered {RegistryAnswers.Describe(answer)} (a redirect); the identity token is sent only to the realm the registry names, so it was not exchanged. Fix the registry's token realm.");
                }

                var (text, overflowed) = await RegistryAnswers.ReadAtMostAsync(answer, _source._maxResponseBytes, cancellationToken).ConfigureAwait(false);
                if (answer.StatusCode != HttpStatusCode.OK)
                {
                    var said = RegistryAnswers.Message(_mask.Apply(text)) ?? "no reason given";
                    throw Fail(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                        ? $"the token realm {realmText} refused {Who} ({RegistryAnswers.Describe(answer)}): {said}. The token may be revoked or expired: log in again and edit the entry with the new identity token."
                        : $"the token realm {realmText} answered {RegistryAnswers.Describe(answer)} for {Who}: {said}.");
                }

                if (overflowed)
                {
                    throw Fail($"the token realm {realmText} answered more than {_source._maxResponseBytes.ToString(CultureInfo.InvariantCulture)} bytes, which is no token answer; raise IdentityTokenSourceOptions.MaxResponseBytes only if its tokens are that long.");
                }

                body = text;
            }

            var (token, expiresIn) = ReadAnswer(body);
            if (token is null)
            {
                throw Fail($"the token realm {realmText} answered 200 without an access token (not a token answer: {RegistryAnswers.Message(_mask.Apply(body)) ?? "empty"}).");
            }

            // The access token is a credential too: an echo of it in any later message is masked.
            _mask = _mask.With(token);
            if (_request.Image is null)
            {
                // A whole address: the refresh token itself, now known to be accepted (see the type's remarks).
                return new SourcedCredential(_request.Registry.Username, _request.StoredSecret!, CredentialSecretKind.IdentityToken, null, CredentialCacheScope.Registry);
            }

            var (expiresAt, refusal) = Expiry(sentAt, _source._timeProvider.GetUtcNow(), expiresIn, JwtExpiry(token));
            if (refusal is not null)
            {
                throw Fail(refusal);
            }

            return new SourcedCredential(_request.Registry.Username, new RegistrySecret(token), CredentialSecretKind.RegistryToken, expiresAt, CredentialCacheScope.Image);
        }

        private static (string? Token, double? ExpiresIn) ReadAnswer(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return (null, null);
                }

                string? token = null;
                foreach (var name in (ReadOnlySpan<string>)["access_token", "token"])
                {
                    if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } found)
                    {
                        token = found;
                        break;
                    }
                }

                double? expiresIn = root.TryGetProperty("expires_in", out var expires) && expires.ValueKind == JsonValueKind.Number && expires.TryGetDouble(out var seconds)
                    ? seconds
                    : null;
                return (token is not null && token.All(c => c is > ' ' and < (char)127) ? token : null, expiresIn);
            }
            catch (JsonException)
            {
                return (null, null);
            }
        }

        private static string Shorten(string text)
        {
            var clean = RegistryAnswers.Clean(text);
            return clean.Length <= 200 ? clean : clean[..200] + "...";
        }

        private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using (request)
            {
                return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
