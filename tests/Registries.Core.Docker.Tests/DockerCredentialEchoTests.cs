using System.Text;
using System.Text.Json;
using Registries.Core.Engine;
using Registries.Core.Storage;

namespace Registries.Core.Docker.Tests;

/// <summary>Issue 13: a registry that echoes the Authorization header gets no form of the credential into the
/// <see cref="ImagePullException"/>, pulled through the real dockerd.</summary>
[Trait("Category", "Integration")]
[Collection(DockerEngineCollection.Name)]
public sealed class DockerCredentialEchoTests : IDisposable
{
    private const string User = "deployer";
    private const string Canary = "Pul:l/+=\"q\\ Äé€~?>ÿ";
    private readonly DockerEngineFixture _docker;
    private readonly DockerImageEngine _engine;

    public DockerCredentialEchoTests(DockerEngineFixture docker)
    {
        _docker = docker;
        _engine = new DockerImageEngine(docker.EngineOptions);
    }

    public void Dispose() => _engine.Dispose();

    [Fact]
    public async Task PullAsync_RegistryEchoesTheAuthorizationHeader_ErrorHasNoFormOfTheCredential()
    {
        await using var registry = new EchoingRegistry();
        var store = new InMemoryRegistryStore();
        var service = new RegistryService(store).As("alice");
        var environment = await service.CreateEnvironmentAsync("echo");
        await service.AddRegistryAsync(environment.Id, RegistryAddress.Parse(registry.Address), new RegistryCredential("ops@example.com", User, Canary));
        var pulls = new ImagePullService(new LaunchResolver(store), _engine);
        var progress = new RecordingProgress();

        var error = await Assert.ThrowsAsync<ImagePullException>(
            () => pulls.EnsureImageAsync(environment.Id, ImageReference.Parse(registry.Address + "/team/app:1.0"), alwaysPull: false, progress).AsTask().WaitAsync(TimeSpan.FromMinutes(2)));

        // dockerd did send the credential, and the registry did echo it.
        var sent = Assert.Single(registry.Authorizations.Distinct());
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Canary)), sent);
        Assert.Equal(ImagePullError.Unauthorized, error.Error);
        Assert.Contains("bad Basic ***", error.Message, StringComparison.Ordinal);
        AssertNoForm(error.ToString());
        AssertNoForm(string.Join("\n", progress.Items.Select(r => r.Status + r.LayerId)));
    }

    internal static void AssertNoForm(string text)
    {
        var forms = new List<string> { Canary, User + ":" + Canary, JsonSerializer.Serialize(Canary)[1..^1], Canary.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) };
        foreach (var bytes in new[] { Encoding.UTF8.GetBytes(User + ":" + Canary), Encoding.UTF8.GetBytes(Canary) })
        {
            var b64 = Convert.ToBase64String(bytes);
            var url = b64.Replace('+', '-').Replace('/', '_');
            forms.AddRange([b64, b64.TrimEnd('='), url, url.TrimEnd('=')]);
        }

        foreach (var form in forms)
        {
            Assert.DoesNotContain(form, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Uri.EscapeDataString(Canary), text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(text, DockerPullFailure.MaskOf(CredentialResolution.Authenticated(
            ImageReference.Parse("x.example/y"),
            new Registry("r", "e", RegistryAddress.Parse("x.example"), RegistryState.Active, "ops@example.com", User, sequence: 1, version: 1),
            new RegistrySecret(Canary))).Apply(text));
    }
}
