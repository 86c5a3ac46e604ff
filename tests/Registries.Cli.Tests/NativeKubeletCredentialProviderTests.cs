using System.Text.Json;
using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

// The native registries-kubelet-credential-provider (NativeAOT) as the kubelet runs it: the args that
// `kubelet-credential-provider ENV --print-config --native` writes, one CredentialProviderRequest on stdin, the
// response on stdout; a failure is one line on stderr with the CLI's exit codes (2 bad input, 3 refused, 4 outside).
[Trait("Category", "Integration")]
public sealed class NativeKubeletCredentialProviderTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Name = "registries-kubelet-credential-provider";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task PrintConfigNative_ThenRunTheArgs_AnswersAsTheKubeletWould()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var yaml = await _cli.SucceedAsync("kubelet-credential-provider", "prod", "--print-config", "--native", "--as", "bob");
        var args = ArgsOf(yaml);
        var result = await RunAsync(args, Request("registry.example.com:5000/team/app:1.0"));

        Assert.Contains($"  - name: \"{Name}\"\n", yaml, StringComparison.Ordinal);
        Assert.Equal(["1a1", "--store", _cli.StorePath, "--as", "bob", "--cache-duration", "1m0s"], args);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(string.Empty, result.Error);
        var root = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal("CredentialProviderResponse", root.GetProperty("kind").GetString());
        Assert.Equal("1m0s", root.GetProperty("cacheDuration").GetString());
        var auth = root.GetProperty("auth").GetProperty("registry.example.com:5000");
        Assert.Equal("deployer", auth.GetProperty("username").GetString());
        Assert.Equal(SeededStore.Canary, auth.GetProperty("password").GetString());
    }

    [Fact]
    public async Task Request_AnonymousImage_EmptyAuth()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await RunAsync(["1a1", "--store", _cli.StorePath, "--as", "alice"], Request("ghcr.io/team/app:1"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Empty(JsonDocument.Parse(result.Output).RootElement.GetProperty("auth").EnumerateObject());
    }

    [Theory]
    [InlineData(3, "quay.io/team/app:1", "denied: quay.io/team/app:1", "--as", "alice")]
    [InlineData(3, "registry.example.com:5000/app", "may not", "--as", "reader")]
    [InlineData(2, "registry.example.com:5000/app", "1a1", "--as", "mallory")]
    [InlineData(2, "registry.example.com:5000/app", "--cache-duration", "--as", "alice", "--cache-duration", "0s")]
    [InlineData(2, "registry.example.com:5000/app", "unknown option '--bogus'", "--as", "alice", "--bogus", "x")]
    [InlineData(2, "NOT/an image", "image", "--as", "alice")]
    [InlineData(2, "{", "not valid JSON", "--as", "alice")]
    public async Task Request_RefusedOrBad_OneLineOnStderrAndTheExitCode(int exitCode, string image, string expected, params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await RunAsync(["1a1", "--store", _cli.StorePath, .. args], image == "{" ? "{" : Request(image));

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith(Name + ": ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(result.Error);
    }

    [Theory]
    [InlineData("<&-")]
    [InlineData("< /dev/zero")]
    public async Task Stdin_ClosedOrEndless_BoundedOneLineError(string redirection)
    {
        _cli.CopyStoreFrom(seed.Cli);

        var result = await Processes.RunAsync("sh", ["-c", $"exec '{NativeExecutables.KubeletProvider}' 1a1 --store '{_cli.StorePath}' --as alice {redirection}"], timeout: Limit);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(string.Empty, result.Output);
    }

    [Fact]
    public async Task PostgreSqlStore_AnswersTheRequest()
    {
        var server = TestServices.RequirePostgreSql();
        await using var database = await FreshDatabase.CreateAsync(server, "native_");
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        var uri = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{database.Name}";
        var key = _cli.Combine("db.key");
        string[] store = ["--store", database.ConnectionString, "--key-file", key];
        await _cli.SucceedAsync(["env", "create", "prod", .. store]);
        await _cli.SucceedWithInputAsync(SeededStore.Canary, ["registry", "add", "1a1", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "deployer", "--password-stdin", .. store]);

        var result = await RunAsync(["1a1", "--store", uri, "--key-file", key, "--as", "alice"], Request("registry.example.com:5000/app:1"), new Dictionary<string, string?> { ["PGPASSWORD"] = settings.Password });
        var refused = await RunAsync(["1a1", "--store", uri, "--key-file", key, "--as", "alice"], Request("registry.example.com:5000/app:1"), new Dictionary<string, string?> { ["PGPASSWORD"] = "Wrong-Db-Pa55" });

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(SeededStore.Canary, JsonDocument.Parse(result.Output).RootElement.GetProperty("auth").GetProperty("registry.example.com:5000").GetProperty("password").GetString());
        Assert.Equal(4, refused.ExitCode);
        Assert.Equal(string.Empty, refused.Output);
        Assert.Single(refused.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Wrong-Db-Pa55", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Password!, refused.Error, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(refused.Error);
    }

    public void Dispose() => _cli.Dispose();

    private static Task<ProcessResult> RunAsync(string[] args, string request, IReadOnlyDictionary<string, string?>? environment = null)
        => Processes.RunAsync(NativeExecutables.KubeletProvider, args, environment, request, Limit);

    private static string[] ArgsOf(string yaml)
        => yaml.Split('\n').SkipWhile(l => l.Trim() != "args:").Skip(1)
            .Where(l => l.TrimStart().StartsWith("- ", StringComparison.Ordinal))
            .Select(l => JsonSerializer.Deserialize<string>(l.TrimStart()[2..])!)
            .ToArray();

    private static string Request(string image)
        => $"{{\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"kind\":\"CredentialProviderRequest\",\"image\":{JsonSerializer.Serialize(image)}}}";
}
