using Microsoft.Extensions.Options;
using Registries.Core.Engine;
using Registries.Core.Storage;

namespace Registries.Core.Docker.Tests;

/// <summary>ImagePullService over the real dockerd and registry, through <see cref="DockerImageEngine"/>.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerImageEngineTests : IAsyncLifetime
{
    private const string Owner = "alice";
    private readonly DockerEngineFixture _docker;
    private readonly DockerImageEngine _engine;
    private readonly InMemoryRegistryStore _store = new();
    private readonly RegistryService _registries;
    private readonly ImagePullService _pulls;
    private readonly List<ImageReference> _images = [];

    public DockerImageEngineTests(DockerEngineFixture docker)
    {
        _docker = docker;
        _engine = new DockerImageEngine(docker.EngineOptions);
        _registries = new RegistryService(_store).As(Owner);
        _pulls = new ImagePullService(new LaunchResolver(_store), _engine);
    }

    [Fact]
    public async Task EnsureImageAsync_RightCredential_PullsTheImage()
    {
        var image = await ImageAsync("right");
        var (environment, registry) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);

        var result = await _pulls.EnsureImageAsync(environment, image);

        Assert.True(result.Pulled);
        Assert.Equal(ResolutionOutcome.Authenticated, result.Resolution!.Outcome);
        Assert.Equal(registry.Id, result.Resolution.RegistryId);
        Assert.True(await _docker.IsPresentAsync(image));
        Assert.True(await _engine.ImageExistsAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_PasswordOfSymbolsAndNonAsciiLetters_PullsTheImage()
    {
        var image = await ImageAsync("symbols");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.SymbolUser, _docker.Services.SymbolPassword);

        var result = await _pulls.EnsureImageAsync(environment, image);

        Assert.True(result.Pulled);
        Assert.True(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_RegistryDeactivated_IsDeniedAndNothingPulled()
    {
        var image = await ImageAsync("denied");
        var (environment, registry) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        await _registries.DeactivateRegistryAsync(environment, registry.Id);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.Denied, error.Error);
        Assert.Contains(registry.Id, error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_ImagePresentWhileRegistryDeactivated_IsUsedAsItIs()
    {
        var image = await ImageAsync("present");
        var (environment, registry) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        Assert.True((await _pulls.EnsureImageAsync(environment, image)).Pulled);
        await _registries.DeactivateRegistryAsync(environment, registry.Id);

        var result = await _pulls.EnsureImageAsync(environment, image);

        Assert.False(result.Pulled);
        Assert.Null(result.Resolution);
        Assert.True(await _docker.IsPresentAsync(image));

        // "Always pull" does not bypass the rules.
        var denied = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image, alwaysPull: true).AsTask());
        Assert.Equal(ImagePullError.Denied, denied.Error);
    }

    [Fact]
    public async Task EnsureImageAsync_AlwaysPullWhilePresent_PullsAgain()
    {
        var image = await ImageAsync("always");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        Assert.True((await _pulls.EnsureImageAsync(environment, image)).Pulled);
        var reports = new RecordingProgress();

        var result = await _pulls.EnsureImageAsync(environment, image, alwaysPull: true, reports);

        Assert.True(result.Pulled);
        Assert.Contains(reports.Items, p => p.Status.Contains("Image is up to date", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureImageAsync_WrongPassword_IsUnauthorizedWithoutThePasswordAndNothingPulled()
    {
        const string Canary = "Canary-Wrong-P4ss\"word:é/+=";
        var image = await ImageAsync("wrong");
        var (environment, registry) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains(registry.Id, error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.Message, StringComparison.Ordinal);
        Assert.Contains("unauthorized: authentication required", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_NoCredentialForAnAuthenticatingRegistry_IsUnauthorized()
    {
        var image = await ImageAsync("anonymous");
        var environment = (await _registries.CreateEnvironmentAsync("anonymous")).Id;

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains("anonymous", error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Theory]
    [InlineData("registries-core-docker-tests/hello:no-such-tag")]
    [InlineData("registries-core-docker-tests/no-such-repository:1.0")]
    public async Task EnsureImageAsync_UnknownRepositoryOrTag_IsNotFound(string repositoryAndTag)
    {
        var image = ImageReference.Parse($"{_docker.Services.Registry}/{repositoryAndTag}");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.NotFound, error.Error);
        Assert.Contains("manifest unknown", error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_ClosedPort_IsRegistryUnreachable()
    {
        var image = ImageReference.Parse("127.0.0.1:1/test/hello:1.0");
        var (environment, _) = await AddRegistryAsync("127.0.0.1:1", _docker.Services.User, _docker.Services.Password);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.RegistryUnreachable, error.Error);
        Assert.Contains("connection refused", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_docker.Services.Password, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureImageAsync_RegistryCertificateNotTrusted_IsCertificateNotTrustedAndNothingPulled()
    {
        var secure = _docker.Services.RequireSecureRegistry();
        var image = ImageReference.Parse($"{secure}/{_docker.Services.Image}");
        _images.Add(image);
        var (environment, _) = await AddRegistryAsync(secure, _docker.Services.User, _docker.Services.Password);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => _pulls.EnsureImageAsync(environment, image).AsTask());

        Assert.Equal(ImagePullError.CertificateNotTrusted, error.Error);
        Assert.Contains("x509", error.Message, StringComparison.Ordinal);
        Assert.Contains($"certs.d/{secure}/ca.crt", error.Message, StringComparison.Ordinal);
        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task PullAsync_Progress_ReportsLayersAndStatuses()
    {
        var image = await _docker.PushUniqueContentAsync("progress");
        _images.Add(image);
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        var resolution = await new LaunchResolver(_store).ResolveAsync(environment, image);
        var reports = new RecordingProgress();

        await _engine.PullAsync(resolution, reports);

        Assert.Contains(reports.Items, p => p.LayerId is null && p.Status.StartsWith("Pulling from", StringComparison.Ordinal));
        Assert.Contains(reports.Items, p => p.LayerId is not null && p.Status == "Pull complete");
        Assert.Contains(reports.Items, p => p.LayerId is not null && p.Current > 0 && p.Total >= p.Current);
        Assert.Contains(reports.Items, p => p.Status.StartsWith("Status: Downloaded newer image", StringComparison.Ordinal));
        Assert.True(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task PullAsync_Denied_ThrowsArgumentExceptionBeforeAnyCall()
    {
        var image = await ImageAsync("denied-direct");
        var (environment, registry) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        await _registries.DeactivateRegistryAsync(environment, registry.Id);
        var resolution = await new LaunchResolver(_store).ResolveAsync(environment, image);

        await Assert.ThrowsAsync<ArgumentException>(() => _engine.PullAsync(resolution).AsTask());

        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task EnsureImageAsync_EngineSocketMissing_IsEngineUnavailable()
    {
        var socket = new Uri($"unix:///tmp/registries-no-such-dir-{Guid.NewGuid():N}/docker.sock");
        using var engine = new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = socket }));
        var pulls = new ImagePullService(new LaunchResolver(_store), engine);
        var image = ImageReference.Parse($"{_docker.Services.Registry}/{_docker.Services.Image}");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);

        var present = await Assert.ThrowsAsync<ImagePullException>(() => pulls.EnsureImageAsync(environment, image).AsTask());
        var resolution = await new LaunchResolver(_store).ResolveAsync(environment, image);
        var pull = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(resolution).AsTask());

        Assert.Equal(ImagePullError.EngineUnavailable, present.Error);
        Assert.Equal(ImagePullError.EngineUnavailable, pull.Error);
        Assert.Contains(socket.ToString(), pull.Message, StringComparison.Ordinal);
        Assert.Contains("dockerd is running", pull.Message, StringComparison.Ordinal);
        Assert.Contains("there is no socket at " + socket.LocalPath, pull.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Cannot assign requested address", pull.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAsync_TokenAlreadyCancelled_ThrowsOperationCanceled()
    {
        var image = await ImageAsync("cancelled");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        var resolution = await new LaunchResolver(_store).ResolveAsync(environment, image);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _engine.PullAsync(resolution, cancellationToken: cancellation.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _pulls.EnsureImageAsync(environment, image, cancellationToken: cancellation.Token).AsTask());

        Assert.False(await _docker.IsPresentAsync(image));
    }

    [Fact]
    public async Task PullAsync_CancelledDuringTheStream_ThrowsOperationCanceled()
    {
        var image = await ImageAsync("cancel-midway");
        var (environment, _) = await AddRegistryAsync(_docker.Services.Registry, _docker.Services.User, _docker.Services.Password);
        var resolution = await new LaunchResolver(_store).ResolveAsync(environment, image);
        using var cancellation = new CancellationTokenSource();
        var reports = new RecordingProgress(onReport: _ => cancellation.Cancel());

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _engine.PullAsync(resolution, reports, cancellation.Token).AsTask());

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.NotEmpty(reports.Items);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var image in _images)
            {
                await _docker.RemoveAsync(image);
            }
        }
        finally
        {
            _engine.Dispose();
        }
    }

    private async Task<ImageReference> ImageAsync(string label)
    {
        var image = await _docker.PushUniqueAsync(label);
        _images.Add(image);
        return image;
    }

    private async Task<(string EnvironmentId, Registry Registry)> AddRegistryAsync(string address, string username, string password)
    {
        var environment = await _registries.CreateEnvironmentAsync("env-" + Guid.NewGuid().ToString("N")[..6]);
        var registry = await _registries.AddRegistryAsync(
            environment.Id,
            RegistryAddress.Parse(address),
            new RegistryCredential("ops@example.com", username, password));
        return (environment.Id, registry);
    }
}
