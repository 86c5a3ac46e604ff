using System.Text;

namespace Registries.Core.Shared;

/// <summary>How Docker names and encodes a credential, for every package that hands one to Docker's tools: the pull
/// adapter (<c>X-Registry-Auth</c>), the config exporter and the verifier (HTTP Basic).</summary>
internal static class DockerAuth
{
    /// <summary>The key Docker uses for Docker Hub in <c>config.json</c> and as the server address of a Docker Hub
    /// credential: the legacy v1 index URL, not <c>docker.io</c>.</summary>
    public const string DockerHubLegacyKey = "https://index.docker.io/v1/";

    /// <summary>Encodes <c>username:password</c> as Docker's <c>auth</c> field and HTTP Basic carry it.</summary>
    /// <param name="username">The username (it holds no ':'; the domain refuses one).</param>
    /// <param name="password">The password.</param>
    /// <returns>The base64 of the UTF-8 bytes. It is the password in a reversible form: it goes to the engine, a
    /// registry or a file written 0600, never to a log or a message.</returns>
    public static string BasicValue(string username, RegistrySecret password)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes(username + ":" + password.Reveal()));
}
