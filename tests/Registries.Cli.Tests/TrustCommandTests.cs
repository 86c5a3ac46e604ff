using System.Security.Cryptography;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

[Trait("Category", "Integration")]
public sealed class TrustCommandTests : IDisposable
{
    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();

    private string CertsDir => Path.Combine(_cli.Folder, "certs.d");

    private string CaCertificate => Path.Combine(CertsDir, _services.Registry, "ca.crt");

    [Fact]
    public async Task Trust_ExpectedCaFingerprint_InstallsTheChainOnce()
    {
        var pem = await File.ReadAllTextAsync(_services.RegistryCa);
        var fields = PemEncoding.Find(pem);
        var fingerprint = Convert.ToHexString(SHA256.HashData(Convert.FromBase64String(pem[fields.Base64Data])));

        var json = await _cli.SucceedAsync("trust", _services.Registry, "--certs-dir", CertsDir, "--expect-fingerprint", fingerprint, "--json");
        var again = await _cli.SucceedAsync("trust", _services.Registry, "--certs-dir", CertsDir);

        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(_services.Registry, root.GetProperty("address").GetString());
        Assert.Equal(CaCertificate, root.GetProperty("caCertificatePath").GetString());
        Assert.Equal("created", root.GetProperty("changes")[0].GetProperty("kind").GetString());
        Assert.False(root.GetProperty("dryRun").GetBoolean());
        Assert.Contains("BEGIN CERTIFICATE", await File.ReadAllTextAsync(CaCertificate), StringComparison.Ordinal);
        Assert.StartsWith("unchanged " + CaCertificate, again.Split('\n').First(l => l.StartsWith("unchanged", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegistryAddVerify_AfterTrust_StoresOnlyWhatTheRegistryAccepts()
    {
        await _cli.SucceedAsync("env", "create", "prod");
        string[] add = ["registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin", "--verify", "--certs-dir", CertsDir];
        var before = _cli.StoreBytes();

        var untrusted = await _cli.RunWithInputAsync(_services.Password, add);
        await _cli.SucceedAsync("trust", _services.Registry, "--certs-dir", CertsDir);
        var wrong = await _cli.RunWithInputAsync("canary-wrong", add);
        Assert.Equal(before, _cli.StoreBytes());
        var added = await _cli.SucceedWithInputAsync(_services.Password, [.. add, "--json"]);

        Assert.Contains("not trusted", untrusted.AssertOneLineError(4), StringComparison.Ordinal);
        Assert.DoesNotContain("canary", wrong.AssertOneLineError(2), StringComparison.Ordinal);
        Assert.Equal("1r2", JsonDocument.Parse(added).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Trust_DryRun_WritesNothing()
    {
        var text = await _cli.SucceedAsync("trust", _services.Registry, "--certs-dir", CertsDir, "--dry-run");

        Assert.Contains("would create " + CaCertificate, text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(CertsDir));
    }

    [Theory]
    [InlineData(3, "trust", "{registry}", "--certs-dir", "{certs}", "--expect-fingerprint", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(2, "trust", "{registry}", "--certs-dir", "{certs}", "--expect-fingerprint", "AA:BB")]
    [InlineData(2, "trust", "https://x:5000/v2", "--certs-dir", "{certs}")]
    [InlineData(2, "trust")]
    [InlineData(4, "trust", "127.0.0.1:1", "--certs-dir", "{certs}")]
    public async Task BadInput_OneLineOnStderr_NothingWritten(int exitCode, params string[] args)
    {
        var result = await _cli.RunAsync(args.Select(a => a.Replace("{registry}", _services.Registry, StringComparison.Ordinal).Replace("{certs}", CertsDir, StringComparison.Ordinal)).ToArray());

        result.AssertOneLineError(exitCode);
        Assert.False(Directory.Exists(CertsDir));
    }

    public void Dispose() => _cli.Dispose();
}
