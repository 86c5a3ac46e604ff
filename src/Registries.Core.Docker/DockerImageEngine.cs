using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Registries.Core.Engine;

namespace Registries.Core.Docker;

/// <summary>The <see cref="IImageEngine"/> of a real Docker Engine, reached through its API with Docker.DotNet.</summary>
/// <remarks>
/// <para>A pull sends the credential of an Authenticated resolution as the Engine's <c>X-Registry-Auth</c> header
/// (base64url JSON, so every character of the password reaches the registry as it is) and nothing for an Anonymous
/// one. It reads the whole progress stream, because the Engine reports many failures inside a stream that began
/// with HTTP 200, and checks that the image is present at the end: a failed pull always ends in an
/// <see cref="ImagePullException"/> whose <see cref="ImagePullException.Error"/> says why and whose message says what
/// to do next, without the password.</para>
/// <para>Thread-safe; dispose it to release the connection to the Engine.</para>
/// </remarks>
public sealed class DockerImageEngine : IImageEngine, IDisposable
{
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly Uri _endpoint;
    private volatile bool _disposed;

    /// <summary>Initializes a new engine.</summary>
    /// <param name="options">Where the Engine is; <see langword="null"/> for the defaults (<c>DOCKER_HOST</c>, else the platform's socket).</param>
    /// <exception cref="ArgumentException">The options are not valid; the message lists each problem and its fix.</exception>
    public DockerImageEngine(DockerEngineOptions? options = null)
    {
        options ??= new DockerEngineOptions();
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("The Docker Engine options are not valid: " + string.Join(" ", errors), nameof(options));
        }

        _endpoint = options.EffectiveEndpoint();
        Credentials credentials = options.ClientCertificate is not null || options.CertificateAuthority is not null || _endpoint.Scheme == "https"
            ? new DockerTlsCredentials(options.ClientCertificate, options.CertificateAuthority)
            : new AnonymousCredentials();
        _configuration = new DockerClientConfiguration(_endpoint, credentials, options.RequestTimeout ?? TimeSpan.Zero);
        _client = _configuration.CreateClient();
    }

    /// <summary>Gets the Engine endpoint in use.</summary>
    public Uri Endpoint => _endpoint;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ImagePullException">The Engine cannot be reached (<see cref="ImagePullError.EngineUnavailable"/>) or failed (<see cref="ImagePullError.Failed"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async ValueTask<bool> ImageExistsAsync(ImageReference image, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            await _client.Images.InspectImageAsync(DockerPullRequest.LocalName(image), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException)
        {
            throw new OperationCanceledException($"Checking whether {image} is present was cancelled.", ex, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            throw new ImagePullException(
                ImagePullError.Failed,
                image,
                $"The Docker Engine at {_endpoint} failed to inspect {image} (HTTP {(int)ex.StatusCode}): {MessageOf(ex)}",
                ex);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw EngineUnavailable(image, ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException"><paramref name="resolution"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var request = DockerPullRequest.From(resolution);
        var image = resolution.Image;
        var mask = DockerPullFailure.MaskOf(resolution);
        var stream = new DockerPullStream(progress, mask);
        try
        {
            await _client.Images.CreateImageAsync(request.Parameters, request.AuthConfig, stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            throw new OperationCanceledException($"The pull of {image} was cancelled.", ex, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            // The inner exception carries the Engine's raw body, which may echo the credential: it is kept, masked.
            var masked = new DockerApiException(ex.StatusCode, mask.Apply(ex.ResponseBody));
            throw DockerPullFailure.Create(MessageOf(ex), ex.StatusCode, resolution, masked);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw EngineUnavailable(image, ex);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (stream.Error is { } error)
        {
            throw DockerPullFailure.Create(error, status: null, resolution);
        }

        if (!await ImageExistsAsync(image, cancellationToken).ConfigureAwait(false))
        {
            throw new ImagePullException(
                ImagePullError.Failed,
                image,
                $"The Docker Engine at {_endpoint} ended the pull of {image} without an error, but the image is not present (last status: '{stream.LastStatus}'). Pull it again; if it keeps failing, read the Engine's log.");
        }
    }

    /// <summary>Releases the connection to the Engine.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _client.Dispose();
        _configuration.Dispose();
    }

    /// <summary>Reads the Engine's <c>message</c> from an error response body.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>The message, or the raw body.</returns>
    internal static string MessageOf(DockerApiException exception)
    {
        var body = exception.ResponseBody;
        if (string.IsNullOrWhiteSpace(body))
        {
            return $"HTTP {(int)exception.StatusCode} {exception.StatusCode}";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString() ?? body.Trim();
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy in front of the Engine, for example): the raw text is the best there is.
        }

        return body.Trim();
    }

    private static bool IsConnectionFailure(Exception exception)
        => exception is HttpRequestException or SocketException or IOException or TimeoutException or System.Security.Authentication.AuthenticationException
            || (exception is OperationCanceledException && exception.InnerException is TimeoutException or null);

    // For a missing unix socket the runtime reports "Cannot assign requested address", which sends people looking at
    // the network; say what is really wrong. Looked at only after a connection failed.
    private string? MissingSocket()
        => _endpoint.Scheme == "unix" && !Path.Exists(_endpoint.LocalPath)
            ? $"there is no socket at {_endpoint.LocalPath}"
            : null;

    private ImagePullException EngineUnavailable(ImageReference image, Exception exception)
    {
        var cause = exception switch
        {
            OperationCanceledException => "it did not answer in time",
            System.Security.Authentication.AuthenticationException => "the TLS handshake failed: " + exception.Message + " Check DockerEngineOptions.ClientCertificate and CertificateAuthority (docker's --tlscert/--tlskey and --tlscacert)",
            _ => MissingSocket() ?? exception.InnerException?.Message ?? exception.Message,
        };
        return new ImagePullException(
            ImagePullError.EngineUnavailable,
            image,
            $"The Docker Engine at {_endpoint} could not be reached ({cause}) while handling {image}. Check that dockerd is running, that the endpoint (DockerEngineOptions.Endpoint, or DOCKER_HOST) is right, and that this process may use it (for a socket: membership of the 'docker' group).",
            exception);
    }
}
