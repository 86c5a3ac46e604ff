using System.Text.Json;

namespace Registries.Cli.Tests;

/// <summary>Credential sources end to end through the real CLI over a store file: a script credential helper
/// (<c>docker-credential-NAME</c> on PATH, allowed by <c>REGISTRIES_CREDENTIAL_HELPERS</c>), a script kubelet plugin of a
/// <c>CredentialProviderConfig</c>, an identity token and a stored credential with an expiry. No secret a source holds,
/// and no password or token given on stdin, is ever printed.</summary>
public sealed class SourceCommandsTests : IDisposable
{
    private const string HelperSecret = "Canary-helper-secret-3b9f";
    private const string PluginSecret = "Canary-plugin-secret-81c2";
    private const string Password = "Canary-password-d47e";
    private const string Token = "Canary-identity-token-0a6c";
    private const string Helper = "clitest";
    private const string Address = "helper.example.com";

    private readonly RegistriesCli _cli = new();
    private readonly string _bin;

    public SourceCommandsTests()
    {
        _bin = _cli.Combine("bin");
        Directory.CreateDirectory(_bin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _cli.Variables["PATH"] = _bin + ":" + System.Environment.GetEnvironmentVariable("PATH");
    }

    [Fact]
    public async Task CredentialHelper_AllowedScript_ResolvesAuthenticatedWithItsSourceAndNoSecret()
    {
        WriteHelper($$"""printf '{"ServerURL":"%s","Username":"helper-user","Secret":"{{HelperSecret}}"}' "$(cat)" """);
        _cli.Variables["REGISTRIES_CREDENTIAL_HELPERS"] = "pass, " + Helper;
        await _cli.SucceedAsync("env", "create", "prod");

        var added = await _cli.SucceedAsync("registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--credential-helper", Helper, "--json");
        var resolved = await _cli.SucceedAsync("resolve", "prod", Address + "/team/app:1", "--json");
        var text = await _cli.SucceedAsync("resolve", "prod", Address + "/team/app:1");
        var explained = await _cli.SucceedAsync("resolve", "prod", Address + "/team/app:1", "--explain");
        var list = await _cli.SucceedAsync("registry", "list", "prod", "--json");
        var table = await _cli.SucceedAsync("registry", "list", "prod");

        var entry = JsonDocument.Parse(added).RootElement;
        Assert.Equal("credential-helper", entry.GetProperty("source").GetString());
        Assert.Equal(Helper, entry.GetProperty("sourceName").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("expiresAt").ValueKind);
        var resolution = JsonDocument.Parse(resolved).RootElement;
        Assert.Equal("authenticated", resolution.GetProperty("outcome").GetString());
        Assert.Equal("helper-user", resolution.GetProperty("username").GetString());
        Assert.Equal("credential-helper", resolution.GetProperty("source").GetString());
        Assert.Equal(Helper, resolution.GetProperty("sourceName").GetString());
        Assert.True(resolution.TryGetProperty("expiresAt", out _));
        Assert.Contains($"authenticated as helper-user with registry 1r2 ({Address}) from credential-helper:{Helper}", text, StringComparison.Ordinal);
        Assert.Contains($"Source: credential-helper:{Helper};", explained, StringComparison.Ordinal);
        Assert.Equal("credential-helper", JsonDocument.Parse(list).RootElement[0].GetProperty("source").GetString());
        Assert.Contains($"credential-helper:{Helper}", table, StringComparison.Ordinal);
        AssertNoSecret(added, resolved, text, explained, list, table, File.ReadAllText(_cli.StorePath));
    }

    [Fact]
    public async Task CredentialHelper_Failing_IsUnavailableExit4WithItsReason()
    {
        WriteHelper("cat >/dev/null; echo 'the vault is sealed' >&2; exit 1");
        _cli.Variables["REGISTRIES_CREDENTIAL_HELPERS"] = Helper;
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--credential-helper", Helper);

        var json = await _cli.RunAsync("resolve", "prod", Address + "/app", "--json");
        var text = await _cli.RunAsync("resolve", "prod", Address + "/app");
        var refresh = await _cli.RunAsync("registry", "refresh", "prod", "1r2");

        var line = json.AssertOneLineError(4, stdoutEmpty: false);
        Assert.StartsWith("registries: unavailable: ", line, StringComparison.Ordinal);
        var resolution = JsonDocument.Parse(json.Stdout).RootElement;
        Assert.Equal("unavailable", resolution.GetProperty("outcome").GetString());
        Assert.Equal("credential-helper", resolution.GetProperty("source").GetString());
        Assert.False(string.IsNullOrWhiteSpace(resolution.GetProperty("reason").GetString()));
        Assert.False(resolution.TryGetProperty("username", out _));
        text.AssertOneLineError(4, stdoutEmpty: false);
        Assert.Contains("unavailable", text.Stdout, StringComparison.Ordinal);
        refresh.AssertOneLineError(4, stdoutEmpty: false);
        Assert.Contains("cannot give a new one", refresh.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialHelper_NotAllowedByTheOperator_IsUnavailableAndNeverRuns()
    {
        var ran = _cli.Combine("ran");
        WriteHelper($"touch '{ran}'; printf '{{\"Username\":\"u\",\"Secret\":\"{HelperSecret}\"}}'");
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--credential-helper", Helper);

        var result = await _cli.RunAsync("resolve", "prod", Address + "/app", "--json");

        result.AssertOneLineError(4, stdoutEmpty: false);
        Assert.Equal("unavailable", JsonDocument.Parse(result.Stdout).RootElement.GetProperty("outcome").GetString());
        Assert.False(File.Exists(ran), "a helper the operator did not allow ran");
        AssertNoSecret(result.Stdout, result.Stderr);
    }

    [Fact]
    public async Task Refresh_CredentialHelper_FetchesOnceAndSaysSo()
    {
        WriteHelper($$"""cat >/dev/null; printf '{"Username":"helper-user","Secret":"{{HelperSecret}}"}'""");
        _cli.Variables["REGISTRIES_CREDENTIAL_HELPERS"] = Helper;
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--credential-helper", Helper);

        var text = await _cli.SucceedAsync("registry", "refresh", "prod", "1r2");
        var json = await _cli.SucceedAsync("registry", "refresh", "prod", "1r2", "--json");

        Assert.StartsWith($"Refreshed registry 1r2 (credential-helper:{Helper}): a new value", text, StringComparison.Ordinal);
        var refreshed = JsonDocument.Parse(json).RootElement;
        Assert.True(refreshed.GetProperty("fetched").GetBoolean());
        Assert.Equal("authenticated", refreshed.GetProperty("outcome").GetString());
        AssertNoSecret(text, json);
    }

    [Fact]
    public async Task KubeletPlugin_FromTheOperatorsConfig_ResolvesWithTheCacheDurationAsExpiry()
    {
        var plugins = _cli.Combine("plugins");
        Directory.CreateDirectory(plugins, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteScript(Path.Combine(plugins, "fake-provider"), "cat >/dev/null\nprintf '%s' '"
            + "{\"kind\":\"CredentialProviderResponse\",\"apiVersion\":\"credentialprovider.kubelet.k8s.io/v1\",\"cacheKeyType\":\"Registry\",\"cacheDuration\":\"10m0s\","
            + "\"auth\":{\"plugin.example.com\":{\"username\":\"plugin-user\",\"password\":\"" + PluginSecret + "\"}}}'");
        var config = _cli.Combine("provider-config.yaml");
        File.WriteAllText(config, """
            apiVersion: kubelet.config.k8s.io/v1
            kind: CredentialProviderConfig
            providers:
              - name: fake-provider
                apiVersion: credentialprovider.kubelet.k8s.io/v1
                matchImages:
                  - "plugin.example.com"
                defaultCacheDuration: "1m"
            """);
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", "plugin.example.com", "--email", "ops@example.com", "--kubelet-plugin", "fake-provider");
        _cli.Variables["REGISTRIES_KUBELET_PLUGIN_CONFIG"] = config;

        var missingDir = await _cli.RunAsync("resolve", "prod", "plugin.example.com/app", "--json");
        var resolved = await _cli.SucceedAsync("resolve", "prod", "plugin.example.com/app", "--json", "--kubelet-plugin-dir", plugins);

        Assert.Contains("--kubelet-plugin-dir", missingDir.AssertOneLineError(2), StringComparison.Ordinal);
        var resolution = JsonDocument.Parse(resolved).RootElement;
        Assert.Equal("authenticated", resolution.GetProperty("outcome").GetString());
        Assert.Equal("plugin-user", resolution.GetProperty("username").GetString());
        Assert.Equal("kubelet-plugin", resolution.GetProperty("source").GetString());
        var expiresAt = resolution.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(8), TimeSpan.FromMinutes(11));
        AssertNoSecret(resolved, missingDir.Stderr);
    }

    [Fact]
    public async Task IdentityToken_ReadFromStdin_IsNeverShownAndAFailedExchangeIsUnavailable()
    {
        await _cli.SucceedAsync("env", "create", "prod");

        // A closed port on loopback: the exchange fails at once, and nothing leaves the machine.
        var added = await _cli.SucceedWithInputAsync(Token + "\n", "registry", "add", "prod", "--address", "127.0.0.1:1", "--email", "ops@example.com", "--username", "robot", "--identity-token-stdin", "--json");
        var show = await _cli.SucceedAsync("registry", "show", "prod", "1r2");
        var list = await _cli.SucceedAsync("registry", "list", "prod", "--json");
        var resolved = await _cli.RunAsync("resolve", "prod", "127.0.0.1:1/app", "--json");

        Assert.Equal("identity-token", JsonDocument.Parse(added).RootElement.GetProperty("source").GetString());
        Assert.Contains("identity token", show, StringComparison.Ordinal);
        resolved.AssertOneLineError(4, stdoutEmpty: false);
        Assert.Equal("unavailable", JsonDocument.Parse(resolved.Stdout).RootElement.GetProperty("outcome").GetString());
        AssertNoSecret(added, show, list, resolved.Stdout, resolved.Stderr, File.ReadAllText(_cli.StorePath));
    }

    [Fact]
    public async Task IdentityToken_NotUtf8OrTooLong_IsRefusedAsThePasswordIs()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var tooLong = await _cli.RunWithInputAsync(new string('t', 16 * 1024 + 1), "registry", "add", "prod", "--address", "r.example.com", "--email", "ops@example.com", "--username", "robot", "--identity-token-stdin");
        var terminal = await _cli.RunInTerminalAsync("registry", "add", "prod", "--address", "r.example.com", "--email", "ops@example.com", "--username", "robot", "--identity-token-stdin");

        Assert.Contains("identity token on stdin is longer than", tooLong.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.NotEqual(0, terminal.ExitCode);
        Assert.Contains("--identity-token-stdin reads the identity token from a pipe", terminal.Stdout + terminal.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task StoredExpiry_Future_IsListed_AndOncePastTheEntryIsDenied()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var soon = DateTimeOffset.UtcNow.AddSeconds(30);

        var added = await _cli.SucceedWithInputAsync(Password, "registry", "add", "prod", "--address", "robot.example.com", "--email", "ops@example.com", "--username", "robot", "--password-stdin", "--expires", soon.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", System.Globalization.CultureInfo.InvariantCulture), "--json");
        var before = await _cli.SucceedAsync("resolve", "prod", "robot.example.com/app", "--json");

        Assert.Equal(JsonDocument.Parse(added).RootElement.GetProperty("expiresAt").GetDateTimeOffset(), soon, TimeSpan.FromSeconds(1));
        Assert.Equal("authenticated", JsonDocument.Parse(before).RootElement.GetProperty("outcome").GetString());

        // Bounded: the expiry is 30 s away; asked again until it is past, for at most 90 s.
        CliResult denied;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        do
        {
            denied = await _cli.RunAsync("resolve", "prod", "robot.example.com/app", "--json");
        }
        while (denied.ExitCode == 0 && DateTimeOffset.UtcNow < deadline);

        var line = denied.AssertOneLineError(3, stdoutEmpty: false);
        Assert.Equal("denied", JsonDocument.Parse(denied.Stdout).RootElement.GetProperty("outcome").GetString());
        Assert.Contains(soon.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
        var table = await _cli.SucceedAsync("registry", "list", "prod");
        Assert.Contains("(expired)", table, StringComparison.Ordinal);
        AssertNoSecret(added, before, denied.Stdout, denied.Stderr, table);
    }

    [Fact]
    public async Task Edit_ChangesTheSource_StoredToHelper()
    {
        _cli.Variables["REGISTRIES_CREDENTIAL_HELPERS"] = Helper;
        WriteHelper($$"""cat >/dev/null; printf '{"Username":"helper-user","Secret":"{{HelperSecret}}"}'""");
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(Password, "registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--username", "u", "--password-stdin");

        var edited = await _cli.SucceedAsync("registry", "edit", "prod", "1r2", "--email", "ops@example.com", "--credential-helper", Helper);
        var resolved = await _cli.SucceedAsync("resolve", "prod", Address + "/app", "--json");

        Assert.Contains($"from credential-helper:{Helper}", edited, StringComparison.Ordinal);
        Assert.Equal("helper-user", JsonDocument.Parse(resolved).RootElement.GetProperty("username").GetString());
        AssertNoSecret(edited, resolved);
    }

    [Theory]
    [InlineData("Give the credential", "--email", "o@example.com")]
    [InlineData("exactly one credential", "--email", "o@example.com", "--credential-helper", "pass", "--kubelet-plugin", "p")]
    [InlineData("exactly one credential", "--email", "o@example.com", "--username", "u", "--password-stdin", "--identity-token-stdin")]
    [InlineData("needs --username", "--email", "o@example.com", "--password-stdin")]
    [InlineData("needs --username", "--email", "o@example.com", "--identity-token-stdin")]
    [InlineData("leave out --username", "--email", "o@example.com", "--username", "u", "--credential-helper", "pass")]
    [InlineData("--expires is a stored credential's own expiry", "--email", "o@example.com", "--credential-helper", "pass", "--expires", "2999-01-01")]
    [InlineData("already past", "--email", "o@example.com", "--username", "u", "--password-stdin", "--expires", "2001-01-01")]
    [InlineData("not an ISO 8601 date", "--email", "o@example.com", "--username", "u", "--password-stdin", "--expires", "2999-01-01T10:00:00")]
    [InlineData("not an ISO 8601 date", "--email", "o@example.com", "--username", "u", "--password-stdin", "--expires", "31/01/2999")]
    [InlineData("not a credential helper name", "--email", "o@example.com", "--credential-helper", "../bin/sh")]
    [InlineData("not a kubelet plugin name", "--email", "o@example.com", "--kubelet-plugin", "/usr/bin/env")]
    [InlineData("--verify logs in with a username and password", "--email", "o@example.com", "--credential-helper", "pass", "--verify")]
    public async Task Add_BadCredentialChoice_IsUsageErrorExit2AndStoreUnchanged(string expected, params string[] options)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await _cli.RunWithInputAsync(Password, ["registry", "add", "prod", "--address", "r.example.com", .. options]);

        Assert.Contains(expected, result.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
        AssertNoSecret(result.Stdout, result.Stderr);
    }

    [Fact]
    public async Task GlobalAllowList_BadName_IsBadInputNamingTheOption()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedAsync("registry", "add", "prod", "--address", Address, "--email", "ops@example.com", "--credential-helper", Helper);

        var result = await _cli.RunAsync("resolve", "prod", Address + "/app", "--credential-helpers", "ok,../evil");

        Assert.Contains("--credential-helpers", result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private void WriteHelper(string body) => WriteScript(Path.Combine(_bin, "docker-credential-" + Helper), body);

    private static void WriteScript(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private static void AssertNoSecret(params string[] outputs)
    {
        foreach (var output in outputs)
        {
            foreach (var secret in new[] { HelperSecret, PluginSecret, Password, Token })
            {
                Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            }
        }
    }
}
