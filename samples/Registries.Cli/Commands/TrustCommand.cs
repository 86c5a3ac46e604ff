using System.CommandLine;
using Registries.Cli.Output;
using Registries.Core;
using Registries.Core.DependencyInjection;
using Registries.Core.HostConfiguration;

namespace Registries.Cli.Commands;

// trust HOST:PORT: install the certificate chain a registry presents where Docker looks for it.
internal static class TrustCommand
{
    public static Command Create(CommandRunner runner)
    {
        var address = new Argument<string>("HOST:PORT") { Description = "The registry (port 443 when none is given)." };
        var certsDir = new Option<string?>("--certs-dir") { Description = $"Docker's certificate folder. Default: {DockerHostOptions.DefaultCertificatesDirectory}.", HelpName = "DIR" };
        var caBundle = new Option<string?>("--ca-bundle") { Description = $"Also append the certificates to this CA bundle, once (for example {DockerHostOptions.SystemCaBundlePath}).", HelpName = "FILE" };
        var fingerprint = new Option<string?>("--expect-fingerprint")
        {
            Description = "Install only if the server's certificate, or a CA certificate that signs it, has this SHA-256 fingerprint (as 'openssl x509 -fingerprint -sha256' prints it).",
            HelpName = "SHA256",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Say what would change; write nothing." };
        var command = new Command(
            "trust",
            "Connect to a registry over TLS, take the certificate chain it presents and install it as "
            + "CERTS_DIR/HOST:PORT/ca.crt, so dockerd trusts a self-signed registry. Running it again changes nothing. "
            + "A fingerprint that does not match is refused (exit code 3).")
        {
            address,
            certsDir,
            caBundle,
            fingerprint,
            dryRun,
        };
        runner.SetAction(command, async (context, cancellationToken) =>
        {
            var parse = context.ParseResult;
            var registry = RegistryAddress.Parse(parse.GetRequiredValue(address));
            var expected = parse.GetValue(fingerprint) is { } text ? CertificateFingerprint.Parse(text) : null;
            var bundle = parse.GetValue(caBundle);
            var installer = context.Service<RegistryCertificateInstaller>(builder => builder.UseDockerHostConfiguration(options =>
            {
                options.CertificatesDirectory = parse.GetValue(certsDir) is { } dir ? CliPaths.Full(dir) : DockerHostOptions.DefaultCertificatesDirectory;
                options.CaBundlePath = bundle is null ? null : CliPaths.Full(bundle);
            }));
            var result = await installer.InstallAsync(registry, expected, appendToBundle: bundle is not null, parse.GetValue(dryRun), cancellationToken);
            if (context.Json)
            {
                context.Console.Out.WriteLine(CliJson.Serialize(TrustJson.From(result), CliJsonContext.Output.TrustJson));
                return ExitCodes.Success;
            }

            var output = context.Console.Out;
            output.WriteLine($"{TerminalText.Escape(registry.ToString())} presented {result.Chain.Certificates.Count} certificate(s):");
            foreach (var certificate in result.Chain.Certificates)
            {
                // The subject and issuer are chosen by the server: escaped, they cannot rewrite the fingerprint an
                // operator compares on first use.
                output.WriteLine($"  {TerminalText.Escape(certificate.Subject)} (issuer {TerminalText.Escape(certificate.Issuer)}), SHA-256 {certificate.Fingerprint}");
            }

            HostChanges.Write(output, result.Changes, result.DryRun);
            if (result.RestartRequired)
            {
                output.WriteLine("Restart the Docker daemon to use the new CA bundle.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
