using Microsoft.Extensions.Time.Testing;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>Issue 14: "verify, then add" demands the caller's permission before anything is sent to the registry; the
/// registry is a silent loopback listener that counts connections.</summary>
public sealed class RegistryServiceVerificationExtensionsTests : IDisposable
{
    private readonly TestDirectory _directory = new("registries-interop-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AddVerifiedRegistryAsync_ReadOnlyMember_PermissionDeniedAndNothingSent()
    {
        await using var registry = new ConnectionCounter();
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<PermissionDeniedException>(
            () => domain.As("reader").AddVerifiedRegistryAsync(Verifier(), domain.EnvironmentId, registry.Address, Credential()));

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, registry.Connections);
    }

    [Fact]
    public async Task AddVerifiedRegistryAsync_OutsiderOrNoCaller_RefusedAndNothingSent()
    {
        await using var registry = new ConnectionCounter();
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<EnvironmentNotFoundException>(
            () => domain.As("mallory").AddVerifiedRegistryAsync(Verifier(), domain.EnvironmentId, registry.Address, Credential()));
        await Assert.ThrowsAsync<MissingCallerException>(
            () => domain.Root.AddVerifiedRegistryAsync(Verifier(), domain.EnvironmentId, registry.Address, Credential()));

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, registry.Connections);
    }

    [Fact]
    public async Task AddVerifiedRegistryAsync_MemberSilentRegistry_AsksItThenThrowsAndAddsNothing()
    {
        // The control of the tests above: a caller who may add does reach the registry.
        await using var registry = new ConnectionCounter();
        var domain = await Domain.CreateAsync();

        var error = await Assert.ThrowsAsync<RegistryVerificationException>(
            () => domain.As("bob").AddVerifiedRegistryAsync(Verifier(), domain.EnvironmentId, registry.Address, Credential()));

        Assert.Equal(RegistryVerificationOutcome.Unreachable, error.Result.Outcome);
        Assert.Equal(registry.Address, error.Result.Address);
        Assert.True(registry.Connections >= 1);
        Assert.DoesNotContain("CANARY", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task VerifyAsync_SilentRegistryFakeClock_UnreachableOnceTheTimeoutHasPassedOnTheClock()
    {
        await using var registry = new ConnectionCounter();
        var clock = new FakeTimeProvider();
        var verifier = new RegistryCredentialVerifier(
            Microsoft.Extensions.Options.Options.Create(new RegistryVerificationOptions { CertificatesDirectory = _directory.Path, Timeout = TimeSpan.FromMinutes(5) }),
            clock);

        var verification = verifier.VerifyAsync(registry.Address, Credential());

        // Five minutes pass on the verifier's clock, not on the wall: advanced until the timer it set has fired.
        for (var i = 0; i < 200 && !verification.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(5));
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        var result = await verification.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(RegistryVerificationOutcome.Unreachable, result.Outcome);
        Assert.Contains("no answer within 300 s", result.Message, StringComparison.Ordinal);
    }

    private RegistryCredentialVerifier Verifier()
        => Domain.Verifier(new RegistryVerificationOptions { CertificatesDirectory = _directory.Path, Timeout = TimeSpan.FromSeconds(2) });

    private static RegistryCredential Credential() => new("ci@example.com", "deployer", "CANARY-verify-14");
}
