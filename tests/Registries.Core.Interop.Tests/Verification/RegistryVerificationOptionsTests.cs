using Microsoft.Extensions.Options;

namespace Registries.Core.Interop.Tests;

/// <summary>The verifier's constructor refuses invalid options as dependency injection does at start.</summary>
public sealed class RegistryVerificationOptionsTests
{
    [Theory]
    [InlineData(0, "RegistryVerificationOptions.Timeout is 00:00:00: it must be positive, for example 30 seconds.")]
    [InlineData(-5, "RegistryVerificationOptions.Timeout is -00:00:05: it must be positive, for example 30 seconds.")]
    [InlineData(601, "RegistryVerificationOptions.Timeout is 00:10:01: it must be at most 00:10:00, for example 30 seconds.")]
    public void Constructor_BadTimeout_ThrowsOptionsValidationException(int seconds, string message)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Domain.Verifier(new RegistryVerificationOptions { Timeout = TimeSpan.FromSeconds(seconds) }));

        Assert.Equal([message], error.Failures);
    }

    [Fact]
    public void Constructor_MaxTimeout_Accepted()
        => Assert.NotNull(Domain.Verifier(new RegistryVerificationOptions { Timeout = RegistryVerificationOptions.MaxTimeout }));

    [Fact]
    public void Constructor_EmptyFolderAndNullInsecureRegistry_EveryProblemReported()
    {
        var options = new RegistryVerificationOptions { CertificatesDirectory = "\t" };
        options.InsecureRegistries.Add(null!);

        var error = Assert.Throws<OptionsValidationException>(() => Domain.Verifier(options));

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("CertificatesDirectory is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("InsecureRegistries contains null", StringComparison.Ordinal));
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNullException()
        => Assert.Throws<ArgumentNullException>(() => new RegistryCredentialVerifier(null!));

    [Fact]
    public async Task Constructor_InsecureRegistriesChangedAfterwards_VerifierKeepsWhatWasValidated()
    {
        // Marked insecure after the verifier was built: ignored, so a plain-HTTP registry stays refused.
        await using var registry = await LoopbackHttpServer.StartAsync(_ => new ServerResponse(200));
        var address = RegistryAddress.Parse($"127.0.0.1:{registry.Port}");
        var options = new RegistryVerificationOptions { CertificatesDirectory = "/nonexistent-certs.d", Timeout = TimeSpan.FromSeconds(5) };
        var verifier = Domain.Verifier(options);
        options.InsecureRegistries.Add(address);

        var result = await verifier.VerifyAsync(address, new RegistryCredential("ci@example.com", "u", "p"));

        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.All(registry.Requests, r => Assert.Null(r.Authorization));
    }
}
