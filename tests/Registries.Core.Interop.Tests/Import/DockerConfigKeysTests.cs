namespace Registries.Core.Interop.Tests;

public sealed class DockerConfigKeysTests
{
    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("http://host:5000", "host:5000")]
    [InlineData("https://host:5000/", "host:5000")]
    [InlineData("host:5000/v2/", "host:5000")]
    [InlineData("HTTPS://Registry.Example.com", "Registry.Example.com")]
    [InlineData("quay.io", "quay.io")]
    [InlineData("[fe80::1]:5000", "[fe80::1]:5000")]
    [InlineData(" 10.0.0.5:5000 ", "10.0.0.5:5000")]
    public void TryNormalize_DockerKeys_GiveTheRegistryAddress(string key, string expected)
    {
        Assert.True(DockerConfigKeys.TryNormalize(key, out var address, out var error), error);
        Assert.Equal(RegistryAddress.Parse(expected), address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("https://")]
    [InlineData("host:99999")]
    [InlineData("ftp://host")]
    public void TryNormalize_NotAnAddress_ExplainsTheKey(string key)
    {
        Assert.False(DockerConfigKeys.TryNormalize(key, out _, out var error));
        Assert.Contains($"'{key}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("user@host:5000", "'***@host:5000'")]
    [InlineData("https://user:p/w@host:5000/v2/", "'https://***@host:5000/v2/'")]
    public void TryNormalize_KeyWithUserInfo_ExplainsTheKeyWithoutIt(string key, string shown)
    {
        Assert.False(DockerConfigKeys.TryNormalize(key, out _, out var error));
        Assert.Contains(shown, error, StringComparison.Ordinal);
        Assert.DoesNotContain("user", error.Replace("user name", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFor_DockerHub_IsTheLegacyIndexUrl()
    {
        Assert.Equal("https://index.docker.io/v1/", DockerConfigKeys.KeyFor(RegistryAddress.DockerHub));
        Assert.Equal("10.0.0.5:5000", DockerConfigKeys.KeyFor(RegistryAddress.Parse("10.0.0.5:5000")));
    }
}
