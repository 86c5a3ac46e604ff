using Docker.DotNet.Models;
using Registries.Core.Engine;
using Registries.Core.Shared;

namespace Registries.Core.Docker;

/// <summary>What the Engine API needs to pull an image for an allowed resolution: the <c>images/create</c> query and the <c>X-Registry-Auth</c> credential.</summary>
internal sealed class DockerPullRequest
{
    /// <summary>The server address that the docker CLI sends for Docker Hub credentials.</summary>
    internal const string DockerHubServerAddress = DockerAuth.DockerHubLegacyKey;

    private DockerPullRequest(ImagesCreateParameters parameters, AuthConfig? authConfig)
    {
        Parameters = parameters;
        AuthConfig = authConfig;
    }

    /// <summary>Gets the <c>images/create</c> query: <c>fromImage</c> and <c>tag</c>.</summary>
    public ImagesCreateParameters Parameters { get; }

    /// <summary>Gets the credential for <c>X-Registry-Auth</c>, or <see langword="null"/> for an anonymous pull.</summary>
    public AuthConfig? AuthConfig { get; }

    /// <summary>Maps a resolution to a pull request.</summary>
    /// <param name="resolution">An Authenticated or Anonymous resolution.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The resolution is Denied or Unavailable, or it resolved an address, not an image.</exception>
    public static DockerPullRequest From(CredentialResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        if (resolution.Image is not { } image)
        {
            throw new ArgumentException(
                $"A pull needs an image resolution, but this one resolved the registry address {resolution.Address} without an image ({resolution.Outcome}). Resolve the image to pull (RegistryService.ResolveAsync or LaunchResolver.ResolveAsync with an ImageReference), or use ImagePullService.EnsureImageAsync.",
                nameof(resolution));
        }

        if (resolution.Outcome == ResolutionOutcome.Denied)
        {
            throw new ArgumentException(
                $"The resolution for {image} is Denied ({resolution.Reason}); a denied pull must not reach the engine. Use ImagePullService, which stops it with ImagePullError.{nameof(ImagePullError.Denied)}.",
                nameof(resolution));
        }

        if (resolution.Outcome == ResolutionOutcome.Unavailable)
        {
            // Never an anonymous pull in its place: the entry that decides has a credential, its source could not give it.
            throw new ArgumentException(
                $"The resolution for {image} is Unavailable ({resolution.Reason}); it must not reach the engine. Use ImagePullService, which stops it with ImagePullError.{nameof(ImagePullError.CredentialUnavailable)}.",
                nameof(resolution));
        }

        var parameters = new ImagesCreateParameters
        {
            FromImage = image.Name,

            // The Engine pulls every tag of the repository when the tag is empty, so "no tag" means "latest" as
            // the docker CLI does; a digest is passed in the tag parameter and wins over a tag.
            Tag = image.Digest ?? image.Tag ?? "latest",
        };

        AuthConfig? auth = null;
        if (resolution.Outcome == ResolutionOutcome.Authenticated)
        {
            // What the source gave goes in the field Docker reads it from: a password (or a token used as one) with the
            // username, an OAuth2 refresh token as identitytoken, a bearer token as registrytoken.
            var secret = resolution.Password!.Reveal();
            auth = resolution.SecretKind switch
            {
                CredentialSecretKind.IdentityToken => new AuthConfig { Username = resolution.Username, IdentityToken = secret, ServerAddress = ServerAddressOf(image.Address) },
                CredentialSecretKind.RegistryToken => new AuthConfig { RegistryToken = secret, ServerAddress = ServerAddressOf(image.Address) },
                _ => new AuthConfig { Username = resolution.Username, Password = secret, ServerAddress = ServerAddressOf(image.Address) },
            };
        }

        return new DockerPullRequest(parameters, auth);
    }

    /// <summary>Returns the name the Engine knows a pulled image by, for image inspect.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The name with its digest, or with its tag (<c>latest</c> when none).</returns>
    public static string LocalName(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Digest is { } digest ? image.Name + "@" + digest : image.Name + ":" + (image.Tag ?? "latest");
    }

    /// <summary>Returns the <c>serveraddress</c> the docker CLI would send for a registry address.</summary>
    /// <param name="address">The registry address.</param>
    /// <returns>Docker Hub's legacy index address, or <c>HOST[:PORT]</c>.</returns>
    public static string ServerAddressOf(RegistryAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsDockerHub ? DockerHubServerAddress : address.ToString();
    }
}
