using System.Net;
using Registries.Core.Engine;
using Registries.Core.Shared;

namespace Registries.Core.Docker;

/// <summary>Turns what the Docker Engine says about a failed pull into an <see cref="ImagePullError"/> and a message that says what to do next.</summary>
/// <remarks>
/// The Engine reports a pull failure either as an HTTP error before the progress stream starts (dockerd 20.10:
/// 404 for "manifest unknown", 500 for the rest) or as an <c>error</c>/<c>errorDetail</c> message inside a
/// stream that began with HTTP 200. Both carry the same texts; the matching below is on those texts (see the tests
/// for the exact ones dockerd 20.10 gives). Messages never contain the credential in any form: a registry that
/// echoes the Authorization header gets it into the Engine's text, so every text is passed through
/// <see cref="CredentialMask"/> first.
/// </remarks>
internal static class DockerPullFailure
{
    /// <summary>Classifies an Engine error text.</summary>
    /// <param name="engineMessage">The Engine's text.</param>
    /// <param name="status">The HTTP status when the Engine answered with an error status, else <see langword="null"/>.</param>
    /// <param name="anonymous">Whether the pull was made without credentials.</param>
    /// <returns>The error kind.</returns>
    public static ImagePullError Classify(string engineMessage, HttpStatusCode? status, bool anonymous)
    {
        var text = engineMessage ?? string.Empty;

        // dockerd speaks HTTPS to every registry not listed as insecure; a registry that answers in plain HTTP is not a
        // certificate problem, and no certificate would fix it.
        if (IsPlainHttp(text))
        {
            return ImagePullError.RegistryUnreachable;
        }

        if (Has(text, "x509:") || Has(text, "certificate signed by unknown authority") || Has(text, "tls: failed to verify certificate")
            || Has(text, "certificate is not valid") || Has(text, "certificate has expired"))
        {
            return ImagePullError.CertificateNotTrusted;
        }

        if (Has(text, "unauthorized") || Has(text, "authentication required") || Has(text, "no basic auth credentials")
            || Has(text, "incorrect username or password") || Has(text, "access to the resource is denied") || Has(text, "pull access denied"))
        {
            return ImagePullError.Unauthorized;
        }

        // An insecure registry (one dockerd may reach over plain HTTP) that refuses an anonymous request over HTTPS
        // makes dockerd retry over HTTP; the TLS port then answers "400 Client sent an HTTP request to an HTTPS
        // server" or resets the connection, and that is the only error dockerd reports. Over HTTPS the registry was
        // reached, and without credentials the refusal is the registry's "authentication required".
        if (anonymous && (Has(text, "Client sent an HTTP request to an HTTPS server")
            || (Has(text, "connection reset by peer") && !Has(text, "https://"))))
        {
            return ImagePullError.Unauthorized;
        }

        if (Has(text, "connection refused") || Has(text, "no such host") || Has(text, "i/o timeout") || Has(text, "network is unreachable")
            || Has(text, "no route to host") || Has(text, "connection reset by peer") || Has(text, "TLS handshake timeout")
            || Has(text, "Client.Timeout exceeded") || Has(text, "dial tcp") || Has(text, "server misbehaving"))
        {
            return ImagePullError.RegistryUnreachable;
        }

        if (status == HttpStatusCode.NotFound || Has(text, "manifest unknown") || Has(text, "name unknown") || Has(text, "not found")
            || Has(text, "repository does not exist"))
        {
            return ImagePullError.NotFound;
        }

        return ImagePullError.Failed;
    }

    /// <summary>Creates the exception for an Engine error text.</summary>
    /// <param name="engineMessage">The Engine's text.</param>
    /// <param name="status">The HTTP status when the Engine answered with an error status.</param>
    /// <param name="resolution">The resolution that was pulled with.</param>
    /// <param name="innerException">The Docker.DotNet exception, if any.</param>
    /// <returns>The exception.</returns>
    public static ImagePullException Create(string engineMessage, HttpStatusCode? status, CredentialResolution resolution, Exception? innerException = null)
    {
        var anonymous = resolution.Outcome != ResolutionOutcome.Authenticated;
        var error = Classify(engineMessage, status, anonymous);
        var engine = MaskOf(resolution).Apply(engineMessage).Trim();
        // Only image resolutions reach a pull (DockerPullRequest.From refuses the others).
        var image = resolution.Image ?? throw new ArgumentException("A pull failure needs an image resolution.", nameof(resolution));
        var registry = image.Address;
        var entry = resolution.RegistryId is { } id ? $"registry entry {id} ({registry}, user '{resolution.Username}')" : null;
        var message = error switch
        {
            ImagePullError.Unauthorized when entry is not null =>
                $"The registry {registry} refused the credential of {entry} while pulling {image}. Check the username and password of {entry}: edit it with the right password (RegistryService.EditRegistryAsync, or 'registries registry edit ENV {resolution.RegistryId} --email E --username U --password-stdin'), or check that the user may pull {image.Repository}. Docker Engine: {engine}",
            ImagePullError.Unauthorized =>
                $"The registry {registry} refused an anonymous pull of {image}: no credential is configured for {registry} in this environment. Add one (RegistryService.AddRegistryAsync, or 'registries registry add ENV --address {registry} --email E --username U --password-stdin'), or check the image name; if the registry does allow anonymous pulls, check that the Docker host reaches it. Docker Engine: {engine}",
            ImagePullError.NotFound =>
                $"The registry {registry} has no image {image.Repository} with {(image.Digest is null ? "tag '" + (image.Tag ?? "latest") + "'" : "digest " + image.Digest)}. Check the image name and tag, and that it was pushed to {registry}. Docker Engine: {engine}",
            ImagePullError.RegistryUnreachable when IsPlainHttp(engineMessage) =>
                $"The registry {registry} speaks plain HTTP, not HTTPS, so the Docker Engine (which uses HTTPS for every registry that is not listed as insecure) could not pull {image}. Either configure {registry} as an insecure registry on the Docker host ('registries insecure add {registry}', or DockerHostConfiguration, then restart dockerd), or serve the registry over TLS. Docker Engine: {engine}",
            ImagePullError.RegistryUnreachable =>
                $"The Docker Engine could not reach the registry {registry} to pull {image}. Check the address and port, that the registry is running, and the Docker host's DNS, proxy and firewall. Docker Engine: {engine}",
            ImagePullError.CertificateNotTrusted =>
                $"The Docker Engine does not trust the TLS certificate of the registry {registry} while pulling {image}. Trust the registry's certificate on the Docker host: install its CA as /etc/docker/certs.d/{registry}/ca.crt (see the host configuration, certs.d), or add {registry} to insecure-registries in daemon.json if it is meant to be insecure. Docker Engine: {engine}",
            _ =>
                $"The Docker Engine failed to pull {image} from {registry}. Docker Engine: {engine}",
        };

        return new ImagePullException(error, image, message, innerException);
    }

    /// <summary>Returns the mask of every form in which the credential of a resolution travels to the Engine.</summary>
    /// <param name="resolution">The resolution.</param>
    /// <returns>The mask; <see cref="CredentialMask.None"/> for an anonymous pull.</returns>
    internal static CredentialMask MaskOf(CredentialResolution resolution)
        => resolution.Outcome == ResolutionOutcome.Authenticated && resolution.Password is { } password
            ? CredentialMask.For(resolution.Username, password.Reveal())
            : CredentialMask.None;

    private static bool IsPlainHttp(string? text)
        => text is not null && Has(text, "server gave HTTP response to HTTPS client");

    private static bool Has(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);
}
