using System.Collections.Concurrent;
using Registries.Core.Engine;

namespace Registries.Core.Testing.Tests;

public sealed class FakeImageEngineTests
{
    private const string Canary = "Canary-P4ss:w/+=\"ord é€";
    private static readonly RegistryAddress Private = RegistryAddress.Parse("registry.example.com:5000");
    private static readonly ImageReference App = ImageReference.Parse("registry.example.com:5000/team/app:1.0");

    [Fact]
    public async Task AddImage_ThenImageExistsAsync_IsTrueAndNoTagMeansLatest()
    {
        var engine = new FakeImageEngine().AddImage("ubuntu").AddImage(App);

        Assert.True(await engine.ImageExistsAsync(ImageReference.Parse("docker.io/library/ubuntu:latest")));
        Assert.True(await engine.ImageExistsAsync(App));
        Assert.False(await engine.ImageExistsAsync(App.WithTag("2.0")));
        Assert.True(engine.Contains("ubuntu:latest"));
        Assert.Equal(3, engine.ExistenceChecks);
        Assert.Equal(["docker.io/library/ubuntu:latest", "registry.example.com:5000/team/app:1.0"], engine.Images);
    }

    [Fact]
    public async Task RemoveImage_Present_IsGoneAfterwards()
    {
        var engine = new FakeImageEngine().AddImage(App);

        Assert.True(engine.RemoveImage(App));
        Assert.False(engine.RemoveImage(App));
        Assert.False(await engine.ImageExistsAsync(App));
    }

    [Fact]
    public async Task PullAsync_Authenticated_RecordsTheCredentialAndMakesTheImagePresent()
    {
        var engine = new FakeImageEngine();
        var resolution = CredentialResolution.Authenticated(App, Entry(Private, "ci"), new RegistrySecret(Canary));

        await engine.PullAsync(resolution);

        var pull = Assert.Single(engine.Pulls);
        Assert.Same(resolution, pull.Resolution);
        Assert.Equal(App, pull.Image);
        Assert.Equal(ResolutionOutcome.Authenticated, pull.Outcome);
        Assert.Equal("reg-1", pull.RegistryId);
        Assert.Equal("ci", pull.Username);
        Assert.Equal(Canary, pull.Resolution.Password!.Reveal());
        Assert.True(pull.Succeeded);
        Assert.Null(pull.Error);
        Assert.True(engine.Contains(App));
        Assert.Same(pull, Assert.Single(engine.SuccessfulPulls));
    }

    [Fact]
    public async Task PullAsync_Anonymous_RecordsAnAnonymousPull()
    {
        var engine = new FakeImageEngine();

        await engine.PullAsync(CredentialResolution.Anonymous(ImageReference.Parse("quay.io/org/app")));

        var pull = Assert.Single(engine.Pulls);
        Assert.Equal(ResolutionOutcome.Anonymous, pull.Outcome);
        Assert.Null(pull.Username);
        Assert.Null(pull.RegistryId);
        Assert.True(engine.Contains("quay.io/org/app:latest"));
        Assert.Equal("quay.io/org/app pulled anonymously", pull.ToString());
    }

    [Fact]
    public async Task PullAsync_Denied_IsRefusedLikeTheDockerAdapterAndNothingIsRecorded()
    {
        var engine = new FakeImageEngine();
        var denied = CredentialResolution.Denied(App, Entry(Private, "ci", RegistryState.Inactive), "Registry reg-1 is inactive.");

        var error = await Assert.ThrowsAsync<ArgumentException>("resolution", () => engine.PullAsync(denied).AsTask());

        Assert.Contains("Denied", error.Message, StringComparison.Ordinal);
        Assert.Contains("ImagePullService", error.Message, StringComparison.Ordinal);
        Assert.Empty(engine.Pulls);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public async Task PullAsync_AddressResolution_IsRefusedAndNothingIsRecorded()
    {
        var engine = new FakeImageEngine();
        var resolution = CredentialResolution.Authenticated(Private, Entry(Private, "ci"), new RegistrySecret(Canary));

        var error = await Assert.ThrowsAsync<ArgumentException>("resolution", () => engine.PullAsync(resolution).AsTask());

        Assert.Contains("A pull needs an image resolution", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.Empty(engine.Pulls);
    }

    [Fact]
    public async Task RequireCredentials_RightCredential_Pulls()
    {
        var engine = new FakeImageEngine().RequireCredentials("registry.example.com:5000", "ci", Canary);

        await engine.PullAsync(CredentialResolution.Authenticated(App, Entry(Private, "ci"), new RegistrySecret(Canary)));

        Assert.True(Assert.Single(engine.Pulls).Succeeded);
        Assert.True(engine.Contains(App));
    }

    [Fact]
    public async Task RequireCredentials_WrongPassword_IsUnauthorizedWithoutAnyPasswordAndTheImageStaysAbsent()
    {
        const string Wrong = "Wrong-Canary-9:/+=";
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => engine.PullAsync(CredentialResolution.Authenticated(App, Entry(Private, "ci"), new RegistrySecret(Wrong))).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Same(App, error.Image);
        Assert.Contains("reg-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("user 'ci'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        var pull = Assert.Single(engine.Pulls);
        Assert.False(pull.Succeeded);
        Assert.Equal(ImagePullError.Unauthorized, pull.Error);
        Assert.Equal(Wrong, pull.Resolution.Password!.Reveal());
        Assert.Empty(engine.SuccessfulPulls);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public async Task RequireCredentials_WrongUsername_IsUnauthorized()
    {
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => engine.PullAsync(CredentialResolution.Authenticated(App, Entry(Private, "someone-else"), new RegistrySecret(Canary))).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
    }

    [Fact]
    public async Task RequireCredentials_AnonymousPull_IsUnauthorized()
    {
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);

        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(App)).AsTask());

        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains("anonymous", error.Message, StringComparison.Ordinal);
        Assert.Equal(ImagePullError.Unauthorized, Assert.Single(engine.Pulls).Error);
    }

    [Fact]
    public async Task RequireCredentials_OtherRegistry_IsNotAffected()
    {
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);

        await engine.PullAsync(CredentialResolution.Anonymous(ImageReference.Parse("quay.io/org/app:1")));

        Assert.True(Assert.Single(engine.Pulls).Succeeded);
    }

    [Fact]
    public async Task FailNextPull_Image_FailsThatPullOnceThenPullsNormally()
    {
        var engine = new FakeImageEngine().FailNextPull(App, ImagePullError.NotFound);
        var other = ImageReference.Parse("registry.example.com:5000/team/other:1.0");

        await engine.PullAsync(CredentialResolution.Anonymous(other));
        var error = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(App)).AsTask());
        await engine.PullAsync(CredentialResolution.Anonymous(App));

        Assert.Equal(ImagePullError.NotFound, error.Error);
        Assert.Contains(App.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Equal([null, ImagePullError.NotFound, null], engine.Pulls.Select(p => p.Error));
        Assert.True(engine.Contains(App));
    }

    [Fact]
    public async Task FailNextPullFrom_Address_FailsTheNextPullOfAnyImageFromItWithTheGivenMessage()
    {
        var engine = new FakeImageEngine()
            .FailNextPullFrom("registry.example.com:5000", ImagePullError.RegistryUnreachable, "connection refused")
            .FailNextPull("registry.example.com:5000/team/app:1.0", ImagePullError.CertificateNotTrusted);

        var first = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(App)).AsTask());
        var second = await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(App)).AsTask());

        Assert.Equal(ImagePullError.RegistryUnreachable, first.Error);
        Assert.Equal("connection refused", first.Message);
        Assert.Equal(ImagePullError.CertificateNotTrusted, second.Error);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public void FailNextPull_UnknownError_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new FakeImageEngine().FailNextPull(App, (ImagePullError)99));

    [Fact]
    public async Task PullAsync_Progress_ReportsTheImageTheLayerAndTheSummary()
    {
        var engine = new FakeImageEngine();
        var reports = new List<ImagePullProgress>();

        await engine.PullAsync(CredentialResolution.Anonymous(App), new SynchronousProgress(reports.Add));

        Assert.Equal(["Pulling from team/app", "Pull complete", "Status: Downloaded newer image for " + App], reports.Select(r => r.Status));
        Assert.Contains(reports, r => r.LayerId is not null && r.Current == r.Total);
    }

    [Fact]
    public async Task PullAsync_TokenAlreadyCancelled_ThrowsAndRecordsNothing()
    {
        var engine = new FakeImageEngine();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.PullAsync(CredentialResolution.Anonymous(App), cancellationToken: cancellation.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => engine.ImageExistsAsync(App, cancellation.Token).AsTask());

        Assert.Empty(engine.Pulls);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public async Task PullAsync_CancelledDuringProgress_ThrowsWithTheTokenAndLeavesTheImageAbsent()
    {
        var engine = new FakeImageEngine();
        using var cancellation = new CancellationTokenSource();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => engine.PullAsync(CredentialResolution.Anonymous(App), new SynchronousProgress(_ => cancellation.Cancel()), cancellation.Token).AsTask());

        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Empty(engine.Pulls);
        Assert.False(engine.Contains(App));
    }

    [Fact]
    public async Task PullAsync_ManyThreads_RecordsEveryPullOnce()
    {
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);
        var resolution = CredentialResolution.Authenticated(App, Entry(Private, "ci"), new RegistrySecret(Canary));
        var seen = new ConcurrentBag<int>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var image = App.WithTag("v" + i);
            await engine.PullAsync(CredentialResolution.Authenticated(image, resolution.MatchedRegistry!, resolution.Password!), cancellationToken: token);
            Assert.True(await engine.ImageExistsAsync(image, token));
            seen.Add(i);
        });

        Assert.Equal(200, engine.Pulls.Count);
        Assert.Equal(200, engine.Pulls.Select(p => p.Image).Distinct().Count());
        Assert.Equal(200, engine.Images.Count);
        Assert.Equal(200, seen.Count);
    }

    [Fact]
    public async Task ToString_EngineAndRecordedPulls_NeverShowThePassword()
    {
        var engine = new FakeImageEngine().RequireCredentials(Private, "ci", Canary);
        await engine.PullAsync(CredentialResolution.Authenticated(App, Entry(Private, "ci"), new RegistrySecret(Canary)));
        await Assert.ThrowsAsync<ImagePullException>(() => engine.PullAsync(CredentialResolution.Anonymous(App.WithTag("2"))).AsTask());

        var texts = new List<string> { engine.ToString() };
        texts.AddRange(engine.Pulls.Select(p => p.ToString()));

        Assert.Contains("1 image(s) present, 2 pull(s) (1 failed)", texts[0], StringComparison.Ordinal);
        Assert.Equal("registry.example.com:5000/team/app:1.0 pulled as 'ci' (reg-1)", texts[1]);
        Assert.Equal("registry.example.com:5000/team/app:2 failed (Unauthorized) anonymously", texts[2]);
        foreach (var text in texts)
        {
            Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Canary)), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Members_NullArguments_Throw()
    {
        var engine = new FakeImageEngine();

        Assert.Throws<ArgumentNullException>("image", () => engine.AddImage((ImageReference)null!));
        Assert.Throws<ArgumentNullException>("image", () => engine.AddImage((string)null!));
        Assert.Throws<ArgumentNullException>("image", () => engine.Contains((ImageReference)null!));
        Assert.Throws<ArgumentNullException>("address", () => engine.RequireCredentials((RegistryAddress)null!, "u", "p"));
        Assert.Throws<ArgumentException>("password", () => engine.RequireCredentials(Private, "u", ""));
        Assert.Throws<ArgumentNullException>("address", () => engine.FailNextPullFrom((string)null!, ImagePullError.Failed));
        await Assert.ThrowsAsync<ArgumentNullException>("resolution", () => engine.PullAsync(null!).AsTask());
        await Assert.ThrowsAsync<ArgumentNullException>("image", () => engine.ImageExistsAsync(null!).AsTask());
    }

    [Fact]
    public async Task TagAsyncAndUntagAsync_PresentImage_AddAndTakeOffNamesAndRecordThem()
    {
        var engine = new FakeImageEngine().AddImage("mirror.example.com/team/app:1");
        var mirror = ImageReference.Parse("mirror.example.com/team/app:1");
        var upstream = ImageReference.Parse("registry.example.com/team/app:1");

        await engine.TagAsync(mirror, upstream);
        var removed = await engine.UntagAsync(mirror);
        var again = await engine.UntagAsync(mirror);

        Assert.True(removed);
        Assert.False(again);
        Assert.Equal(["registry.example.com/team/app:1"], engine.Images);
        var tag = Assert.Single(engine.Tags);
        Assert.Equal((mirror, upstream), (tag.Image, tag.Name));
        Assert.Equal(mirror, Assert.Single(engine.Untags));
        Assert.Equal("mirror.example.com/team/app:1 tagged registry.example.com/team/app:1", tag.ToString());
    }

    [Fact]
    public async Task TagAsync_AbsentImageOrDigestedName_FailsAsTheDockerAdapterDoes()
    {
        var engine = new FakeImageEngine().AddImage("registry.example.com/app:1");

        var absent = await Assert.ThrowsAsync<ImagePullException>(() => engine.TagAsync(ImageReference.Parse("registry.example.com/none:1"), ImageReference.Parse("registry.example.com/app:2")).AsTask());
        await Assert.ThrowsAsync<ArgumentException>("name", () => engine.TagAsync(ImageReference.Parse("registry.example.com/app:1"), ImageReference.Parse("registry.example.com/app@sha256:" + new string('a', 64))).AsTask());
        await Assert.ThrowsAsync<ArgumentException>("name", () => engine.UntagAsync(ImageReference.Parse("registry.example.com/app@sha256:" + new string('a', 64))).AsTask());

        Assert.Equal(ImagePullError.NotFound, absent.Error);
        Assert.Empty(engine.Tags);
        Assert.Equal(["registry.example.com/app:1"], engine.Images);
    }

    private static Registry Entry(RegistryAddress address, string username, RegistryState state = RegistryState.Active)
        => new("reg-1", "env-1", address, state, "ops@example.com", username, sequence: 1, version: 1);

    // Progress<T> posts to a context later; the engine's contract is that reports arrive during the pull, in order.
    private sealed class SynchronousProgress(Action<ImagePullProgress> report) : IProgress<ImagePullProgress>
    {
        public void Report(ImagePullProgress value) => report(value);
    }
}
