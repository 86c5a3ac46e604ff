using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>What the sample answers to requests a browser would not make: forged posts, wrong passwords, missing sign-in.</summary>
public sealed partial class WebSampleHttpTests : IClassFixture<WebSample>
{
    private readonly WebSample _sample;

    /// <summary>Creates the tests over a running sample.</summary>
    /// <param name="sample">The sample.</param>
    public WebSampleHttpTests(WebSample sample) => _sample = sample;

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRefusedWith400AndTheErrorPage()
    {
        using var client = NewClient();
        await SignInAsync(client, "owner");
        var list = await client.GetStringAsync(_sample.Page("/"));
        var environment = EnvironmentOf(list);

        using var refused = await client.PostAsync(_sample.Page($"/?handler=Deactivate&env={environment}"), new FormUrlEncodedContent([new("id", "anything")]));
        var body = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("did not come from this site", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        using var client = NewClient();

        using var refused = await client.PostAsync(_sample.Page("/Login"), new FormUrlEncodedContent([new("UserName", "owner"), new("Password", WebSample.Passwords["owner"])]));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_ShowsOneLineAndNoCookie()
    {
        using var client = NewClient();

        var page = await PostSignInAsync(client, "owner", "not-the-password");

        Assert.Contains("Unknown user or wrong password", page, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", page, StringComparison.Ordinal);
        using var list = await client.GetAsync(_sample.Page("/"));
        Assert.Equal("/Login", list.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task SignIn_AsAnUnknownUser_IsRefused()
    {
        using var client = NewClient();

        var page = await PostSignInAsync(client, "mallory", WebSample.Passwords["owner"]);

        Assert.Contains("Unknown user or wrong password", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPage_WithoutSignIn_LeadsToTheSignInPage()
    {
        using var client = NewClient();

        foreach (var page in new[] { "/", "/Add?env=x", "/Edit?env=x&id=y" })
        {
            using var response = await client.GetAsync(_sample.Page(page));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/Login", response.RequestMessage!.RequestUri!.AbsolutePath);
        }
    }

    [Fact]
    public async Task SignIn_ToAnotherSite_StaysOnThisOne()
    {
        using var client = NewClient();
        var form = await client.GetStringAsync(_sample.Page("/Login"));

        using var response = await client.PostAsync(_sample.Page("/Login"), new FormUrlEncodedContent(
        [
            new("UserName", "member"), new("Password", WebSample.Passwords["member"]), new("ReturnUrl", "https://evil.example/"),
            new("__RequestVerificationToken", TokenOf(form)),
        ]));

        Assert.Equal(_sample.Address.Authority, response.RequestMessage!.RequestUri!.Authority);
        Assert.Equal("/", response.RequestMessage.RequestUri.AbsolutePath);
    }

    [Fact]
    public async Task Seed_OnAnEmptyStore_MakesTheDemoEnvironmentWithItsThreeRoles()
    {
        foreach (var (user, role) in new[] { ("owner", "Owner"), ("member", "Member"), ("readonly", "ReadOnly") })
        {
            using var client = NewClient();
            await SignInAsync(client, user);
            var list = await client.GetStringAsync(_sample.Page("/"));
            Assert.Contains($"<strong id=\"role\">{role}</strong>", list, StringComparison.Ordinal);
            Assert.Contains("seeded by the sample on its first run", list, StringComparison.Ordinal);
        }
    }

    private HttpClient NewClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true }) { Timeout = TimeSpan.FromSeconds(30) };

    private async Task SignInAsync(HttpClient client, string user)
    {
        var page = await PostSignInAsync(client, user, WebSample.Passwords[user]);
        Assert.Contains($"<strong id=\"signed-in-user\">{user}</strong>", page, StringComparison.Ordinal);
    }

    private async Task<string> PostSignInAsync(HttpClient client, string user, string password)
    {
        var form = await client.GetStringAsync(_sample.Page("/Login"));
        using var response = await client.PostAsync(_sample.Page("/Login"), new FormUrlEncodedContent(
            [new("UserName", user), new("Password", password), new("__RequestVerificationToken", TokenOf(form))]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string TokenOf(string page) => Token().Match(page) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException("The page has no antiforgery token:\n" + page);

    private static string EnvironmentOf(string page) => Environment().Match(page) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException("The page names no environment:\n" + page);

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<option value=\"([^\"]+)\" selected")]
    private static partial Regex Environment();
}
