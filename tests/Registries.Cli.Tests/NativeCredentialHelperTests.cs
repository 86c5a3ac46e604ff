using System.Text.Json;
using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

// The native docker-credential-registries (NativeAOT), installed by `credential-helper install --native` and run as a
// client runs it: its verb as the one argument, the server URL on stdin, the answer or a one-line failure on stdout.
// The same protocol answers as the .NET helper (CredentialHelperCommandTests), on the file store and on PostgreSQL.
[Trait("Category", "Integration")]
public sealed class NativeCredentialHelperTests(SeededStore seed) : IClassFixture<SeededStore>, IDisposable
{
    private const string Helper = "docker-credential-registries";
    private const string SourceHelper = "nativetest";
    private const string SourcedAddress = "helper.example.com";
    private const string HelperSecret = "Canary-native-helper-secret-5e1d";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Install_Native_TheScriptExecsTheNativeHelperWithoutSecret()
    {
        _cli.CopyStoreFrom(seed.Cli);

        var script = await InstallAsync();

        var text = await File.ReadAllTextAsync(script);
        Assert.StartsWith("#!/bin/sh\n", text, StringComparison.Ordinal);
        Assert.Contains($"exec '{NativeExecutables.CredentialHelper}' '--store' '{_cli.StorePath}' '--key-file' '{_cli.StorePath}.key' '--as' 'alice' '--environment' '1a1' '--' \"$@\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet", text, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(text);
    }

    [Fact]
    public async Task Helper_EveryVerb_AsTheProtocolDefines()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var hub = await RunAsync(script, "get", "https://index.docker.io/v1/");
        var registry = await RunAsync(script, "get", "registry.example.com:5000\n");
        var anonymous = await RunAsync(script, "get", "ghcr.io");
        var denied = await RunAsync(script, "get", "quay.io");
        var list = await RunAsync(script, "list", null);
        var store = await RunAsync(script, "store", $"{{\"ServerURL\":\"ghcr.io\",\"Username\":\"x\",\"Secret\":\"{SeededStore.Canary}\"}}");
        var erase = await RunAsync(script, "erase", "docker.io");
        var version = await RunAsync(script, "version", null);
        var unknown = await RunAsync(script, "delete", null);

        Assert.Equal((0, string.Empty), (hub.ExitCode, hub.Error));
        Assert.Equal("u", JsonDocument.Parse(hub.Output).RootElement.GetProperty("Username").GetString());
        Assert.Equal((0, string.Empty), (registry.ExitCode, registry.Error));
        var answer = JsonDocument.Parse(registry.Output).RootElement;
        Assert.Equal("registry.example.com:5000", answer.GetProperty("ServerURL").GetString());
        Assert.Equal("deployer", answer.GetProperty("Username").GetString());
        Assert.Equal(SeededStore.Canary, answer.GetProperty("Secret").GetString());
        Assert.Equal((1, "credentials not found in native keychain\n", string.Empty), (anonymous.ExitCode, anonymous.Output, anonymous.Error));
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("pulls from quay.io are denied in environment 1a1", denied.Output, StringComparison.Ordinal);
        Assert.Contains("1r4", denied.Output, StringComparison.Ordinal);
        Assert.StartsWith("docker-credential-registries: pulls from quay.io are denied", denied.Error, StringComparison.Ordinal);
        Assert.Equal((0, "{\"https://index.docker.io/v1/\":\"u\",\"registry.example.com:5000\":\"deployer\"}\n"), (list.ExitCode, list.Output));
        Assert.Equal(1, store.ExitCode);
        Assert.Contains("registries registry", store.Output, StringComparison.Ordinal);
        Assert.Equal(1, erase.ExitCode);
        Assert.Contains("registries registry", erase.Output, StringComparison.Ordinal);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith("docker-credential-registries (Registries.Core.Interop) ", version.Output, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("unknown credential action 'delete'", unknown.Output, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(string.Concat(anonymous.Output, denied.Output, list.Output, store.Output, erase.Output, unknown.Output));
        CredentialHelperCommandTests.AssertNoCanary(string.Concat(hub.Error, registry.Error, anonymous.Error, denied.Error, list.Error, store.Error, erase.Error, version.Error, unknown.Error));
    }

    [Theory]
    [InlineData("< /dev/zero", "longer than")]
    [InlineData("< /dev/null", "no credentials server URL")]
    [InlineData("<&-", "no credentials server URL")]
    [InlineData("< /bin/sh", "longer than")]
    public async Task Helper_BadStdin_BoundedOneLineFailure(string redirection, string expected)
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var result = await Processes.RunAsync("sh", ["-c", $"exec '{script}' get {redirection}"], timeout: Limit);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Helper_APasswordPipedAsTheServerUrl_IsNeverQuotedBack()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();

        var result = await RunAsync(script, "get", "\u0001\u0002\u00ff\u0007" + SeededStore.Canary);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not a registry address", result.Output, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(result.Output + result.Error);
    }

    [Fact]
    public async Task Helper_StoreFileGone_ClearOneLineError()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();
        File.Move(_cli.StorePath, _cli.StorePath + ".moved");

        var result = await RunAsync(script, "get", "docker.io");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"the store '{_cli.StorePath}' does not exist: install the helper again with the right --store (registries --store STORE credential-helper install ENV --native PATH).\n", result.Output);
        Assert.Equal("docker-credential-registries: " + result.Output, result.Error);
    }

    [Fact]
    public async Task Helper_WrongKeyFile_ClearOneLineErrorWithoutTheSecret()
    {
        _cli.CopyStoreFrom(seed.Cli);
        var script = await InstallAsync();
        using var other = new RegistriesCli();
        await other.SucceedAsync("env", "create", "x");
        await other.SucceedWithInputAsync("other", "registry", "add", "1a1", "--dockerhub", "--email", "a@example.com", "--username", "u", "--password-stdin");
        File.Copy(other.StorePath + ".key", _cli.StorePath + ".key", overwrite: true);

        var result = await RunAsync(script, "get", "docker.io");

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("key", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Output + result.Error, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(result.Output + result.Error);
    }

    [Theory]
    [InlineData("get")]
    [InlineData("get", "list")]
    [InlineData("--environment", "1a1", "--bogus", "x", "get")]
    [InlineData("--environment", "1a9", "get")]
    [InlineData("--environment", "1a1", "--as", "mallory", "get")]
    [InlineData("--environment", "1a1", "--as", "reader", "get")]
    public async Task Binary_BadCommandLineOrCaller_ProtocolFailureOnOneLine(params string[] args)
    {
        _cli.CopyStoreFrom(seed.Cli);
        string[] store = ["--store", _cli.StorePath];

        var result = await Processes.RunAsync(NativeExecutables.CredentialHelper, [.. store, .. args], input: "registry.example.com:5000", timeout: Limit);

        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("docker-credential-registries: " + result.Output, result.Error);
        Assert.DoesNotContain("   at ", result.Output + result.Error, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(result.Output + result.Error);
    }

    [Fact]
    public async Task PostgreSqlStore_GetAnswersAndFailuresHoldNoSecret()
    {
        var server = TestServices.RequirePostgreSql();
        await using var database = await FreshDatabase.CreateAsync(server, "native_");
        var settings = new NpgsqlConnectionStringBuilder(server.ConnectionString);
        var uri = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{database.Name}";
        var key = _cli.Combine("db.key");
        string[] store = ["--store", database.ConnectionString, "--key-file", key];
        await _cli.SucceedAsync(["env", "create", "prod", .. store]);
        await _cli.SucceedWithInputAsync(SeededStore.Canary, ["registry", "add", "1a1", "--address", "registry.example.com:5000", "--email", "ops@example.com", "--username", "deployer", "--password-stdin", .. store]);
        var bin = _cli.Combine("bin");
        Directory.CreateDirectory(bin);
        _cli.MoreEnvironment["PGPASSWORD"] = settings.Password;
        await _cli.SucceedAsync(["credential-helper", "install", "1a1", "--dir", bin, "--native", NativeExecutables.CredentialHelper, "--store", uri, "--key-file", key]);
        var script = Path.Combine(bin, Helper);
        Dictionary<string, string?> right = new() { ["PGPASSWORD"] = settings.Password };
        Dictionary<string, string?> wrong = new() { ["PGPASSWORD"] = "Wrong-Db-Pa55" };

        var answer = await RunAsync(script, "get", "registry.example.com:5000", right);
        var anonymous = await RunAsync(script, "get", "ghcr.io", right);
        var refused = await RunAsync(script, "get", "registry.example.com:5000", wrong);

        Assert.True(answer.ExitCode == 0, answer.Output + answer.Error);
        Assert.Equal(string.Empty, answer.Error);
        Assert.Equal(SeededStore.Canary, JsonDocument.Parse(answer.Output).RootElement.GetProperty("Secret").GetString());
        Assert.Equal((1, "credentials not found in native keychain\n"), (anonymous.ExitCode, anonymous.Output));
        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(settings.Host!, refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Db-Pa55", refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Password!, refused.Output + refused.Error, StringComparison.Ordinal);
        CredentialHelperCommandTests.AssertNoCanary(refused.Output + refused.Error + anonymous.Output + anonymous.Error);
    }

    [Fact]
    public async Task PostgreSqlStore_NoSchema_SaysSoAndCreatesNothing()
    {
        var server = TestServices.RequirePostgreSql();
        await using var database = await FreshDatabase.CreateAsync(server, "native_");

        var result = await Processes.RunAsync(
            NativeExecutables.CredentialHelper,
            ["--store", database.ConnectionString, "--key-file", _cli.Combine("db.key"), "--as", "alice", "--environment", "1a1", "get"],
            input: "registry.example.com:5000",
            timeout: Limit);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no Registries.Core schema", result.Output, StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'registries'", connection);
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Helper_CredentialHelperEntry_RunsTheAllowedHelperFromPath()
    {
        var (script, folder, ran) = await InstallWithHelperEntryAsync();

        var answer = await RunAsync(script, "get", SourcedAddress, HelperEnvironment(folder, "pass, " + SourceHelper));

        Assert.True(answer.ExitCode == 0, answer.Output + answer.Error);
        Assert.Equal(string.Empty, answer.Error);
        var document = JsonDocument.Parse(answer.Output).RootElement;
        Assert.Equal(SourcedAddress, document.GetProperty("ServerURL").GetString());
        Assert.Equal("helper-user", document.GetProperty("Username").GetString());
        Assert.Equal(HelperSecret, document.GetProperty("Secret").GetString());
        Assert.Equal(SourcedAddress, (await File.ReadAllTextAsync(ran)).Trim());
    }

    [Fact]
    public async Task Helper_CredentialHelperEntry_NotAllowed_ProtocolFailureAndTheHelperNeverRuns()
    {
        var (script, folder, ran) = await InstallWithHelperEntryAsync();

        var refused = await RunAsync(script, "get", SourcedAddress, HelperEnvironment(folder, "pass"));

        Assert.Equal(1, refused.ExitCode);
        Assert.Single(refused.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"the credential of {SourcedAddress} in environment 1a1 is unavailable: ", refused.Output, StringComparison.Ordinal);
        Assert.Contains(SourceHelper, refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("no source", refused.Output, StringComparison.Ordinal);
        Assert.Equal("docker-credential-registries: " + refused.Output, refused.Error);
        Assert.DoesNotContain(HelperSecret, refused.Output + refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(ran), "a helper the operator did not allow was run");
    }

    public void Dispose() => _cli.Dispose();

    private static Dictionary<string, string?> HelperEnvironment(string folder, string allowed) => new()
    {
        ["PATH"] = folder + ":" + System.Environment.GetEnvironmentVariable("PATH"),
        ["REGISTRIES_CREDENTIAL_HELPERS"] = allowed,
    };

    // A store whose environment 1a1 has one entry whose credential comes from the credential helper SourceHelper, the
    // native helper installed for it, and that helper: a script of ours in a folder of ours (mode 0755) that notes the
    // server it was asked about and answers a canary secret.
    private async Task<(string Script, string Folder, string Ran)> InstallWithHelperEntryAsync()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", SourcedAddress, "--email", "ops@example.com", "--credential-helper", SourceHelper);
        var folder = _cli.Combine("helpers");
        Directory.CreateDirectory(folder);
        var ran = Path.Combine(folder, "ran");
        var helper = Path.Combine(folder, "docker-credential-" + SourceHelper);
        await File.WriteAllTextAsync(helper, $$"""
            #!/bin/sh
            server=$(cat)
            printf '%s\n' "$server" > '{{ran}}'
            printf '{"ServerURL":"%s","Username":"helper-user","Secret":"{{HelperSecret}}"}' "$server"

            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0b111_101_101);
        return (await InstallAsync(), folder, ran);
    }

    private static Task<ProcessResult> RunAsync(string script, string verb, string? input, IReadOnlyDictionary<string, string?>? environment = null)
        => CredentialHelperCommandTests.RunHelperAsync(script, verb, input, environment);

    private async Task<string> InstallAsync()
    {
        var bin = _cli.Combine("bin");
        Directory.CreateDirectory(bin);
        await _cli.SucceedAsync("credential-helper", "install", "1a1", "--dir", bin, "--native", NativeExecutables.CredentialHelper);
        return Path.Combine(bin, Helper);
    }
}
