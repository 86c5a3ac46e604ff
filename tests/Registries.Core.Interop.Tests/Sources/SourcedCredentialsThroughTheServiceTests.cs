using System.Text.Json;
using Microsoft.Extensions.Options;
using Registries.Core.Sources;
using Registries.Core.Storage;

namespace Registries.Core.Interop.Tests;

/// <summary>An identity-token entry resolved through the service (with the sources' cache), as the credential helper,
/// the kubelet provider and the exporter see it, with a source double of the port that answers as told.</summary>
public sealed class SourcedCredentialsThroughTheServiceTests
{
    private const string Canary = "CANARY-refresh-token-7";
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com");

    [Fact]
    public async Task CredentialHelperGet_IdentityToken_AnswersTheTokenUsername()
    {
        var (service, environmentId, _) = await CreateAsync(new AnsweringSource(r => new SourcedCredential(r.Registry.Username, r.StoredSecret!, CredentialSecretKind.IdentityToken, null)));
        var output = new StringWriter();

        var code = await new DockerCredentialHelper(service, environmentId).RunAsync("get", new StringReader("registry.example.com"), output, TextWriter.Null);

        Assert.Equal(DockerCredentialHelper.Success, code);
        var answer = JsonDocument.Parse(output.ToString()).RootElement;
        Assert.Equal("<token>", answer.GetProperty("Username").GetString());
        Assert.Equal(Canary, answer.GetProperty("Secret").GetString());
    }

    [Fact]
    public async Task CredentialHelperGet_EachCallResolvesAfresh()
    {
        var source = new AnsweringSource(r => new SourcedCredential(r.Registry.Username, new RegistrySecret("pw-" + Guid.NewGuid().ToString("N")), CredentialSecretKind.Password, DateTimeOffset.UtcNow.AddMilliseconds(1500)));
        var (service, environmentId, entry) = await CreateAsync(source);
        var helper = new DockerCredentialHelper(service, environmentId);

        var first = new StringWriter();
        await helper.RunAsync("get", new StringReader("registry.example.com"), first, TextWriter.Null);
        await service.RefreshRegistryAsync(environmentId, entry.Id);
        var second = new StringWriter();
        await helper.RunAsync("get", new StringReader("registry.example.com"), second, TextWriter.Null);

        Assert.Equal(2, source.Calls);
        Assert.NotEqual(JsonDocument.Parse(first.ToString()).RootElement.GetProperty("Secret").GetString(), JsonDocument.Parse(second.ToString()).RootElement.GetProperty("Secret").GetString());
    }

    [Fact]
    public async Task CredentialHelperGet_Unavailable_IsAnErrorWithTheReasonNotNotFound()
    {
        var (service, environmentId, _) = await CreateAsync(new AnsweringSource(r => throw new CredentialSourceException(r.Registry.Source, "the token realm refused the identity token")));
        var output = new StringWriter();

        var code = await new DockerCredentialHelper(service, environmentId).RunAsync("get", new StringReader("registry.example.com"), output, TextWriter.Null);

        Assert.Equal(DockerCredentialHelper.Failure, code);
        Assert.Contains("unavailable", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the token realm refused the identity token", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KubeletProvider_RegistryToken_IsRefusedWithWhatToDo()
    {
        var (service, environmentId, _) = await CreateAsync(new AnsweringSource(r => new SourcedCredential(r.Registry.Username, new RegistrySecret("access"), CredentialSecretKind.RegistryToken, DateTimeOffset.UtcNow.AddMinutes(5), CredentialCacheScope.Image)));
        var provider = new KubeletCredentialProvider(service, Options.Create(new KubeletCredentialProviderOptions()));
        using var output = new MemoryStream();
        using var input = new MemoryStream("""{"apiVersion":"credentialprovider.kubelet.k8s.io/v1","kind":"CredentialProviderRequest","image":"registry.example.com/team/app:1"}"""u8.ToArray());

        var response = await provider.ServeAsync(environmentId, input, output);

        Assert.False(response.HasDocument);
        Assert.Contains("a registry access token", response.Refusal, StringComparison.Ordinal);
        Assert.Contains("stored credential", response.Refusal, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task KubeletProvider_ShortLivedPassword_CacheDurationIsItsRemainingLife()
    {
        var (service, environmentId, _) = await CreateAsync(new AnsweringSource(r => new SourcedCredential(r.Registry.Username, new RegistrySecret("pw"), CredentialSecretKind.Password, DateTimeOffset.UtcNow.AddSeconds(90))));
        var provider = new KubeletCredentialProvider(service, Options.Create(new KubeletCredentialProviderOptions { CacheDuration = TimeSpan.FromMinutes(10) }));

        var response = await provider.ProvideAsync(environmentId, KubeletCredentialRequest.For(ImageReference.Parse("registry.example.com/team/app:1")));

        Assert.True(response.HasDocument);
        Assert.InRange(response.CacheDuration, TimeSpan.FromSeconds(80), TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task Exporter_UnavailableEntry_IsNotedNeverDroppedSilently()
    {
        var (service, environmentId, _) = await CreateAsync(new AnsweringSource(r => throw new CredentialSourceException(r.Registry.Source, "the token realm refused the identity token")));

        var export = await new DockerConfigExporter(service).ExportAsync(environmentId);

        Assert.Empty(export.Addresses);
        Assert.Contains(export.GetNotes(DockerConfigFormat.Docker), n => n.Contains("registry.example.com: not exported: its credential is unavailable", StringComparison.Ordinal));
        Assert.Throws<DockerConfigExportRefusedException>(() => export.EnsureExpressible(DockerConfigFormat.Docker));
    }

    private static async Task<(RegistryService Service, string EnvironmentId, Registry Entry)> CreateAsync(ICredentialSource source)
    {
        var service = new RegistryService(new InMemoryRegistryStore(), sources: new CredentialSources([source])).As("alice");
        var environment = await service.CreateEnvironmentAsync("tokens");
        var entry = await service.AddRegistryAsync(environment.Id, Address, RegistryCredential.FromIdentityToken("ops@example.com", "deployer", new RegistrySecret(Canary)));
        return (service, environment.Id, entry);
    }

    // A double of the port: answers what it is told, counting calls.
    private sealed class AnsweringSource(Func<CredentialSourceRequest, SourcedCredential?> answer) : ICredentialSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public CredentialSourceKind Kind => CredentialSourceKind.IdentityToken;

        public ValueTask<SourcedCredential?> FetchAsync(CredentialSourceRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(answer(request));
        }
    }
}
