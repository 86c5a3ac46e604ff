using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>What the sample answers to requests a browser would not make: forged posts, wrong passwords, missing sign-in.</summary>
public sealed class WebSampleHttpTests : IClassFixture<WebSample>
{
    private readonly WebSample _sample;

    /// <summary>Creates the tests over a running sample.</summary>
    /// <param name="sample">The sample.</param>
    public WebSampleHttpTests(WebSample sample) => _sample = sample;

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRefusedWith400AndTheErrorPage()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        using var refused = await client.Http.PostAsync(_sample.Page($"/?handler=Deactivate&env={environment}"), new FormUrlEncodedContent([new("id", "anything")]));
        var body = await refused.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("did not come from this site", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        using var client = new SampleClient(_sample);

        using var refused = await client.Http.PostAsync(_sample.Page("/Login"), new FormUrlEncodedContent([new("UserName", "owner"), new("Password", WebSample.Passwords["owner"])]));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_ShowsOneLineAndNoCookie()
    {
        using var client = new SampleClient(_sample);

        var page = await client.PostSignInAsync("owner", "not-the-password");

        Assert.Contains("Unknown user or wrong password", page, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", page, StringComparison.Ordinal);
        using var list = await client.Http.GetAsync(_sample.Page("/"));
        Assert.Equal("/Login", list.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task SignIn_AsAnUnknownUser_IsRefused()
    {
        using var client = new SampleClient(_sample);

        var page = await client.PostSignInAsync("mallory", WebSample.Passwords["owner"]);

        Assert.Contains("Unknown user or wrong password", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPage_WithoutSignIn_LeadsToTheSignInPage()
    {
        using var client = new SampleClient(_sample);

        foreach (var page in new[] { "/", "/Add?env=x", "/Edit?env=x&id=y" })
        {
            using var response = await client.Http.GetAsync(_sample.Page(page));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("/Login", response.RequestMessage!.RequestUri!.AbsolutePath);
        }
    }

    [Fact]
    public async Task SignIn_WithAReturnUrlToAnotherSite_StaysOnThisOne()
    {
        using var client = new SampleClient(_sample);
        var form = await client.GetAsync("/Login");

        using var response = await client.Http.PostAsync(_sample.Page("/Login"), new FormUrlEncodedContent(
        [
            new("UserName", "member"), new("Password", WebSample.Passwords["member"]), new("ReturnUrl", "https://evil.example/"),
            new("__RequestVerificationToken", SampleClient.TokenOf(form)),
        ]));

        Assert.Equal(_sample.Address.Authority, response.RequestMessage!.RequestUri!.Authority);
        Assert.Equal("/", response.RequestMessage.RequestUri.AbsolutePath);
    }

    [Fact]
    public async Task Api_WithTheSignInCookie_AnswersAsTheSignedInUser()
    {
        const string Canary = "Canary-Api-5d1e07b2";
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        using var added = await client.Http.PostAsync(
            _sample.Page($"/api/registries/environments/{environment}/registries"),
            new StringContent("""{"kind":"custom","address":"api.registries.test:5000","path":"team","email":"api@example.com","username":"api-robot","password":"Canary-Api-5d1e07b2"}""", Encoding.UTF8, "application/json"));
        var addedBody = await added.Content.ReadAsStringAsync();
        using var explained = await client.Http.GetAsync(_sample.Page($"/api/registries/environments/{environment}/explain?image=api.registries.test:5000/team/app"));
        var explainedBody = await explained.Content.ReadAsStringAsync();

        Assert.True(added.StatusCode == HttpStatusCode.Created, addedBody);
        Assert.Equal("api.registries.test:5000/team", JsonDocument.Parse(addedBody).RootElement.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        var explanation = JsonDocument.Parse(explainedBody).RootElement;
        Assert.Equal("authenticated", explanation.GetProperty("outcome").GetString());
        Assert.Equal(JsonDocument.Parse(addedBody).RootElement.GetProperty("id").GetString(), explanation.GetProperty("registryId").GetString());
        Assert.DoesNotContain(Canary, addedBody + explainedBody, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, _sample.Log, StringComparison.Ordinal);

        // The page shows what the API added, as the same user.
        var list = await client.GetAsync("/?env=" + environment);
        Assert.Contains("api-robot", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_WithoutSignIn_Is401ProblemDetails_NotTheSignInPage()
    {
        using var client = new SampleClient(_sample);

        using var response = await client.Http.GetAsync(_sample.Page("/api/registries/environments"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("/api/registries/environments", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("unauthenticated", JsonDocument.Parse(body).RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task OpenApi_WithoutSignIn_IsTheDocumentOfTheApi_NotTheSignInPage()
    {
        using var client = new SampleClient(_sample);

        using var response = await client.Http.GetAsync(_sample.Page("/openapi/v1.json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/openapi/v1.json", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var paths = JsonDocument.Parse(body).RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/registries/environments", out _), body);
        Assert.True(paths.TryGetProperty("/api/registries/environments/{environmentId}/explain", out _), body);
    }

    [Fact]
    public async Task Api_AFormPostWithTheCookie_Is415AndWritesNothing()
    {
        // What a cross-site form could send (it cannot send JSON without a CORS preflight): refused before any write.
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        using var response = await client.Http.PostAsync(
            _sample.Page($"/api/registries/environments/{environment}/registries"),
            new FormUrlEncodedContent([new("kind", "custom"), new("address", "forged.registries.test"), new("email", "f@example.com"), new("username", "forged"), new("password", "pw")]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.DoesNotContain("forged.registries.test", await client.GetAsync("/?env=" + environment), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_OnAnEmptyStore_MakesTheDemoEnvironmentWithItsThreeRoles()
    {
        foreach (var (user, role) in new[] { ("owner", "Owner"), ("member", "Member"), ("readonly", "ReadOnly") })
        {
            using var client = new SampleClient(_sample);
            await client.SignInAsync(user);
            var list = await client.GetAsync("/");
            Assert.Contains($"<strong id=\"role\">{role}</strong>", list, StringComparison.Ordinal);
            Assert.Contains("seeded by the sample on its first run", list, StringComparison.Ordinal);
        }
    }
}
