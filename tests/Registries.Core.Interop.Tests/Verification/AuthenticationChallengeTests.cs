namespace Registries.Core.Interop.Tests;

public sealed class AuthenticationChallengeTests
{
    [Fact]
    public void Parse_BearerChallenge_ReadsRealmServiceAndScope()
    {
        var challenge = AuthenticationChallenge.Parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/x:pull repository:a/b:pull\"")!;

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge["realm"]);
        Assert.Equal("registry.docker.io", challenge["service"]);
        Assert.Equal("repository:library/x:pull repository:a/b:pull", challenge["scope"]);
    }

    [Fact]
    public void Parse_BasicChallengeWithSpacesAndEscapes_Read()
    {
        var challenge = AuthenticationChallenge.Parse("basic  realm = \"say \\\"hi\\\", world\" , charset=UTF-8")!;

        Assert.True(challenge.IsBasic);
        Assert.Equal("say \"hi\", world", challenge["REALM"]);
        Assert.Equal("UTF-8", challenge["charset"]);
        Assert.Null(challenge["scope"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Empty_ReturnsNull(string value) => Assert.Null(AuthenticationChallenge.Parse(value));

    [Fact]
    public void Parse_Token68_KeepsOnlyTheScheme()
    {
        var challenge = AuthenticationChallenge.Parse("Negotiate abc123==")!;

        Assert.Equal("Negotiate", challenge.Scheme);
        Assert.Empty(challenge.Parameters);
    }
}
