using Microsoft.Extensions.Options;

namespace Registries.Core.Docker;

/// <summary>The rules of <see cref="DockerEngineOptions"/>: each problem is reported with how to fix it.</summary>
/// <remarks>One validator for both paths: <c>UseDocker</c> registers it (so the options fail at start,
/// <c>ValidateOnStart</c>) and <see cref="DockerImageEngine"/>'s constructor runs it (so an engine built without DI
/// refuses the same options with the same words).</remarks>
internal sealed class DockerEngineOptionsValidator : IValidateOptions<DockerEngineOptions>
{
    private static readonly string[] Schemes = ["unix", "npipe", "tcp", "http", "https"];

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DockerEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Lists what is wrong with the options, each with how to fix it.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    internal static IReadOnlyList<string> Problems(DockerEngineOptions options)
    {
        var errors = new List<string>();
        Uri endpoint;
        if (options.Endpoint is null)
        {
            try
            {
                endpoint = DockerEngineOptions.GetDefaultEndpoint();
            }
            catch (ArgumentException ex)
            {
                // The message without ArgumentException's " (Parameter 'dockerHost')" tail, which names no setting.
                errors.Add(ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal));
                return errors;
            }
        }
        else
        {
            endpoint = options.Endpoint;
        }

        CheckEndpoint(endpoint, errors);
        if (options.RequestTimeout is { } timeout && timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"RequestTimeout must be positive (or Timeout.InfiniteTimeSpan); it is {timeout}.");
        }

        if (options.ClientCertificate is { } certificate)
        {
            if (!certificate.HasPrivateKey)
            {
                errors.Add($"ClientCertificate '{certificate.Subject}' has no private key: load it with its key (for example X509Certificate2.CreateFromPemFile(\"cert.pem\", \"key.pem\")).");
            }

            if (endpoint.IsAbsoluteUri && !IsTcp(endpoint.Scheme))
            {
                errors.Add($"ClientCertificate needs a tcp:// or https:// endpoint; '{endpoint}' uses {endpoint.Scheme}://. Remove the certificate or give the engine's TCP address.");
            }
        }

        if (options.CertificateAuthority is not null && endpoint.IsAbsoluteUri && !IsTcp(endpoint.Scheme))
        {
            errors.Add($"CertificateAuthority needs a tcp:// or https:// endpoint; '{endpoint}' uses {endpoint.Scheme}://.");
        }

        return errors;
    }

    private static bool IsTcp(string scheme)
        => scheme is "tcp" or "https" or "http";

    private static void CheckEndpoint(Uri endpoint, List<string> errors)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            errors.Add($"Endpoint '{endpoint}' is relative: give an absolute URI such as unix:///var/run/docker.sock or tcp://HOST:2376.");
            return;
        }

        var scheme = endpoint.Scheme.ToLowerInvariant();
        if (!Schemes.Contains(scheme))
        {
            errors.Add($"Endpoint '{endpoint}' uses the unsupported scheme '{endpoint.Scheme}': use unix://, npipe://, tcp:// or https:// (an ssh:// DOCKER_HOST needs an SSH tunnel to a socket first).");
            return;
        }

        switch (scheme)
        {
            case "unix":
                if (endpoint.AbsolutePath is "" or "/" || !string.IsNullOrEmpty(endpoint.Host))
                {
                    errors.Add($"Endpoint '{endpoint}' names no socket path: write unix:///PATH/TO/docker.sock (three slashes).");
                }

                break;
            case "npipe":
                if (!OperatingSystem.IsWindows())
                {
                    errors.Add($"Endpoint '{endpoint}' is a Windows named pipe, but this process does not run on Windows: use unix:// or tcp://.");
                }
                else if (endpoint.Segments.Length != 3 || !endpoint.Segments[1].Equals("pipe/", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"Endpoint '{endpoint}' is not a named pipe address: write npipe://./pipe/docker_engine.");
                }

                break;
            default:
                if (string.IsNullOrEmpty(endpoint.Host) || endpoint.IsDefaultPort && scheme == "tcp")
                {
                    errors.Add($"Endpoint '{endpoint}' needs a host and a port: write {scheme}://HOST:PORT (2375 plain, 2376 with TLS).");
                }

                break;
        }
    }
}
