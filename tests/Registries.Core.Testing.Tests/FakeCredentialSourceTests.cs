using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Registries.Core.DependencyInjection;
using Registries.Core.Engine;
using Registries.Core.Sources;

namespace Registries.Core.Testing.Tests;

public sealed class FakeCredentialSourceTests
{
    private const string Canary = "Canary-T0ken:w/+=\"ord é€";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly Registry Helper = new("1r1", "1a1", RegistryAddress.Parse("registry.example.com"), RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper("pass"));

    [Fact]
    public async Task FetchAsync_Untold_HasNoCredentialAndCountsTheCall()
    {
        var source = new FakeCredentialSource();

        var answer = await source.FetchAsync(Request(), CancellationToken.None);

        Assert.Null(answer);
        Assert.Equal(1, source.CallCount);
        Assert.Equal(CredentialSourceKind.CredentialHelper, source.Kind);
        Assert.Equal(Helper.Id, Assert.Single(source.Requests).Registry.Id);
    }

    [Fact]
    public async Task Returns_LifetimeCountedOnTheGivenClockFromEachFetch()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var source = new FakeCredentialSource(CredentialSourceKind.CredentialHelper, time).Returns("AWS", Canary, TimeSpan.FromHours(12), CredentialCacheScope.Image, CredentialSecretKind.RegistryToken);

        var first = await source.FetchAsync(Request(), CancellationToken.None);
        time.Advance(TimeSpan.FromHours(1));
        var second = await source.FetchAsync(Request(), CancellationToken.None);

        Assert.Equal("AWS", first!.Username);
        Assert.Equal(Canary, first.Secret.Reveal());
        Assert.Equal(CredentialSecretKind.RegistryToken, first.SecretKind);
        Assert.Equal(CredentialCacheScope.Image, first.CacheScope);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero), first.ExpiresAt);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 13, 0, 0, TimeSpan.Zero), second!.ExpiresAt);
        Assert.DoesNotContain(Canary, first.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, source.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fails_ThrowsCredentialSourceExceptionWithTheMessageAndTheEntrysSource()
    {
        var source = new FakeCredentialSource().Fails("pass: gpg agent locked");

        var error = await Assert.ThrowsAsync<CredentialSourceException>(async () => await source.FetchAsync(Request(), CancellationToken.None));

        Assert.Equal("pass: gpg agent locked", error.Message);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), error.CredentialSource);
    }

    [Fact]
    public async Task Hold_FetchWaitsUntilRelease_CancellationEndsTheWait()
    {
        var source = new FakeCredentialSource().Returns("user", "secret");
        source.Hold();
        var held = source.FetchAsync(Request(), CancellationToken.None).AsTask();
        using var cancel = new CancellationTokenSource();
        var cancelled = source.FetchAsync(Request(), cancel.Token).AsTask();
        using var bound = new CancellationTokenSource(Bound);
        await source.WaitForCallsAsync(2, bound.Token);

        Assert.False(held.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));
        source.Release();
        Assert.Equal("secret", (await held.WaitAsync(Bound))!.Secret.Reveal());
    }

    [Fact]
    public void Arguments_Checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FakeCredentialSource(CredentialSourceKind.Stored));
        Assert.Throws<ArgumentException>(() => new FakeCredentialSource().Returns("user", "secret", TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new FakeCredentialSource().Returns(string.Empty, "secret"));
        Assert.Throws<ArgumentNullException>(() => new FakeCredentialSource().AnswersWith(null!));
    }

    [Fact]
    public async Task UseFakeCredentialSource_ReplacesAnInstanceOfTheSameKind_KeepsOtherKinds()
    {
        var replaced = new FakeCredentialSource();
        var plugin = new FakeCredentialSource(CredentialSourceKind.KubeletPlugin);
        var fake = new FakeCredentialSource().Returns("AWS", Canary);
        var services = new ServiceCollection();
        services.AddSingleton<ICredentialSource>(replaced);
        services.AddSingleton<ICredentialSource>(plugin);
        var engine = new FakeImageEngine();
        services.AddRegistries().UseFakeCredentialSource(fake).UseFakeImageEngine(engine);
        await using var provider = services.BuildServiceProvider();

        var sources = provider.GetServices<ICredentialSource>().ToArray();
        var service = provider.GetRequiredService<RegistryService>().As("alice");
        var environment = await service.CreateEnvironmentAsync("prod");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse("registry.example.com"), RegistryCredential.FromCredentialHelper("ops@example.com", "pass"));
        engine.RequireCredentials("registry.example.com", "AWS", Canary);
        var pulled = await provider.GetRequiredService<ImagePullService>().EnsureImageAsync(environment.Id, ImageReference.Parse("registry.example.com/app"));

        Assert.Equal(2, sources.Length);
        Assert.Contains(fake, sources);
        Assert.Contains(plugin, sources);
        Assert.True(pulled.Pulled);
        Assert.Equal(1, fake.CallCount);
        Assert.Equal(0, replaced.CallCount);
    }

    [Fact]
    public async Task FakeImageEngine_UnavailableResolution_RefusedNeverPulledAnonymously()
    {
        var image = ImageReference.Parse("registry.example.com/app");
        var engine = new FakeImageEngine();

        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.PullAsync(CredentialResolution.Unavailable(image, image.Address, Helper, "pass has none")));

        Assert.Empty(engine.Pulls);
    }

    private static CredentialSourceRequest Request() => new(Helper, Helper.Address, ImageReference.Parse("registry.example.com/app"), null);
}
