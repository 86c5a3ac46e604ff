using System.Text;
using System.Text.Json;
using Registries.Core.Interop;

namespace Registries.Core.Interop.Tests.CredentialHelper;

public sealed class DockerCredentialHelperTests
{
    private const string Canary = "canary-P4ss:w/rd+\"quote";

    [Theory]
    [InlineData("registry.example.com:5000")]
    [InlineData("registry.example.com:5000\n")]
    [InlineData("  registry.example.com:5000  \r\n")]
    [InlineData("https://registry.example.com:5000")]
    [InlineData("https://registry.example.com:5000/v1/")]
    [InlineData("https://registry.example.com:5000/v2/")]
    [InlineData("http://REGISTRY.example.com:5000")]
    public async Task Get_EveryServerUrlForm_AnswersTheEffectiveCredential(string serverUrl)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deploy", Canary);

        var (exit, output, diagnostics) = await RunAsync(domain, "get", serverUrl);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        Assert.Equal(string.Empty, diagnostics);
        Assert.EndsWith("\n", output, StringComparison.Ordinal);
        using var answer = JsonDocument.Parse(output);
        Assert.Equal(serverUrl.Trim(), answer.RootElement.GetProperty("ServerURL").GetString());
        Assert.Equal("deploy", answer.RootElement.GetProperty("Username").GetString());
        Assert.Equal(Canary, answer.RootElement.GetProperty("Secret").GetString());
        Assert.Equal(3, answer.RootElement.EnumerateObject().Count());
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/")]
    [InlineData("index.docker.io")]
    [InlineData("registry-1.docker.io")]
    [InlineData("docker.io")]
    [InlineData("https://registry-1.docker.io/v2/")]
    public async Task Get_DockerHubAliases_AnswerTheDockerHubCredential(string serverUrl)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("docker.io", "hubuser", Canary);
        await domain.AddAsync("registry.example.com", "other", "other-password");

        var (exit, output, _) = await RunAsync(domain, "get", serverUrl);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        using var answer = JsonDocument.Parse(output);
        Assert.Equal("hubuser", answer.RootElement.GetProperty("Username").GetString());
        Assert.Equal(Canary, answer.RootElement.GetProperty("Secret").GetString());
    }

    [Fact]
    public async Task Get_NoEntryForTheServer_AnswersExactlyCredentialsNotFound()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deploy", Canary);

        var (exit, output, diagnostics) = await RunAsync(domain, "get", "other.example.com:5000\n");

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Equal("credentials not found in native keychain\n", output);
        Assert.Equal(string.Empty, diagnostics);
    }

    [Fact]
    public async Task Get_EffectiveEntryInactive_FailsWithTheReasonAndNotNotFound()
    {
        var domain = await Domain.CreateAsync();
        var registry = await domain.AddAsync("registry.example.com:5000", "deploy", Canary);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, registry.Id);

        var (exit, output, diagnostics) = await RunAsync(domain, "get", "registry.example.com:5000");

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, output, StringComparison.Ordinal);
        Assert.Contains("denied", output, StringComparison.Ordinal);
        Assert.Contains(registry.Id, output, StringComparison.Ordinal);
        Assert.Contains("denied", diagnostics, StringComparison.Ordinal);
        AssertNoCanary(output + diagnostics);
    }

    [Fact]
    public async Task Get_OlderActiveEntryOverriddenByAnInactiveOne_IsDeniedWithoutFallback()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "old", "old-password");
        var newer = await domain.AddAsync("registry.example.com:5000", "deploy", Canary);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, newer.Id);

        var (exit, output, _) = await RunAsync(domain, "get", "registry.example.com:5000");

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.DoesNotContain("old-password", output, StringComparison.Ordinal);
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AfterActivate_AnswersAgain()
    {
        var domain = await Domain.CreateAsync();
        var registry = await domain.AddAsync("registry.example.com:5000", "deploy", Canary);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, registry.Id);
        await domain.Service.ActivateRegistryAsync(domain.EnvironmentId, registry.Id);

        var (exit, output, _) = await RunAsync(domain, "get", "registry.example.com:5000");

        Assert.Equal(DockerCredentialHelper.Success, exit);
        Assert.Contains("deploy", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_AsMember_Answers_AsReadOnly_FailsWithoutTheSecret()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deploy", Canary);

        var member = await RunAsync(domain, "get", "registry.example.com:5000", user: "bob");
        var reader = await RunAsync(domain, "get", "registry.example.com:5000", user: "reader");

        Assert.Equal(DockerCredentialHelper.Success, member.Exit);
        Assert.Equal(DockerCredentialHelper.Failure, reader.Exit);
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, reader.Output, StringComparison.Ordinal);
        AssertNoCanary(reader.Output + reader.Diagnostics);
    }

    [Fact]
    public async Task Get_Outsider_FailsAsNotFoundEnvironmentWithoutTheSecret()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deploy", Canary);

        var (exit, output, diagnostics) = await RunAsync(domain, "get", "registry.example.com:5000", user: "mallory");

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Contains(domain.EnvironmentId, output, StringComparison.Ordinal);
        AssertNoCanary(output + diagnostics);
    }

    [Fact]
    public async Task Get_UnknownEnvironment_FailsWithOneLine()
    {
        var domain = await Domain.CreateAsync();
        var helper = new DockerCredentialHelper(domain.Service, "no-such-environment");
        var output = new StringWriter();
        var diagnostics = new StringWriter();

        var exit = await helper.RunAsync("get", new StringReader("registry.example.com"), output, diagnostics);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no-such-environment", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("   ")]
    public async Task Get_EmptyInput_FailsWithMissingServerUrl(string input)
    {
        var domain = await Domain.CreateAsync();

        var (exit, output, _) = await RunAsync(domain, "get", input);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.StartsWith("no credentials server URL", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("https://user:pw@registry.example.com")]
    [InlineData("\0\0\u0001binary")]
    [InlineData("registry.example.com\nsecond.example.com")]
    public async Task Get_InputThatIsNoServerUrl_FailsWithOneClearLine(string input)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com", "deploy", Canary);

        var (exit, output, _) = await RunAsync(domain, "get", input);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not a registry address", output, StringComparison.Ordinal);
        Assert.DoesNotContain("pw@", output, StringComparison.Ordinal);
        AssertNoCanary(output);
    }

    [Fact]
    public async Task Get_HugeInput_IsReadBoundedAndFails()
    {
        var domain = await Domain.CreateAsync();
        var reader = new EndlessReader();

        var output = new StringWriter();
        var exit = await new DockerCredentialHelper(domain.Service, domain.EnvironmentId).RunAsync("get", reader, output, TextWriter.Null);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Contains("longer than", output.ToString(), StringComparison.Ordinal);
        Assert.True(reader.CharactersRead <= DockerCredentialHelper.MaxInputCharacters + 8192, $"read {reader.CharactersRead} characters");
    }

    [Fact]
    public async Task List_ShowsEffectiveActiveAddressesAndUsernamesOnly()
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("docker.io", "hubuser", Canary);
        await domain.AddAsync("registry.example.com:5000", "old", "old-password");
        await domain.AddAsync("registry.example.com:5000", "deploy", Canary);
        var inactive = await domain.AddAsync("inactive.example.com", "sleeper", Canary);
        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, inactive.Id);

        var (exit, output, diagnostics) = await RunAsync(domain, "list", string.Empty, user: "reader");

        Assert.Equal(DockerCredentialHelper.Success, exit);
        Assert.Equal(string.Empty, diagnostics);
        using var answer = JsonDocument.Parse(output);
        var listed = answer.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(
            new Dictionary<string, string?> { ["https://index.docker.io/v1/"] = "hubuser", ["registry.example.com:5000"] = "deploy" },
            listed);
        AssertNoCanary(output);
    }

    [Fact]
    public async Task List_NoRegistries_IsAnEmptyObject()
    {
        var domain = await Domain.CreateAsync();

        var (exit, output, _) = await RunAsync(domain, "list", string.Empty);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        Assert.Equal("{}\n", output);
    }

    [Theory]
    [InlineData("store", "{\"ServerURL\":\"registry.example.com:5000\",\"Username\":\"u\",\"Secret\":\"" + Canary + "\"}")]
    [InlineData("erase", "registry.example.com:5000\n")]
    public async Task StoreAndErase_AreRefusedAndChangeNothing(string verb, string input)
    {
        var domain = await Domain.CreateAsync();
        await domain.AddAsync("registry.example.com:5000", "deploy", "the-password");

        var (exit, output, diagnostics) = await RunAsync(domain, verb, input);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Contains("registries registry", output, StringComparison.Ordinal);
        Assert.DoesNotContain(DockerCredentialHelper.CredentialsNotFoundMessage, output, StringComparison.Ordinal);
        AssertNoCanary(output + diagnostics);
        var resolution = await domain.ResolveAsync("registry.example.com:5000");
        Assert.Equal("deploy", resolution.Username);
        Assert.Equal("the-password", resolution.Password!.Reveal());
        Assert.Single(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task Store_HugeInput_IsReadBoundedAndRefused()
    {
        var domain = await Domain.CreateAsync();
        var reader = new EndlessReader();

        var exit = await new DockerCredentialHelper(domain.Service, domain.EnvironmentId).RunAsync("store", reader, TextWriter.Null, TextWriter.Null);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.True(reader.CharactersRead <= DockerCredentialHelper.MaxInputCharacters + 8192);
    }

    [Fact]
    public async Task Version_PrintsTheProgramNameAndVersion()
    {
        var domain = await Domain.CreateAsync();

        var (exit, output, _) = await RunAsync(domain, "version", string.Empty);

        Assert.Equal(DockerCredentialHelper.Success, exit);
        Assert.StartsWith("docker-credential-registries (Registries.Core.Interop) ", output, StringComparison.Ordinal);
        Assert.EndsWith("\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("GET")]
    [InlineData("")]
    [InlineData("get\nx")]
    public async Task UnknownVerb_FailsWithTheVerbsThatExist(string verb)
    {
        var domain = await Domain.CreateAsync();

        var (exit, output, _) = await RunAsync(domain, verb, string.Empty);

        Assert.Equal(DockerCredentialHelper.Failure, exit);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("get, list, store, erase, version", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_BadArguments_Throw()
    {
        var domain = await Domain.CreateAsync();
        Assert.Throws<ArgumentNullException>(() => new DockerCredentialHelper(null!, domain.EnvironmentId));
        Assert.Throws<ArgumentNullException>(() => new DockerCredentialHelper(domain.Service, null!));
        Assert.Throws<ArgumentException>(() => new DockerCredentialHelper(domain.Service, " "));
        var helper = new DockerCredentialHelper(domain.Service, domain.EnvironmentId);
        await Assert.ThrowsAsync<ArgumentNullException>(() => helper.RunAsync(null!, TextReader.Null, TextWriter.Null, TextWriter.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => helper.RunAsync("get", null!, TextWriter.Null, TextWriter.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => helper.RunAsync("get", TextReader.Null, null!, TextWriter.Null));
        await Assert.ThrowsAsync<ArgumentNullException>(() => helper.RunAsync("get", TextReader.Null, TextWriter.Null, null!));
    }

    [Fact]
    public async Task EveryFailure_NeverPrintsTheCanaryInClearOrBase64()
    {
        var domain = await Domain.CreateAsync();
        var registry = await domain.AddAsync("registry.example.com:5000", "deploy", Canary);
        var all = new StringBuilder();
        foreach (var (verb, input) in new[] { ("store", Canary), ("erase", Canary), ("get", Canary), ("list", string.Empty), ("nope", Canary) })
        {
            var result = await RunAsync(domain, verb, input);
            all.Append(verb == "list" ? string.Empty : result.Output).Append(result.Diagnostics);
        }

        await domain.Service.DeactivateRegistryAsync(domain.EnvironmentId, registry.Id);
        var denied = await RunAsync(domain, "get", "registry.example.com:5000");
        all.Append(denied.Output).Append(denied.Diagnostics);

        AssertNoCanary(all.ToString());
    }

    private static void AssertNoCanary(string text)
    {
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-P4ss", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary)), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("deploy:" + Canary)), text, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Diagnostics)> RunAsync(Domain domain, string verb, string input, string user = Domain.Owner)
    {
        var output = new StringWriter();
        var diagnostics = new StringWriter();
        var exit = await new DockerCredentialHelper(domain.As(user), domain.EnvironmentId).RunAsync(verb, new StringReader(input), output, diagnostics);
        return (exit, output.ToString(), diagnostics.ToString());
    }

    // A stdin that never ends (/dev/zero as text): counts what the helper reads.
    private sealed class EndlessReader : TextReader
    {
        public long CharactersRead { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            Array.Fill(buffer, '\0', index, count);
            CharactersRead += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default)
        {
            buffer.Span.Fill('\0');
            CharactersRead += buffer.Length;
            return ValueTask.FromResult(buffer.Length);
        }
    }
}
