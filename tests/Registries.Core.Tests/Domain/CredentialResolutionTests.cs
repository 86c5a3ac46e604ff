using static Registries.Core.Tests.Domain.DomainFixture;

namespace Registries.Core.Tests.Domain;

public sealed class CredentialResolutionTests
{
    private static readonly Registry QuayEntry = new("1r2", "1a1", RegistryAddress.Quay, RegistryState.Active, "ops@example.com", "deploy", 2, 1);

    public static TheoryData<string> Factories() => ["authenticatedImage", "authenticatedAddress", "deniedImage", "deniedAddress"];

    [Theory]
    [MemberData(nameof(Factories))]
    public void Factory_EntryOfAnotherAddress_ThrowsArgumentExceptionNamingBothAddresses(string factory)
    {
        var image = ImageReference.Parse("registry.example.com/app");
        var password = new RegistrySecret(Canary);

        var error = Assert.Throws<ArgumentException>(() => Create(factory, image, QuayEntry, password));

        Assert.Equal("registry", error.ParamName);
        Assert.Contains("quay.io", error.Message, StringComparison.Ordinal);
        Assert.Contains("registry.example.com", error.Message, StringComparison.Ordinal);
        Assert.Contains(QuayEntry.Id, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Factories))]
    public void Factory_EntryOfTheAddress_KeepsImageOrNullAndTheAddress(string factory)
    {
        var image = ImageReference.Parse("quay.io/org/app:1");

        var resolution = Create(factory, image, QuayEntry, new RegistrySecret(Canary));

        Assert.Same(RegistryAddress.Quay, resolution.Address);
        Assert.Equal(factory.EndsWith("Image", StringComparison.Ordinal) ? image : null, resolution.Image);
        Assert.Equal(QuayEntry.Id, resolution.RegistryId);
        Assert.Equal(factory.StartsWith("authenticated", StringComparison.Ordinal), resolution.IsAllowed);
        Assert.DoesNotContain(Canary, resolution.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Anonymous_ImageOrAddress_HasNoEntryAndTheAddress()
    {
        var byImage = CredentialResolution.Anonymous(ImageReference.Parse("gcr.io/x"));
        var byAddress = CredentialResolution.Anonymous(RegistryAddress.Quay);

        Assert.Equal("gcr.io", byImage.Address.ToString());
        Assert.NotNull(byImage.Image);
        Assert.Null(byAddress.Image);
        Assert.Equal("Anonymous: quay.io", byAddress.ToString());
        Assert.All(new[] { byImage, byAddress }, r => Assert.Null(r.MatchedRegistry));
        Assert.Throws<ArgumentNullException>(() => CredentialResolution.Anonymous((RegistryAddress)null!));
        Assert.Throws<ArgumentNullException>(() => CredentialResolution.Anonymous((ImageReference)null!));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Denied_BlankReason_ThrowsArgumentException(string reason)
    {
        Assert.ThrowsAny<ArgumentException>(() => CredentialResolution.Denied(RegistryAddress.Quay, QuayEntry, reason));
    }

    private static CredentialResolution Create(string factory, ImageReference image, Registry registry, RegistrySecret password) => factory switch
    {
        "authenticatedImage" => CredentialResolution.Authenticated(image, registry, password),
        "authenticatedAddress" => CredentialResolution.Authenticated(image.Address, registry, password),
        "deniedImage" => CredentialResolution.Denied(image, registry, "inactive"),
        "deniedAddress" => CredentialResolution.Denied(image.Address, registry, "inactive"),
        _ => throw new ArgumentOutOfRangeException(nameof(factory), factory, "Unknown factory."),
    };
}
