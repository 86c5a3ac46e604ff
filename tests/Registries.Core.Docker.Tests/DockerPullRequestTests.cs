namespace Registries.Core.Docker.Tests;

/// <summary>How a resolution becomes the Engine's pull query and AuthConfig, Docker Hub references included.</summary>
public sealed class DockerPullRequestTests
{
    [Theory]
    [InlineData("ubuntu", "docker.io/library/ubuntu", "latest")]
    [InlineData("ubuntu:22.04", "docker.io/library/ubuntu", "22.04")]
    [InlineData("library/ubuntu:22.04", "docker.io/library/ubuntu", "22.04")]
    [InlineData("docker.io/library/ubuntu:22.04", "docker.io/library/ubuntu", "22.04")]
    [InlineData("index.docker.io/library/ubuntu:22.04", "docker.io/library/ubuntu", "22.04")]
    [InlineData("registry-1.docker.io/team/app", "registry-1.docker.io/team/app", "latest")] // kept as written, as docker pull does; still Docker Hub's credential
    [InlineData("team/app:1.0", "docker.io/team/app", "1.0")]
    public async Task From_DockerHubStyleReference_ResolvesToTheDockerHubEntryAndItsCredential(string reference, string fromImage, string tag)
    {
        var store = new Storage.InMemoryRegistryStore();
        var service = new RegistryService(store).As("alice");
        var environment = await service.CreateEnvironmentAsync("hub");
        var quay = await service.AddRegistryAsync(environment.Id, RegistryAddress.Quay, new RegistryCredential("ops@example.com", "quay-user", "quay-pass"));
        var hub = await service.AddRegistryAsync(environment.Id, RegistryAddress.DockerHub, new RegistryCredential("ops@example.com", "hub-user", "Hub:p@ss/é"));
        var resolution = await new LaunchResolver(store).ResolveAsync(environment.Id, reference);

        var request = DockerPullRequest.From(resolution);

        Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
        Assert.Equal(hub.Id, resolution.RegistryId);
        Assert.NotEqual(quay.Id, resolution.RegistryId);
        Assert.Equal(fromImage, request.Parameters.FromImage);
        Assert.Equal(tag, request.Parameters.Tag);
        Assert.Equal("hub-user", request.AuthConfig!.Username);
        Assert.Equal("Hub:p@ss/é", request.AuthConfig.Password);
        Assert.Equal("https://index.docker.io/v1/", request.AuthConfig.ServerAddress);
    }

    [Fact]
    public void From_CustomRegistryWithDigest_PassesTheDigestAsTheTag()
    {
        const string Digest = "sha256:e335521f56167aed9cd53451a23aa10c76fd1e8375ffa7f20cc04764e2f0e9c4";
        var image = ImageReference.Parse($"10.0.0.5:5000/team/app:1.0@{Digest}");
        var resolution = CredentialResolution.Authenticated(image, Entry(image.Address), new RegistrySecret("pw"));

        var request = DockerPullRequest.From(resolution);

        Assert.Equal("10.0.0.5:5000/team/app", request.Parameters.FromImage);
        Assert.Equal(Digest, request.Parameters.Tag);
        Assert.Equal("10.0.0.5:5000", request.AuthConfig!.ServerAddress);
        Assert.Equal($"10.0.0.5:5000/team/app@{Digest}", DockerPullRequest.LocalName(image));
    }

    [Theory]
    [InlineData(CredentialSecretKind.Password, "AWS", "tok", null, null)]
    [InlineData(CredentialSecretKind.IdentityToken, "bob", null, "tok", null)]
    [InlineData(CredentialSecretKind.RegistryToken, null, null, null, "tok")]
    public void From_SourcedCredential_GoesInTheFieldDockerReadsItsKindFrom(CredentialSecretKind kind, string? username, string? password, string? identityToken, string? registryToken)
    {
        var image = ImageReference.Parse("registry.example.com/team/app:1");
        var entry = new Registry("1r1", "1a1", image.Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper("pass"));
        var resolution = CredentialResolution.Authenticated(image, image.Address, entry, new Sources.SourcedCredential(kind == CredentialSecretKind.RegistryToken ? "<token>" : username ?? "bob", new RegistrySecret("tok"), kind, null));

        var auth = DockerPullRequest.From(resolution).AuthConfig!;

        Assert.Equal(kind == CredentialSecretKind.RegistryToken ? null : username ?? "bob", auth.Username);
        Assert.Equal(password, auth.Password);
        Assert.Equal(identityToken, auth.IdentityToken);
        Assert.Equal(registryToken, auth.RegistryToken);
        Assert.Equal("registry.example.com", auth.ServerAddress);
    }

    [Fact]
    public void From_Unavailable_RefusedNeverAnonymous()
    {
        var image = ImageReference.Parse("registry.example.com/team/app:1");
        var entry = new Registry("1r1", "1a1", image.Address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper("pass"));

        var error = Assert.Throws<ArgumentException>(() => DockerPullRequest.From(CredentialResolution.Unavailable(image, image.Address, entry, "pass has none")));

        Assert.Contains("Unavailable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_Anonymous_HasNoAuthConfig()
    {
        var image = ImageReference.Parse("quay.io/org/app");

        var request = DockerPullRequest.From(CredentialResolution.Anonymous(image));

        Assert.Null(request.AuthConfig);
        Assert.Equal("quay.io/org/app", request.Parameters.FromImage);
        Assert.Equal("quay.io/org/app:latest", DockerPullRequest.LocalName(image));
    }

    [Fact]
    public void From_Denied_ThrowsArgumentException()
    {
        var image = ImageReference.Parse("quay.io/org/app:1");
        var denied = CredentialResolution.Denied(image, Entry(image.Address), "Registry quay.io is inactive.");

        var error = Assert.Throws<ArgumentException>(() => DockerPullRequest.From(denied));

        Assert.Contains("Denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_AddressResolution_ThrowsArgumentExceptionThatAsksForAnImage()
    {
        var address = RegistryAddress.Parse("quay.io");

        var anonymous = Assert.Throws<ArgumentException>("resolution", () => DockerPullRequest.From(CredentialResolution.Anonymous(address)));
        var denied = Assert.Throws<ArgumentException>("resolution", () => DockerPullRequest.From(CredentialResolution.Denied(address, Entry(address), "Registry quay.io is inactive.")));

        Assert.Contains("A pull needs an image resolution", anonymous.Message, StringComparison.Ordinal);
        Assert.Contains("quay.io", anonymous.Message, StringComparison.Ordinal);
        Assert.Contains("A pull needs an image resolution", denied.Message, StringComparison.Ordinal);
    }

    private static Registry Entry(RegistryAddress address)
        => new("reg-1", "env-1", address, RegistryState.Active, "ops@example.com", "ci-bot", sequence: 1, version: 1);
}
