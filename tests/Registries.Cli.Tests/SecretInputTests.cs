using System.Text;

namespace Registries.Cli.Tests;

// A password typed into an image or an address (user info in a URL) is bad input, and no part of it is ever printed:
// not by the parser's messages, not by the CLI's own.
public sealed class SecretInputTests : IDisposable
{
    private readonly RegistriesCli _cli = new();

    public static TheoryData<string[], string[]> Inputs() => new()
    {
        { ["resolve", "prod", "https://admin:Canary-Hunter2@host/app"], ["Canary", "Hunter2", "admin:Canary"] },
        { ["resolve", "prod", "https://admin:Canary-Hunter2@host/app", "--json"], ["Canary", "Hunter2", "admin:Canary"] },
        { ["registry", "add", "prod", "--address", "https://u:Canary/Pw@host:5000", "--email", "ops@example.com", "--username", "u", "--password-stdin"], ["Canary", "/Pw", "Pw@"] },
        { ["registry", "add", "prod", "--address", "u:Canary/Pw@host:5000", "--email", "ops@example.com", "--username", "u", "--password-stdin"], ["Canary", "/Pw", "Pw@"] },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public async Task UserInfoInInput_BadInputWithoutAnyPartOfThePassword(string[] args, string[] secretParts)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        var before = _cli.StoreBytes();

        var result = await _cli.RunWithInputAsync("stdin-password", args);

        result.AssertOneLineError(2);
        var printed = result.Stdout + result.Stderr;
        foreach (var part in secretParts)
        {
            Assert.DoesNotContain(part, printed, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(part)).TrimEnd('='), printed, StringComparison.Ordinal);
        }

        Assert.Equal(before, _cli.StoreBytes());
    }

    public void Dispose() => _cli.Dispose();
}
