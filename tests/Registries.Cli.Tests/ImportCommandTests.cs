using System.Text;
using System.Text.Json;

namespace Registries.Cli.Tests;

public sealed class ImportCommandTests : IDisposable
{
    private const string Canary = "CANARY-import-p@ss:wörd";
    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Import_DockerConfig_AddsEachCredentialAndTheExportGivesItBack()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var config = WriteConfig(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object>
            {
                ["https://index.docker.io/v1/"] = new { auth = Base64("hubuser:" + Canary) },
                ["registry.example.com:5000"] = new { username = "deployer", password = Canary + "2" },
            },
        });

        var report = await _cli.SucceedAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com", "--json");
        var list = await _cli.SucceedAsync("registry", "list", "1a1", "--json");
        var exported = await _cli.SucceedAsync("docker-config", "1a1");

        var root = JsonDocument.Parse(report).RootElement;
        Assert.Equal(2, root.GetProperty("imported").GetInt32());
        Assert.Equal(0, root.GetProperty("failed").GetInt32());
        Assert.DoesNotContain("CANARY", report, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", list, StringComparison.Ordinal);
        Assert.Equal(2, JsonDocument.Parse(list).RootElement.GetArrayLength());
        var auths = JsonDocument.Parse(exported).RootElement.GetProperty("auths");
        Assert.Equal("hubuser:" + Canary, Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty("https://index.docker.io/v1/").GetProperty("auth").GetString()!)));
        Assert.Equal("deployer:" + Canary + "2", Encoding.UTF8.GetString(Convert.FromBase64String(auths.GetProperty("registry.example.com:5000").GetProperty("auth").GetString()!)));
    }

    [Fact]
    public async Task Import_SameConfigTwice_SecondRunIsUnchanged()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var config = WriteConfig(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { ["quay.io"] = new { auth = Base64("robot:" + Canary) } },
        });

        await _cli.SucceedAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com");
        var second = await _cli.SucceedAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com");

        Assert.Contains("0 imported, 1 unchanged, 0 failed.", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_EntryThatCannotBeRead_IsReportedAndExitsFour()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var config = WriteConfig(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { ["quay.io"] = new { auth = Base64("robot:" + Canary) } },
            ["credHelpers"] = new Dictionary<string, object> { ["registry.example.com"] = "registries-no-such-helper" },
        });

        var result = await _cli.RunAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com", "--json");

        Assert.Equal(4, result.ExitCode);
        var root = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, root.GetProperty("imported").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.DoesNotContain("CANARY", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "registry", "import", "1a1", "--default-email", "ops@example.com")]
    [InlineData(2, "registry", "import", "1a1", "--docker-config", "CONFIG")]
    [InlineData(2, "registry", "import", "1a1", "--docker-config", "CONFIG", "--default-email", "not-an-email")]
    [InlineData(2, "registry", "import", "1a9", "--docker-config", "CONFIG", "--default-email", "ops@example.com")]
    [InlineData(2, "registry", "import", "1a1", "--docker-config", "MALFORMED", "--default-email", "ops@example.com")]
    [InlineData(3, "registry", "import", "1a1", "--docker-config", "CONFIG", "--default-email", "ops@example.com", "--as", "reader")]
    public async Task BadInput_OneLineOnStderr_StoreUnchanged(int exitCode, params string[] args)
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        await _cli.SucceedAsync("env", "member", "add", "1a1", "reader", "--role", "readonly");
        var config = WriteConfig(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { ["quay.io"] = new { auth = Base64("robot:" + Canary) } },
        });
        var malformed = Path.Combine(_cli.Folder, "malformed.json");
        await File.WriteAllTextAsync(malformed, "{\"auths\": [");
        var before = _cli.StoreBytes();

        var result = await _cli.RunAsync(args.Select(a => a switch { "CONFIG" => config, "MALFORMED" => malformed, _ => a }).ToArray());

        Assert.DoesNotContain("CANARY", result.AssertOneLineError(exitCode), StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task Import_DockerConfigIsAFifo_OneLineAtOnceNotAHang()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var fifo = Path.Combine(_cli.Folder, "config.fifo");
        await RegistriesCli.MakeFifoAsync(fifo);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await _cli.RunAsync("registry", "import", "1a1", "--docker-config", fifo, "--default-email", "ops@example.com");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        var line = result.AssertOneLineError(4);
        Assert.Contains("is a FIFO (named pipe), not a regular file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_ReadOnlyMemberNamesAFifo_RefusedAtOnceAndTheFifoIsNeverOpened()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        await _cli.SucceedAsync("env", "member", "add", "1a1", "reader", "--role", "readonly");
        var fifo = _cli.Combine("config.fifo");
        await RegistriesCli.MakeFifoAsync(fifo);
        var before = _cli.StoreBytes();

        // No writer ever opens the FIFO: a reader that opened it would block, and the bound would fail the test.
        var result = await _cli.RunWithinAsync(TimeSpan.FromSeconds(30), null, "registry", "import", "1a1", "--docker-config", fifo, "--default-email", "ops@example.com", "--as", "reader");

        var line = result.AssertOneLineError(3);
        Assert.Contains("'reader' is ReadOnly", line, StringComparison.Ordinal);
        Assert.DoesNotContain("FIFO", line, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StoreBytes());
    }

    [Fact]
    public async Task Import_DockerConfigIsAFolder_SaysSoNotAccessDenied()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));

        var result = await _cli.RunAsync("registry", "import", "1a1", "--docker-config", _cli.Folder, "--default-email", "ops@example.com");

        var line = result.AssertOneLineError(4);
        Assert.Contains("is a directory", line, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", line, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Import_KeyWithUserInfo_ReportNeverShowsIt()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var config = WriteConfig(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object> { ["https://user:" + Canary + "@registry.example.com"] = new { auth = Base64("robot:x") } },
        });

        var result = await _cli.RunAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("***@registry.example.com", result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("CANARY", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Import_HelperEchoesTheSecretOnStderrAndFails_NoFormOfItIsShown()
    {
        await _cli.SucceedAsync("env create prod".Split(' '));
        var helpers = Directory.CreateDirectory(Path.Combine(_cli.Folder, "helpers")).FullName;
        var basic = Base64("deployer:" + Canary);
        File.WriteAllText(Path.Combine(helpers, "answer.json"), "{\"Username\":\"deployer\",\"Secret\":\"" + Canary + "\"}");
        var helper = Path.Combine(helpers, "docker-credential-leaky");
        File.WriteAllText(helper, $"#!/bin/sh\ncat '{helpers}/answer.json'\necho 'cannot store deployer:{Canary} {basic}' >&2\nexit 1\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = WriteConfig(new Dictionary<string, object> { ["credHelpers"] = new Dictionary<string, object> { ["registry.example.com"] = "leaky" } });

        var result = await _cli.RunAsync("registry", "import", "1a1", "--docker-config", config, "--default-email", "ops@example.com", "--helper-dir", helpers);

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("failed (exit code 1)", result.Stdout, StringComparison.Ordinal);
        var shown = result.Stdout + result.Stderr;
        Assert.DoesNotContain("CANARY", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(basic, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(basic.TrimEnd('='), shown, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private string WriteConfig(object document)
    {
        var path = Path.Combine(_cli.Folder, "config-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(document));
        return path;
    }
}
