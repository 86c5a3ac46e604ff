using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Microsoft.Net.Http.Client;

namespace Registries.Core.Docker;

/// <summary>TLS to a <c>tcp://</c> or <c>https://</c> Engine endpoint: an optional client certificate (<c>--tlscert</c>/<c>--tlskey</c>) and an optional CA the server must chain to (<c>--tlscacert</c>).</summary>
/// <remarks>Docker.DotNet's own transport is used; this only configures it, so no other package is needed.</remarks>
internal sealed class DockerTlsCredentials : Credentials
{
    private readonly X509Certificate2? _clientCertificate;
    private readonly X509Certificate2? _certificateAuthority;

    public DockerTlsCredentials(X509Certificate2? clientCertificate, X509Certificate2? certificateAuthority)
    {
        _clientCertificate = clientCertificate;
        _certificateAuthority = certificateAuthority;
    }

    public override bool IsTlsCredentials() => true;

    public override HttpMessageHandler GetHandler(HttpMessageHandler innerHandler)
    {
        if (innerHandler is ManagedHandler handler)
        {
            if (_clientCertificate is not null)
            {
                handler.ClientCertificates = new X509CertificateCollection { _clientCertificate };
            }

            if (_certificateAuthority is not null)
            {
                handler.ServerCertificateValidationCallback = ValidateAgainstAuthority;
            }
        }

        return innerHandler;
    }

    public override void Dispose()
    {
        // The certificates belong to the caller's options.
    }

    private bool ValidateAgainstAuthority(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(_certificateAuthority!);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var server = new X509Certificate2(certificate);
        return custom.Build(server);
    }
}
