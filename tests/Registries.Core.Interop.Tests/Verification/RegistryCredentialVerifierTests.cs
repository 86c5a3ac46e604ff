using Microsoft.Extensions.Options;

namespace Registries.Core.Interop.Tests;

public sealed class RegistryCredentialVerifierTests
{
    [Fact]
    public void ApiBase_DockerHub_IsRegistry1()
    {
        Assert.Equal(new Uri("https://registry-1.docker.io/v2/"), RegistryCredentialVerifier.ApiBase(RegistryAddress.DockerHub, "https"));
        Assert.Equal(new Uri("https://registry-1.docker.io/v2/"), RegistryCredentialVerifier.ApiBase(RegistryAddress.Parse("index.docker.io"), "https"));
    }

    [Theory]
    [InlineData("registry.example.com", "https://registry.example.com/v2/")]
    [InlineData("10.0.0.5:5000", "https://10.0.0.5:5000/v2/")]
    [InlineData("[fe80::1]:5000", "https://[fe80::1]:5000/v2/")]
    [InlineData("quay.io", "https://quay.io/v2/")]
    public void ApiBase_OtherRegistries_AreTheirOwnHost(string address, string expected)
        => Assert.Equal(new Uri(expected), RegistryCredentialVerifier.ApiBase(RegistryAddress.Parse(address), "https"));

    [Fact]
    public void Constructor_BadOptions_ThrowOptionsValidationException()
    {
        var noFolder = new RegistryVerificationOptions { CertificatesDirectory = " " };
        var noTime = new RegistryVerificationOptions { Timeout = TimeSpan.Zero };

        Assert.Contains("CertificatesDirectory is empty", Assert.Throws<OptionsValidationException>(() => Domain.Verifier(noFolder)).Message, StringComparison.Ordinal);
        Assert.Contains("Timeout is 00:00:00: it must be positive", Assert.Throws<OptionsValidationException>(() => Domain.Verifier(noTime)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CanceledByCaller_Throws()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        var credential = new RegistryCredential("a@example.com", "u", "p");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Domain.Verifier().VerifyAsync(RegistryAddress.Parse("127.0.0.1:9"), credential, canceled.Token));
    }
}
