using Snapshooter.Xunit;

namespace Registries.Cli.Tests;

public sealed class RegistryCommandsTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Canary = SeededStore.Canary;

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task AddAndList_Json_MarkTheNewestCredentialPerAddressEffective()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var hub = await _cli.SucceedWithInputAsync(Canary + "\n", "registry", "add", "1a1", "--dockerhub", "--email", "ops@example.com", "--username", "hubuser", "--password-stdin", "--json");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "ops@example.com", "--username", "quayuser", "--password-stdin");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "Registry.Example.com:5000", "--email", "ops@example.com", "--username", "old", "--password-stdin");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "registry.example.com:5000", "--email", "dev@example.com", "--username", "new", "--password-stdin");

        var list = await _cli.SucceedAsync("registry", "list", "1a1", "--json");

        Snapshot.Match(hub, "RegistryCommandsTests.Add_Json");
        Snapshot.Match(list, "RegistryCommandsTests.List_Json");
    }

    [Fact]
    public async Task Lifecycle_DeactivateActivateDelete_ChangesTheState()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "10.0.0.5:5000", "--email", "ops@example.com", "--username", "u", "--password-stdin");

        var deactivated = await _cli.SucceedAsync("registry", "deactivate", "1a1", "1r2", "--json");
        var activated = await _cli.SucceedAsync("registry", "activate", "1a1", "1r2");
        await _cli.SucceedAsync("registry", "deactivate", "1a1", "1r2");
        var deleted = await _cli.SucceedAsync("registry", "delete", "1a1", "1r2", "--json");
        var shown = await _cli.SucceedAsync("registry", "show", "1a1", "1r2");

        Assert.Contains("\"state\": \"inactive\"", deactivated, StringComparison.Ordinal);
        Assert.Equal("Activated registry 1r2: 10.0.0.5:5000 (custom), user u <ops@example.com>, active, effective.\n", activated);
        Snapshot.Match(deleted);
        Assert.Equal("Registry registry 1r2: 10.0.0.5:5000 (custom), user u <ops@example.com>, removed.\n", shown);
        Assert.DoesNotContain("protectedPassword\": \"v", await File.ReadAllTextAsync(_cli.StorePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_NewCredential_ChangesUsernameAndEmailNotAddress()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "ops@example.com", "--username", "u", "--password-stdin");

        var edited = await _cli.SucceedWithInputAsync("other\r\n", "registry", "edit", "1a1", "1r2", "--email", "new@example.com", "--username", "v", "--password-stdin", "--json");

        Snapshot.Match(edited);
    }

    [Fact]
    public async Task List_Text_PrintsATableWithTheUse()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u1", "--password-stdin");
        await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u2", "--password-stdin");

        var list = await _cli.SucceedAsync("registry", "list", "1a1");

        Assert.Equal(
            "ID   ADDRESS  KIND  STATE   SOURCE  USERNAME  EMAIL          EXPIRES  USE\n"
            + "1r2  quay.io  quay  active  stored  u1        a@example.com  -        overridden\n"
            + "1r3  quay.io  quay  active  stored  u2        a@example.com  -        effective\n",
            list);
    }

    [Fact]
    public async Task EveryCommand_CanaryPassword_NeverPrintedNorStoredInClear()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var outputs = new List<string>
        {
            await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "registry.example.com", "--email", "a@example.com", "--username", "u", "--password-stdin"),
            await _cli.SucceedWithInputAsync(Canary, "registry", "add", "1a1", "--address", "registry.example.com", "--email", "a@example.com", "--username", "u", "--password-stdin", "--json"),
            await _cli.SucceedWithInputAsync(Canary, "registry", "edit", "1a1", "1r2", "--email", "a@example.com", "--username", "u", "--password-stdin", "--json"),
            await _cli.SucceedAsync("registry", "list", "1a1"),
            await _cli.SucceedAsync("registry", "list", "1a1", "--json"),
            await _cli.SucceedAsync("registry", "show", "1a1", "1r3", "--json"),
            await _cli.SucceedAsync("resolve", "1a1", "registry.example.com/app:1", "--json"),
            await _cli.SucceedAsync("resolve", "1a1", "registry.example.com/app:1"),
        };
        var refused = await _cli.RunWithInputAsync(Canary, "registry", "add", "1a1", "--address", "https://registry.example.com", "--email", "a@example.com", "--username", "u", "--password-stdin");
        outputs.Add(refused.Stdout + refused.Stderr);

        foreach (var output in outputs)
        {
            Assert.DoesNotContain("canary", output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("canary", await File.ReadAllTextAsync(_cli.StorePath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "", "registry", "add", "1a1", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password", "pw")]
    [InlineData(2, "pw", "registry", "add", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "\n", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "not-an-email", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u:v", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--address", "https://x:5000/v2", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--address", "reg istry", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--address", "", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a9", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin", "--as", "mallory")]
    [InlineData(3, "pw", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin", "--as", "reader")]
    [InlineData(3, "pw", "registry", "add", "1a5", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin", "--certs-dir", "/tmp")]
    [InlineData(2, "", "registry", "list")]
    [InlineData(2, "", "registry", "list", "1a9")]
    [InlineData(2, "", "registry", "list", "1a1", "--as", "mallory")]
    [InlineData(3, "", "registry", "list", "1a5")]
    [InlineData(2, "", "registry", "show", "1a1", "1r9")]
    [InlineData(2, "", "registry", "show", "1a1")]
    [InlineData(2, "pw", "registry", "edit", "1a1", "1r9", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "edit", "1a1", "1r2", "--username", "u", "--password-stdin")]
    [InlineData(2, "pw", "registry", "edit", "1a1", "1r2", "--email", "a@example.com", "--username", "u")]
    [InlineData(2, "", "registry", "edit", "1a1", "1r2", "--email", "a@example.com", "--username", "u", "--password-stdin")]
    [InlineData(3, "pw", "registry", "edit", "1a1", "1r2", "--email", "a@example.com", "--username", "u", "--password-stdin", "--as", "reader")]
    [InlineData(2, "", "registry", "deactivate", "1a1")]
    [InlineData(2, "", "registry", "deactivate", "1a1", "1r9")]
    [InlineData(2, "", "registry", "deactivate", "1a9", "1r2")]
    [InlineData(3, "", "registry", "deactivate", "1a1", "1r2", "--as", "reader")]
    [InlineData(3, "", "registry", "activate", "1a1", "1r2")]
    [InlineData(3, "", "registry", "deactivate", "1a1", "1r4")]
    [InlineData(3, "", "registry", "deactivate", "1a5", "1r2")]
    [InlineData(3, "", "registry", "delete", "1a1", "1r2")]
    [InlineData(2, "", "registry", "delete", "1a1", "1r9")]
    [InlineData(2, "", "registry", "activate", "1a1", "1r9")]
    [InlineData(2, "", "registry", "bogus", "1a1")]
    public async Task BadInput_OneLineOnStderr_StoreUnchanged(int exitCode, string stdin, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunWithInputAsync(stdin, args);

        var line = result.AssertOneLineError(exitCode);
        Assert.DoesNotContain("canary", line, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task Add_MalformedAddress_SaysHowToWriteIt()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var result = await _cli.RunWithInputAsync("pw", "registry", "add", "1a1", "--address", "https://x:5000/v2", "--email", "a@example.com", "--username", "u", "--password-stdin");

        Assert.Contains("x:5000", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_KubernetesEnvironment_NamesTheOrchestration()
    {
        await _cli.SucceedAsync("env", "create", "k8s", "--orchestration", "kubernetes");

        var result = await _cli.RunWithInputAsync("pw", "registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin");

        Assert.Contains("Kubernetes", result.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.StorePath + ".key"));
    }

    [Fact]
    public async Task Add_PasswordStdinFromATerminal_RefusedWithoutReading()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var before = _cli.StoreBytes();

        var result = await _cli.RunInTerminalAsync("registry", "add", "1a1", "--quay", "--email", "a@example.com", "--username", "u", "--password-stdin");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("registries: --password-stdin reads the password from a pipe", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
