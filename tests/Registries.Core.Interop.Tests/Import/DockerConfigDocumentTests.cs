using System.Text;

namespace Registries.Core.Interop.Tests;

public sealed class DockerConfigDocumentTests
{
    [Fact]
    public void Parse_AuthWithColonsInPassword_SplitsAtTheFirstColon()
    {
        var document = DockerConfigDocument.Parse(Auths("host:5000", "\"auth\": \"" + B64("user:pa:ss:") + "\""));

        var entry = Assert.Single(document.Auths);
        Assert.Equal("user", entry.Username);
        Assert.Equal("pa:ss:", entry.Password!.Reveal());
        Assert.Null(entry.Failure);
    }

    [Fact]
    public void Parse_UsernameAndPasswordFields_Read()
    {
        var entry = Assert.Single(DockerConfigDocument.Parse(Auths("host", "\"username\": \"u\", \"password\": \"p\\\"w\", \"email\": \"u@example.com\"")).Auths);

        Assert.Equal("u", entry.Username);
        Assert.Equal("p\"w", entry.Password!.Reveal());
        Assert.Equal("u@example.com", entry.Email);
    }

    [Fact]
    public void Parse_AuthAndFields_AuthWinsAsInTheDockerCli()
    {
        var entry = Assert.Single(DockerConfigDocument.Parse(Auths("host", "\"auth\": \"" + B64("a:b") + "\", \"username\": \"x\", \"password\": \"y\"")).Auths);

        Assert.Equal("a", entry.Username);
        Assert.Equal("b", entry.Password!.Reveal());
    }

    [Theory]
    [InlineData("\"auth\": \"%%%\"", "base64")]
    [InlineData("\"auth\": \"dXNlcg==\"", "username:password")]
    [InlineData("\"auth\": \"OnBhc3M=\"", "username:password")]
    [InlineData("\"username\": \"only\"", "not both")]
    [InlineData("\"auth\": \"dXNlcjo=\", \"identitytoken\": \"t\"", "identity token")]
    public void Parse_BadEntry_ReportsWhy(string body, string expected)
    {
        var entry = Assert.Single(DockerConfigDocument.Parse(Auths("host", body)).Auths);

        Assert.Contains(expected, entry.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyEntryAndStores_Read()
    {
        var document = DockerConfigDocument.Parse("""{"auths": {"a.example.com": {}}, "credsStore": "pass", "credHelpers": {"b.example.com": "ecr-login"}, "HttpHeaders": {"x": "y"}}""");

        Assert.False(document.Auths[0].HasCredential);
        Assert.Null(document.Auths[0].Failure);
        Assert.Equal("pass", document.CredsStore);
        Assert.Equal([("b.example.com", "ecr-login")], document.CredHelpers);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"auths\": []}")]
    [InlineData("{\"credsStore\": 1}")]
    [InlineData("{\"credHelpers\": {\"host\": 1}}")]
    [InlineData("{\"auths\": {\"host\": {\"auth\": \"c2VjcmV0\"},}}")]
    public void Parse_NotADockerConfig_ThrowsDockerConfigFormatException(string json)
    {
        var ex = Assert.Throws<DockerConfigFormatException>(() => DockerConfigDocument.Parse(json));

        Assert.Contains("Docker config", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("c2VjcmV0", ex.ToString(), StringComparison.Ordinal);
    }

    private static string Auths(string key, string body) => "{\"auths\": {\"" + key + "\": {" + body + "}}}";

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
