using System.Formats.Tar;
using System.Text;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The identity-token flow for real: the distribution registry in token mode, whose realm (<see cref="TokenServer"/>)
/// issues refresh tokens and access tokens that last seconds; pulls through the real dockerd with what the source
/// gives, across several expiries; a revoked refresh token is Unavailable and never an anonymous pull.</summary>
[Trait("Category", "Integration")]
[Collection(TokenRealmCollection.Name)]
public sealed class IdentityTokenFlowTests : IAsyncLifetime
{
    private const int LifetimeSeconds = 4;
    private readonly TestServices _services = TestServices.Require();
    private readonly TokenServer _realm;
    private readonly TestDirectory _directory = new("registries-identity-token-");
    private string _image = string.Empty;

    public IdentityTokenFlowTests(TokenServer realm)
    {
        _realm = realm;
    }

    public async Task InitializeAsync()
    {
        // An image of the test's own in the token registry, pushed with the CLI's own login (Basic at the realm).
        _image = $"{_services.TokenRegistry}/identity/hello:{Guid.NewGuid().ToString("N")[..8]}";
        var login = await DockerAsync(["login", "--username", _services.User, "--password-stdin", _services.TokenRegistry], _services.Password);
        Assert.True(login.ExitCode == 0, "docker login failed: " + login.Error + login.Output);
        Check(await DockerAsync(["import", WriteRootfs(), _image]), "import");
        Check(await DockerAsync(["push", _image]), "push");
        Check(await DockerAsync(["rmi", _image]), "rmi");
        await DockerAsync(["logout", _services.TokenRegistry]);
    }

    public async Task DisposeAsync()
    {
        _realm.AccessTokenLifetimeSeconds = 300;
        await DockerAsync(["rmi", "--force", _image]);
        _directory.Dispose();
    }

    [Fact]
    public async Task PullsKeepWorkingAcrossExpiries_ThenARevokedTokenIsUnavailable()
    {
        _realm.AccessTokenLifetimeSeconds = LifetimeSeconds;
        var refreshToken = _realm.IssueRefreshToken(_services.User);
        var source = new IdentityTokenSource(Options.Create(new IdentityTokenSourceOptions
        {
            // The registry and its realm share the test CA, trusted as dockerd's certs.d layout has it.
            CertificatesDirectory = _directory.CertificatesDirectoryTrusting(_services.RegistryCa, _services.TokenRegistry, $"127.0.0.1:{_services.TokenRealmPort}"),
        }));
        var store = new InMemoryRegistryStore();
        var sources = new CredentialSources([source]);
        var service = new RegistryService(store, sources: sources).As("alice");
        var environment = await service.CreateEnvironmentAsync("tokens");
        var entry = await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse(_services.TokenRegistry), RegistryCredential.FromIdentityToken("ops@example.com", _services.User, new RegistrySecret(refreshToken)));
        var pulls = new ImagePullService(new LaunchResolver(store, sources: sources), new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri(_services.DockerHost) })));
        var image = ImageReference.Parse(_image);

        var tokens = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 3; round++)
        {
            var grantsBefore = _realm.RefreshGrants;
            var result = await pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true);

            Assert.True(result.Pulled);
            var resolution = result.Resolution!;
            Assert.Equal(ResolutionOutcome.Authenticated, resolution.Outcome);
            Assert.Equal(CredentialSecretKind.RegistryToken, resolution.SecretKind);
            Assert.Equal(CredentialSource.IdentityToken, resolution.Source);
            Assert.NotNull(resolution.ExpiresAt);
            Assert.True(resolution.ExpiresAt > DateTimeOffset.UtcNow, "a token handed out after its expiry");
            Assert.True(resolution.ExpiresAt <= DateTimeOffset.UtcNow.AddSeconds(LifetimeSeconds + 1), $"the token's expiry is past its lifetime: {resolution.ExpiresAt:O}");
            Assert.True(tokens.Add(resolution.Password!.Reveal()), "the same access token twice: it was not renewed after it expired");
            Assert.True(_realm.RefreshGrants > grantsBefore || round == 0, "no refresh grant for a new token");
            Assert.Equal(0, (await DockerAsync(["image", "inspect", "--format", "{{.Id}}", _image])).ExitCode);

            // Across the token's expiry: wait (bounded) until it is past, so the next pull must use a renewed one.
            await WaitUntilAsync(() => DateTimeOffset.UtcNow > resolution.ExpiresAt!.Value, TimeSpan.FromSeconds(LifetimeSeconds + 10));
            await DockerAsync(["rmi", "--force", _image]);
        }

        // The whole address (the credential helper's get, an export): the refresh token itself, once the realm accepts it.
        var address = await service.ResolveAsync(environment.Id, RegistryAddress.Parse(_services.TokenRegistry));
        Assert.Equal(ResolutionOutcome.Authenticated, address.Outcome);
        Assert.Equal(CredentialSecretKind.IdentityToken, address.SecretKind);
        Assert.Equal(refreshToken, address.Password!.Reveal());

        _realm.Revoke(refreshToken);
        await service.RefreshRegistryAsync(environment.Id, entry.Id);
        var revoked = await service.ResolveAsync(environment.Id, image);
        var pull = await Assert.ThrowsAsync<ImagePullException>(() => pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true).AsTask());

        Assert.Equal(ResolutionOutcome.Unavailable, revoked.Outcome);
        Assert.Contains("refresh token revoked", revoked.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshToken, revoked.Reason!, StringComparison.Ordinal);
        Assert.Equal(ImagePullError.CredentialUnavailable, pull.Error);
        Assert.DoesNotContain(refreshToken, pull.ToString(), StringComparison.Ordinal);
        Assert.NotEqual(0, (await DockerAsync(["image", "inspect", "--format", "{{.Id}}", _image])).ExitCode);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var deadline = DateTimeOffset.UtcNow + bound;
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the condition did not hold within {bound}");
            await timer.WaitForNextTickAsync();
        }
    }

    private static void Check(ProcessResult result, string what)
        => Assert.True(result.ExitCode == 0, $"docker {what} failed: {result.Error}{result.Output}");

    private string WriteRootfs()
    {
        var tarball = _directory.Combine($"rootfs-{Guid.NewGuid():N}.tar");
        using var file = File.Create(tarball);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "hello.txt")
        {
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"identity token flow {Guid.NewGuid()}\n")),
        });
        return tarball;
    }

    // The CLI with its own config folder, so its login never touches the user's ~/.docker.
    private Task<ProcessResult> DockerAsync(string[] arguments, string? input = null)
        => Processes.RunAsync(
            _services.DockerCli,
            ["--host", _services.DockerHost, "--config", _directory.Combine("cli"), .. arguments],
            input: input,
            timeout: TimeSpan.FromMinutes(2));
}
