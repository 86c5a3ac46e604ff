namespace Registries.Cli.Tests;

/// <summary>A parse error that lists the allowed values is still one readable line (System.CommandLine puts each value on
/// a line of its own, which the error line used to show as literal "\n\t").</summary>
public sealed class ParseErrorLineTests : IDisposable
{
    private readonly RegistriesCli _cli = new();

    [Theory]
    [InlineData("docker-config", "prod", "--format", "yaml")]
    [InlineData("env", "member", "add", "prod", "bob", "--role", "admin")]
    public async Task UnknownValue_OneLineListingTheAllowedValues(params string[] args)
    {
        await _cli.SucceedAsync("env", "create", "prod");

        var error = (await _cli.RunAsync(args)).AssertOneLineError(2);

        Assert.Contains("Must be one of: '", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\\n", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\\t", error, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();
}
