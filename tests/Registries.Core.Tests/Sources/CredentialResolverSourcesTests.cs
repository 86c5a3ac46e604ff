using Registries.Core.Storage;

namespace Registries.Core.Tests.Sources;

/// <summary>The pure resolver with sources and expiries: it never reads the clock and never fetches.</summary>
public sealed class CredentialResolverSourcesTests
{
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com");
    private static readonly ImageReference Image = ImageReference.Parse("registry.example.com/app");
    private static readonly DateTimeOffset Expiry = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Resolve_StoredWithExpiry_AuthenticatedBeforeDeniedFromTheInstantOnUncheckedWithoutAnInstant()
    {
        var entry = Stored(Expiry);

        var before = CredentialResolver.Resolve(Image, [entry], Expiry.AddTicks(-1));
        var at = CredentialResolver.Resolve(Image, [entry], Expiry);
        var unchecked_ = CredentialResolver.Resolve(Address, [entry]);

        Assert.Equal(ResolutionOutcome.Authenticated, before.Outcome);
        Assert.Equal(Expiry, before.ExpiresAt);
        Assert.Equal(ResolutionOutcome.Denied, at.Outcome);
        Assert.Contains("expired at 2030-06-01T12:00:00Z", at.Reason, StringComparison.Ordinal);
        Assert.Null(at.Password);
        Assert.Equal(ResolutionOutcome.Authenticated, unchecked_.Outcome);
    }

    [Fact]
    public void Resolve_FetchedEntry_UnavailableSayingItIsFetchedOnlyByTheResolutionPaths()
    {
        var entry = new StoredRegistry(new Registry("1r1", "1a1", Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper("pass")), null);

        var resolution = CredentialResolver.Resolve(Image, [entry]);
        var explanation = CredentialResolver.Explain(Image, [entry]);

        Assert.Equal(ResolutionOutcome.Unavailable, resolution.Outcome);
        Assert.Contains("fetched only when an image is resolved through RegistryService or LaunchResolver", resolution.Reason, StringComparison.Ordinal);
        Assert.Equal(ResolutionOutcome.Authenticated, explanation.Outcome);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), explanation.Source);
        Assert.Null(explanation.CachedUntil);
    }

    [Fact]
    public void RegistryCredential_Expiry_KeptInUtcToTheWholeSecond()
    {
        var credential = new RegistryCredential("ops@example.com", "robot", new RegistrySecret("x"), new DateTimeOffset(2030, 6, 1, 14, 0, 0, 999, TimeSpan.FromHours(2)).AddTicks(1234));

        Assert.Equal(Expiry, credential.ExpiresAt);
        Assert.Equal(TimeSpan.Zero, credential.ExpiresAt!.Value.Offset);
    }

    private static StoredRegistry Stored(DateTimeOffset? expiresAt)
        => new(new Registry("1r1", "1a1", Address, RegistryState.Active, "ops@example.com", "robot", 1, 1, CredentialSource.Stored, expiresAt), new RegistrySecret("robot-password"));
}
