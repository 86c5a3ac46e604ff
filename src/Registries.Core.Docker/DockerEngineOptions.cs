using System.Security.Cryptography.X509Certificates;

namespace Registries.Core.Docker;

/// <summary>Where and how <see cref="DockerImageEngine"/> reaches the Docker Engine API.</summary>
/// <remarks>
/// <para>Endpoints: <c>unix:///var/run/docker.sock</c>, <c>npipe://./pipe/docker_engine</c> (Windows),
/// <c>tcp://HOST:PORT</c> (plain HTTP, or HTTPS when <see cref="ClientCertificate"/> is set) and
/// <c>https://HOST:PORT</c>. When <see cref="Endpoint"/> is <see langword="null"/> the engine uses
/// <see cref="GetDefaultEndpoint"/>: <c>DOCKER_HOST</c>, else the platform's default socket, as the docker CLI does.</para>
/// <para>Plain settings, checked when the engine is built (and at start under DI, <c>UseDocker</c>): invalid options
/// fail with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> whose messages say what to fix.
/// Mutable until it is given to <see cref="DockerImageEngine"/>, which copies what it needs.</para>
/// </remarks>
public sealed class DockerEngineOptions
{
    /// <summary>The Linux and macOS default endpoint.</summary>
    internal const string UnixDefault = "unix:///var/run/docker.sock";

    /// <summary>The Windows default endpoint.</summary>
    internal const string WindowsDefault = "npipe://./pipe/docker_engine";

    /// <summary>Gets or sets the Docker Engine endpoint, or <see langword="null"/> for <see cref="GetDefaultEndpoint"/>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets how long a short request (image inspect) may take; <see langword="null"/> for Docker.DotNet's default (100 s).</summary>
    /// <remarks>A pull is not limited by it: it runs until it ends or its cancellation token is cancelled.</remarks>
    public TimeSpan? RequestTimeout { get; set; }

    /// <summary>Gets or sets the TLS client certificate (with its private key) for a <c>tcp://</c> or <c>https://</c> endpoint protected by <c>--tlsverify</c>; <see langword="null"/> for none.</summary>
    /// <remarks>Setting it makes a <c>tcp://</c> endpoint use HTTPS, as <c>docker --tlsverify</c> does.</remarks>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Gets or sets the CA certificate that the engine's TLS certificate must chain to (<c>--tlscacert</c>); <see langword="null"/> to use the system's trust store.</summary>
    public X509Certificate2? CertificateAuthority { get; set; }

    /// <summary>Returns the endpoint used when <see cref="Endpoint"/> is <see langword="null"/>: <c>DOCKER_HOST</c> when it is set, else the platform's default socket.</summary>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException"><c>DOCKER_HOST</c> is set but is not an absolute URI.</exception>
    public static Uri GetDefaultEndpoint()
        => ResolveDefaultEndpoint(System.Environment.GetEnvironmentVariable("DOCKER_HOST"), OperatingSystem.IsWindows());

    /// <summary>Resolves the default endpoint from a <c>DOCKER_HOST</c> value and the platform.</summary>
    /// <param name="dockerHost">The value of <c>DOCKER_HOST</c>, or <see langword="null"/>.</param>
    /// <param name="isWindows">Whether the platform is Windows.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentException"><paramref name="dockerHost"/> is not an absolute URI.</exception>
    internal static Uri ResolveDefaultEndpoint(string? dockerHost, bool isWindows)
    {
        if (string.IsNullOrWhiteSpace(dockerHost))
        {
            return new Uri(isWindows ? WindowsDefault : UnixDefault);
        }

        var text = dockerHost.Trim();

        // Docker writes named pipes as npipe:////./pipe/NAME; the Uri class reads that with an empty host, so it
        // becomes the npipe://./pipe/NAME form that Docker.DotNet understands.
        if (text.StartsWith("npipe:////", StringComparison.OrdinalIgnoreCase))
        {
            text = "npipe://" + text["npipe:////".Length..];
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            throw new ArgumentException(
                $"DOCKER_HOST '{dockerHost}' is not an absolute URI: give it as unix:///var/run/docker.sock, tcp://HOST:2376 or npipe:////./pipe/docker_engine.",
                nameof(dockerHost));
        }

        return uri;
    }

    /// <summary>Gets the endpoint to use: <see cref="Endpoint"/> or the default.</summary>
    /// <returns>The endpoint.</returns>
    internal Uri EffectiveEndpoint() => Endpoint ?? GetDefaultEndpoint();
}
