namespace Registries.Core.Tests.Domain;

public sealed class RegistryCredentialTests
{
    [Theory]
    [InlineData("", "user", "pw", "email")]
    [InlineData("  ", "user", "pw", "email")]
    [InlineData("not-an-email", "user", "pw", "email")]
    [InlineData("a@b@c", "user", "pw", "email")]
    [InlineData("ops @example.com", "user", "pw", "email")]
    [InlineData("ops@example.com", "", "pw", "username")]
    [InlineData("ops@example.com", " user", "pw", "username")]
    [InlineData("ops@example.com", "us:er", "pw", "username")]
    [InlineData("ops@example.com", "user", "", "value")]
    public void Constructor_MissingOrMalformedPart_ThrowsArgumentExceptionNamingIt(string email, string username, string password, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new RegistryCredential(email, username, password));

        Assert.Equal(parameter, error.ParamName);
        Assert.DoesNotContain("pw", error.Message.Replace("password", string.Empty, StringComparison.OrdinalIgnoreCase), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_AnyCharactersInPassword_AreKeptExactly()
    {
        const string password = "p@ss:w\"or\\d+/=ÄÖü€ é\t";

        var credential = new RegistryCredential("ops@example.com", "deploy", password);

        Assert.Equal(password, credential.Password!.Reveal());
        Assert.Equal("deploy <ops@example.com> (password hidden)", credential.ToString());
    }
}
