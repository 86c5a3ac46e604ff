using CsCheck;
using Registries.Core;

namespace Registries.Core.Tests.References;

[Collection(ReferencesCollection.Name)]
public class RegistryAddressTests
{
    [Theory]
    [InlineData("registry.example.com", "registry.example.com", null, false, "registry.example.com")]
    [InlineData("registry.example.com:5000", "registry.example.com", 5000, false, "registry.example.com:5000")]
    [InlineData("Registry.Example.COM:443", "Registry.Example.COM", 443, false, "Registry.Example.COM:443")]
    [InlineData("10.0.0.5:5000", "10.0.0.5", 5000, false, "10.0.0.5:5000")]
    [InlineData("10.0.0.5", "10.0.0.5", null, false, "10.0.0.5")]
    [InlineData("[fe80::1]:5000", "fe80::1", 5000, true, "[fe80::1]:5000")]
    [InlineData("[2001:db8::1]", "2001:db8::1", null, true, "[2001:db8::1]")]
    [InlineData("localhost:5000", "localhost", 5000, false, "localhost:5000")]
    [InlineData("localhost", "localhost", null, false, "localhost")]
    [InlineData("xn--n3h.com", "xn--n3h.com", null, false, "xn--n3h.com")]
    [InlineData("a", "a", null, false, "a")]
    [InlineData("my-registry:1", "my-registry", 1, false, "my-registry:1")]
    [InlineData("host:65535", "host", 65535, false, "host:65535")]
    [InlineData("host:08080", "host", 8080, false, "host:8080")]
    [InlineData("quay.io", "quay.io", null, false, "quay.io")]
    public void Parse_ValidAddress_HasHostAndPort(string input, string host, int? port, bool isIPv6, string text)
    {
        var address = RegistryAddress.Parse(input);

        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(isIPv6, address.IsIPv6);
        Assert.Equal(text, address.ToString());
        Assert.False(address.IsDockerHub);
        Assert.Equal(address, RegistryAddress.Parse(address.ToString()));
        Assert.True(RegistryAddress.TryParse(input.AsSpan(), out var fromSpan));
        Assert.Equal(address, fromSpan);
    }

    [Theory]
    [InlineData("docker.io")]
    [InlineData("DOCKER.IO")]
    [InlineData("index.docker.io")]
    [InlineData("registry-1.docker.io")]
    [InlineData("Registry-1.Docker.io")]
    public void Parse_DockerHubAlias_IsTheDockerHubAddress(string input)
    {
        var address = RegistryAddress.Parse(input);

        Assert.Same(RegistryAddress.DockerHub, address);
        Assert.True(address.IsDockerHub);
        Assert.Equal("docker.io", address.ToString());
    }

    [Fact]
    public void Parse_DockerHubWithPort_IsNotDockerHub()
    {
        var address = RegistryAddress.Parse("docker.io:443");

        Assert.False(address.IsDockerHub);
        Assert.NotEqual(RegistryAddress.DockerHub, address);
    }

    [Fact]
    public void Parse_DockerHub_AllocatesNothing()
    {
        RegistryAddress.TryParse("index.docker.io", out _);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 100; i++)
        {
            RegistryAddress.TryParse("docker.io", out _);
            RegistryAddress.TryParse("index.docker.io".AsSpan(), out _);
            RegistryAddress.TryParse("https://registry.example.com", out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("", RegistryAddressError.Empty)]
    [InlineData("   ", RegistryAddressError.Empty)]
    [InlineData(":5000", RegistryAddressError.Empty)]
    [InlineData("[]:5000", RegistryAddressError.Empty)]
    [InlineData("registry.example.com :5000", RegistryAddressError.ContainsWhitespace)]
    [InlineData(" registry.example.com", RegistryAddressError.ContainsWhitespace)]
    [InlineData("registry.example.com\t", RegistryAddressError.ContainsWhitespace)]
    [InlineData("https://registry.example.com:5000", RegistryAddressError.HasScheme)]
    [InlineData("http://registry.example.com", RegistryAddressError.HasScheme)]
    [InlineData("https://index.docker.io/v1/", RegistryAddressError.HasScheme)]
    [InlineData("user@registry.example.com", RegistryAddressError.HasUserInfo)]
    [InlineData("user:canary-secret@registry.example.com:5000", RegistryAddressError.HasUserInfo)]
    [InlineData("registry.example.com/v2", RegistryAddressError.HasPath)]
    [InlineData("registry.example.com:5000/team/app", RegistryAddressError.HasPath)]
    [InlineData("registry_example.com", RegistryAddressError.InvalidHost)]
    [InlineData("-registry.example.com", RegistryAddressError.InvalidHost)]
    [InlineData("registry-.example.com", RegistryAddressError.InvalidHost)]
    [InlineData("registry..example.com", RegistryAddressError.InvalidHost)]
    [InlineData("registry.example.com.", RegistryAddressError.InvalidHost)]
    [InlineData("fe80::1", RegistryAddressError.InvalidHost)]
    [InlineData("[fe80::1%eth0]:5000", RegistryAddressError.InvalidHost)]
    [InlineData("[::ffff:10.0.0.1]", RegistryAddressError.InvalidHost)]
    [InlineData("[10.0.0.1]", RegistryAddressError.InvalidHost)]
    [InlineData("[fe80::1", RegistryAddressError.InvalidHost)]
    [InlineData("[fe80::1]5000", RegistryAddressError.InvalidHost)]
    [InlineData("bücher.example", RegistryAddressError.InvalidHost)]
    [InlineData("registry.example.com:", RegistryAddressError.InvalidPort)]
    [InlineData("registry.example.com:0", RegistryAddressError.InvalidPort)]
    [InlineData("registry.example.com:65536", RegistryAddressError.InvalidPort)]
    [InlineData("registry.example.com:http", RegistryAddressError.InvalidPort)]
    [InlineData("registry.example.com:-1", RegistryAddressError.InvalidPort)]
    [InlineData("[fe80::1]:99999", RegistryAddressError.InvalidPort)]
    public void Parse_InvalidAddress_ThrowsWithTheError(string input, RegistryAddressError error)
    {
        var exception = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse(input));

        Assert.Equal(error, exception.Error);
        Assert.IsAssignableFrom<FormatException>(exception);
        Assert.False(RegistryAddress.TryParse(input, out var result));
        Assert.Null(result);
        Assert.False(RegistryAddress.TryParse(input.AsSpan(), out _));
    }

    [Theory]
    [InlineData("https://registry.example.com:5000", "give 'registry.example.com:5000' without 'https://'")]
    [InlineData("http://registry.example.com", "give 'registry.example.com' without 'http://'")]
    [InlineData("https://registry.example.com:5000/v2/", "give 'registry.example.com:5000' without 'https://' and the path '/v2/'")]
    [InlineData("https://index.docker.io/v1/", "give 'docker.io' without 'https://' and the path '/v1/'")]
    [InlineData("registry.example.com/team", "give 'registry.example.com' without the path '/team'")]
    [InlineData("registry.example.com :5000", "give 'registry.example.com:5000' without blanks")]
    [InlineData("admin@registry.example.com", "give 'registry.example.com' without the user name")]
    [InlineData("fe80::1", "'[fe80::1]'")]
    [InlineData("bücher.example:5000", "'xn--bcher-kva.example:5000'")]
    [InlineData("registry.example.com:70000", "from 1 to 65535")]
    [InlineData("", "is empty")]
    [InlineData(":5000", "has no host")]
    public void Parse_InvalidAddress_MessageShowsTheCorrectedForm(string input, string fragment)
    {
        var exception = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse(input));

        Assert.Contains(fragment, exception.Message, StringComparison.Ordinal);
        if (input.Length > 0 && !input.Contains('@', StringComparison.Ordinal))
        {
            Assert.Contains("'" + input + "'", exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("user:canary-secret@registry.example.com")]
    [InlineData("https://user:canary-secret@registry.example.com:5000/v2/")]
    [InlineData("canary-secret@registry_bad")]
    [InlineData("https://user:canary-secret@")]
    public void Parse_UserInfo_NeverShowsThePassword(string input)
    {
        var exception = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse(input));

        Assert.DoesNotContain("canary-secret", exception.Message, StringComparison.Ordinal);
        Assert.Contains("***@", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equals_HostCaseDiffers_AreEqualWithSameHash()
    {
        var lower = RegistryAddress.Parse("registry.example.com:5000");
        var upper = RegistryAddress.Parse("REGISTRY.Example.com:5000");

        Assert.Equal(lower, upper);
        Assert.True(lower == upper);
        Assert.False(lower != upper);
        Assert.Equal(lower.GetHashCode(), upper.GetHashCode());
        Assert.Equal(RegistryAddress.Parse("[FE80::1]:5000"), RegistryAddress.Parse("[fe80::1]:5000"));
    }

    [Fact]
    public void Equals_DifferentPortOrHost_AreNotEqual()
    {
        var address = RegistryAddress.Parse("registry.example.com:5000");

        Assert.NotEqual(address, RegistryAddress.Parse("registry.example.com"));
        Assert.NotEqual(address, RegistryAddress.Parse("registry.example.com:5001"));
        Assert.NotEqual(address, RegistryAddress.Parse("other.example.com:5000"));
        Assert.False(address.Equals(null));
        Assert.False(address.Equals((object)"registry.example.com:5000"));
        Assert.True((RegistryAddress?)null == null);
        Assert.False(address == null);
        Assert.NotEqual(RegistryAddress.DockerHub, RegistryAddress.Quay);
    }

    [Fact]
    public void Equals_DockerHubAliasFromImageReference_IsDockerHub()
    {
        var alias = ImageReference.Parse("registry-1.docker.io/library/ubuntu").Address;

        Assert.Equal("registry-1.docker.io", alias.ToString());
        Assert.True(alias.IsDockerHub);
        Assert.Equal(RegistryAddress.DockerHub, alias);
        Assert.Equal(RegistryAddress.DockerHub.GetHashCode(), alias.GetHashCode());
    }

    [Fact]
    public void TryParse_Null_ReturnsFalse()
    {
        Assert.False(RegistryAddress.TryParse((string?)null, out var result));
        Assert.Null(result);
        Assert.Throws<ArgumentNullException>(() => RegistryAddress.Parse(null!));
    }

    [Fact]
    public void ISpanParsable_GenericCaller_Parses()
    {
        Assert.Equal(RegistryAddress.Quay, Parse<RegistryAddress>("QUAY.io"));
        Assert.True(TryParse<RegistryAddress>("localhost:5000".AsSpan(), out var local));
        Assert.Equal(5000, local!.Port);
        Assert.False(TryParse<RegistryAddress>("https://x".AsSpan(), out _));
    }

    [Fact]
    public void TryParse_AnyText_NeverThrowsAndRoundTrips()
    {
        var text = Gen.String[Gen.Frequency((8, Gen.Char["abcz019.-:[]/@ABZ"]), (1, Gen.Char["\u00e4 \t%"]), (1, Gen.Char)), 0, 30];
        text.Sample(s =>
        {
            var accepted = RegistryAddress.TryParse(s, out var address);
            try
            {
                var parsed = RegistryAddress.Parse(s);
                Assert.True(accepted);
                Assert.Equal(address, parsed);
                Assert.Equal(parsed, RegistryAddress.Parse(parsed.ToString()));
                Assert.Equal(parsed.ToString(), RegistryAddress.Parse(parsed.ToString()).ToString());
            }
            catch (RegistryAddressFormatException exception)
            {
                Assert.False(accepted);
                Assert.False(string.IsNullOrWhiteSpace(exception.Message));
            }
        }, iter: 20_000);
    }

    private static T Parse<T>(string s)
        where T : ISpanParsable<T>
        => T.Parse(s, null);

    private static bool TryParse<T>(ReadOnlySpan<char> s, out T? result)
        where T : ISpanParsable<T>
        => T.TryParse(s, null, out result);
}
