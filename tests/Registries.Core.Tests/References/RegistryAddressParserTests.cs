using Registries.Core;

namespace Registries.Core.Tests.References;

// The parser behind RegistryAddress.Parse, TryParse and ParsePattern: its result explains a refusal only when asked,
// and says exactly what the public methods throw.
[Collection(ReferencesCollection.Name)]
public class RegistryAddressParserTests
{
    [Theory]
    [InlineData("", RegistryAddressError.Empty)]
    [InlineData("registry.example.com:0", RegistryAddressError.InvalidPort)]
    [InlineData("https://alice:CANARY@registry.example.com/v2", RegistryAddressError.HasScheme)]
    [InlineData("fe80::1", RegistryAddressError.InvalidHost)]
    public void Exception_InvalidAddress_IsWhatParseThrows(string input, RegistryAddressError expected)
    {
        var thrown = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse(input));

        var exception = Assert.IsType<RegistryAddressFormatException>(RegistryAddressParser.Parse(input).Exception);

        Assert.Equal(expected, exception.Error);
        Assert.Equal(thrown.Error, exception.Error);
        Assert.Equal(thrown.Message, exception.Message);
        Assert.False(RegistryAddressParser.TryParse(input, out _));
    }

    [Theory]
    [InlineData("corp.example", RegistryAddressError.InvalidPattern)]
    [InlineData("*.", RegistryAddressError.InvalidPattern)]
    [InlineData("*.corp.example:0", RegistryAddressError.InvalidPort)]
    [InlineData("*.alice:CANARY@corp.example", RegistryAddressError.HasUserInfo)]
    [InlineData("*.docker.io", RegistryAddressError.InvalidPattern)]
    public void Exception_InvalidPattern_IsWhatParsePatternThrows(string input, RegistryAddressError expected)
    {
        var thrown = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.ParsePattern(input));

        var result = RegistryAddressParser.ParsePattern(input);

        Assert.False(result.TryGetValue(out _));
        var exception = Assert.IsType<RegistryAddressFormatException>(result.Exception);
        Assert.Equal(expected, exception.Error);
        Assert.Equal(thrown.Message, exception.Message);
        Assert.DoesNotContain("CANARY", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Invalid_AllocatesNothingUntilTheExceptionIsAskedFor()
    {
        // No refused port here: checking one allocates in the JIT's first, unoptimized code (Tier 0), never once it is
        // optimized (measured with DOTNET_TieredCompilation=0), and a test runs too briefly to tell the two apart.
        string[] inputs = ["", " ", "https://registry.example.com", "user@host", "host/v2", "[fe80::1", "a..b", "host:1:2"];
        foreach (var input in inputs)
        {
            _ = RegistryAddressParser.Parse(input).Success;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var input in inputs)
        {
            Assert.False(RegistryAddressParser.Parse(input).Success);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("Registry.Example.com:05000", "Registry.Example.com", 5000, false)]
    [InlineData("[FE80::1]:5000", "FE80::1", 5000, true)]
    [InlineData("localhost", "localhost", null, false)]
    public void FromReferenceDomain_KeepsTheTextAsWritten(string domain, string host, int? port, bool isIPv6)
    {
        var address = RegistryAddressParser.FromReferenceDomain(domain);

        Assert.Equal(domain, address.ToString());
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(isIPv6, address.IsIPv6);
    }
}
