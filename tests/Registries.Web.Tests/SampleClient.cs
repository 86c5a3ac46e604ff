using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>A cookie-keeping HTTP client of one running sample, for what the tests do without a browser.</summary>
/// <param name="sample">The sample.</param>
public sealed partial class SampleClient(WebSample sample) : IDisposable
{
    private readonly HttpClient _client = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Gets the client, for requests made by hand.</summary>
    public HttpClient Http => _client;

    /// <summary>Signs in <paramref name="user"/> with its demo password and checks that it worked.</summary>
    /// <param name="user">owner, member or readonly.</param>
    /// <returns>A task that completes when signed in.</returns>
    public async Task SignInAsync(string user)
    {
        var page = await PostSignInAsync(user, WebSample.Passwords[user]);
        Assert.Contains($"<strong id=\"signed-in-user\">{user}</strong>", page, StringComparison.Ordinal);
    }

    /// <summary>Posts the sign-in form with the token of a freshly loaded one.</summary>
    /// <param name="user">The user name.</param>
    /// <param name="password">The password.</param>
    /// <returns>The page answered.</returns>
    public async Task<string> PostSignInAsync(string user, string password) =>
        await PostFormAsync("/Login", "/Login", [new("UserName", user), new("Password", password)]);

    /// <summary>Loads the page <paramref name="formPage"/>, then posts to <paramref name="action"/> with its antiforgery token, following redirects.</summary>
    /// <param name="formPage">The page that holds the form.</param>
    /// <param name="action">Where the form posts.</param>
    /// <param name="fields">The fields, without the token.</param>
    /// <returns>The page answered.</returns>
    public async Task<string> PostFormAsync(string formPage, string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var form = await GetAsync(formPage);
        using var response = await _client.PostAsync(sample.Page(action), new FormUrlEncodedContent([.. fields, new("__RequestVerificationToken", TokenOf(form))]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Gets a page.</summary>
    /// <param name="pathAndQuery">The page.</param>
    /// <returns>Its HTML.</returns>
    public Task<string> GetAsync(string pathAndQuery) => _client.GetStringAsync(sample.Page(pathAndQuery));

    /// <summary>Reads the antiforgery token of a page.</summary>
    /// <param name="page">The HTML.</param>
    /// <returns>The token.</returns>
    public static string TokenOf(string page) => Token().Match(page) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException("The page has no antiforgery token:\n" + page);

    /// <summary>Reads the id of the environment a list page shows.</summary>
    /// <param name="page">The HTML.</param>
    /// <returns>The id.</returns>
    public static string EnvironmentOf(string page) => Environment().Match(page) is { Success: true } match
        ? match.Groups[1].Value
        : throw new Xunit.Sdk.XunitException("The page names no environment:\n" + page);

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("<option value=\"([^\"]+)\" selected")]
    private static partial Regex Environment();
}
