using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Registries.Core.Engine;
using Registries.Core.Shared;

namespace Registries.Core.Docker;

/// <summary>The <see cref="IImageEngine"/> of a real Docker Engine, reached through its API with Docker.DotNet.</summary>
/// <remarks>
/// <para>A pull sends the credential of an Authenticated resolution as the Engine's <c>X-Registry-Auth</c> header
/// (base64url JSON, so every character of the password reaches the registry as it is) and nothing for an Anonymous
/// one. It reads the whole progress stream, because the Engine reports many failures inside a stream that began
/// with HTTP 200, and checks that the image is present at the end: a failed pull always ends in an
/// <see cref="ImagePullException"/> whose <see cref="ImagePullException.Error"/> says why and whose message says what
/// to do next, without the password.</para>
/// <para>Three ways to build it, one set of rules: <c>services.AddRegistries().UseDocker(o =&gt; o.Endpoint = ...)</c>
/// (options validated at start); <c>new DockerImageEngine(Options.Create(new DockerEngineOptions { ... }), loggerFactory)</c>
/// outside DI; and <c>new DockerImageEngine()</c>, the docker CLI's defaults, for scripts and samples. Invalid options
/// fail with an <see cref="OptionsValidationException"/> in all three.</para>
/// <para>Logs each pull (the image, the outcome, the registry entry and its user; never a password) when given an
/// <see cref="ILoggerFactory"/>.</para>
/// <para>Thread-safe; dispose it to release the connection to the Engine.</para>
/// </remarks>
public sealed partial class DockerImageEngine : IImageEngine, IDisposable
{
    private readonly DockerClientConfiguration _configuration;
    private readonly DockerClient _client;
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private volatile bool _disposed;

    /// <summary>Initializes an engine with the defaults: <c>DOCKER_HOST</c>, else the platform's socket, as the docker CLI does; nothing is logged.</summary>
    /// <remarks>The short form for scripts and samples; an application configures the engine with <c>UseDocker</c>,
    /// or passes its options with <see cref="DockerImageEngine(IOptions{DockerEngineOptions}, ILoggerFactory?)"/>.</remarks>
    /// <exception cref="OptionsValidationException"><c>DOCKER_HOST</c> is set to an endpoint the engine cannot use; the message says what to fix.</exception>
    public DockerImageEngine()
        : this(Microsoft.Extensions.Options.Options.Create(new DockerEngineOptions()))
    {
    }

    /// <summary>Initializes an engine.</summary>
    /// <param name="options">Where the Engine is and how to reach it. Outside DI: <c>Options.Create(new DockerEngineOptions { Endpoint = ... })</c>.</param>
    /// <param name="loggerFactory">Where the engine logs its pulls (image, address, outcome, registry entry and user; never a password), or <see langword="null"/> for no logging.</param>
    /// <remarks>The options are checked by the same rules as under DI (<c>UseDocker</c>, at start), so both fail with the same words.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="OptionsValidationException">The options are not valid; <see cref="OptionsValidationException.Failures"/> lists each problem and its fix.</exception>
    public DockerImageEngine(IOptions<DockerEngineOptions> options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value ?? throw new ArgumentException("The options have no value: pass Options.Create(new DockerEngineOptions()).", nameof(options));
        ValidatedOptions.ThrowIfInvalid(value, new DockerEngineOptionsValidator());
        _endpoint = value.EffectiveEndpoint();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<DockerImageEngine>();
        Credentials credentials = value.ClientCertificate is not null || value.CertificateAuthority is not null || _endpoint.Scheme == "https"
            ? new DockerTlsCredentials(value.ClientCertificate, value.CertificateAuthority)
            : new AnonymousCredentials();
        _configuration = new DockerClientConfiguration(_endpoint, credentials, value.RequestTimeout ?? TimeSpan.Zero);
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
    /// <exception cref="ArgumentException">The resolution is Denied or Unavailable, or it resolved a registry address rather than an image (<see cref="CredentialResolution.Image"/> is <see langword="null"/>): a pull needs an image resolution.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async ValueTask PullAsync(CredentialResolution resolution, IProgress<ImagePullProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var request = DockerPullRequest.From(resolution);

        // DockerPullRequest.From refuses a resolution without an image (an address resolution).
        var image = resolution.Image!;
        var name = image.ToString();
        PullStarting(_logger, name, resolution.Outcome, resolution.RegistryId, resolution.Username, _endpoint);
        try
        {
            await PullCoreAsync(request, resolution, image, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (ImagePullException ex)
        {
            // The exception's message and inner exception are masked (see DockerPullFailure): safe to log.
            PullFailed(_logger, ex, name, ex.Error, _endpoint);
            throw;
        }

        PullCompleted(_logger, name, _endpoint);
    }

    /// <inheritdoc/>
    /// <remarks>The Engine's <c>POST /images/{name}/tag</c>: the name moves to this image if another had it.</remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async ValueTask TagAsync(ImageReference image, ImageReference name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (name.Digest is not null)
        {
            throw new ArgumentException($"Docker records a digest only under the name an image was pulled by: {name} cannot be given as a tag. Give a repository and a tag.", nameof(name));
        }

        try
        {
            await _client.Images.TagImageAsync(
                DockerPullRequest.LocalName(image),
                new ImageTagParameters { RepositoryName = name.Name, Tag = name.Tag ?? "latest", Force = true },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException)
        {
            throw new OperationCanceledException($"Naming {image} {name} was cancelled.", ex, cancellationToken);
        }
        catch (DockerImageNotFoundException ex)
        {
            throw new ImagePullException(ImagePullError.NotFound, image, $"The Docker Engine at {_endpoint} has no image {image} to name {name}: pull it first.", ex);
        }
        catch (DockerApiException ex)
        {
            throw new ImagePullException(ImagePullError.Failed, image, $"The Docker Engine at {_endpoint} failed to name {image} {name} (HTTP {(int)ex.StatusCode}): {MessageOf(ex)}", ex);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw EngineUnavailable(image, ex);
        }

        Tagged(_logger, image.ToString(), name.ToString(), _endpoint);
    }

    /// <inheritdoc/>
    /// <remarks>The Engine's <c>DELETE /images/{name}</c>, never forced and without pruning: an image that has another
    /// name only loses this one.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async ValueTask<bool> UntagAsync(ImageReference name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (name.Digest is not null)
        {
            throw new ArgumentException($"{name} is a digested name, not a tag: give a repository and a tag.", nameof(name));
        }

        try
        {
            await _client.Images.DeleteImageAsync(DockerPullRequest.LocalName(name), new ImageDeleteParameters { Force = false, NoPrune = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or HttpRequestException)
        {
            throw new OperationCanceledException($"Taking the name {name} off was cancelled.", ex, cancellationToken);
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex)
        {
            throw new ImagePullException(ImagePullError.Failed, name, $"The Docker Engine at {_endpoint} refused to take the name {name} off its image (HTTP {(int)ex.StatusCode}): {MessageOf(ex)}", ex);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            throw EngineUnavailable(name, ex);
        }

        Untagged(_logger, name.ToString(), _endpoint);
        return true;
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

    private async ValueTask PullCoreAsync(DockerPullRequest request, CredentialResolution resolution, ImageReference image, IProgress<ImagePullProgress>? progress, CancellationToken cancellationToken)
    {
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

    // Chosen fields only: the image, the outcome, the entry and its user, never the resolution object (whose password
    // a careless formatter could reach) and never a password.
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Pulling {Image} ({Outcome}, registry entry {RegistryId}, user {Username}) through the Docker Engine at {Endpoint}")]
    private static partial void PullStarting(ILogger logger, string image, ResolutionOutcome outcome, string? registryId, string? username, Uri endpoint);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Pulled {Image} through the Docker Engine at {Endpoint}")]
    private static partial void PullCompleted(ILogger logger, string image, Uri endpoint);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "Named {Image} {Name} on the Docker Engine at {Endpoint}")]
    private static partial void Tagged(ILogger logger, string image, string name, Uri endpoint);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug, Message = "Took the name {Name} off its image on the Docker Engine at {Endpoint}")]
    private static partial void Untagged(ILogger logger, string name, Uri endpoint);

    [LoggerMessage(EventId = 103, Level = LogLevel.Warning, Message = "The pull of {Image} through the Docker Engine at {Endpoint} failed: {Error}")]
    private static partial void PullFailed(ILogger logger, Exception exception, string image, ImagePullError error, Uri endpoint);
}
