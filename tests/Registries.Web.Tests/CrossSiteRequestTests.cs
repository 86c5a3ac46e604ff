using System.Net;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>The hostile trial's attack, in a real chromium: a page on another port of the same host (the same site, so
/// the SameSite=Strict sign-in cookie goes along) posts to the sample's API as the signed-in user.</summary>
[Trait("Category", "Integration")]
public sealed class CrossSiteRequestTests : IClassFixture<Browser>
{
    private readonly Browser _browser;
    private readonly RegistriesPage _page;

    /// <summary>Creates the tests over the shared browser.</summary>
    /// <param name="browser">The browser and sample.</param>
    public CrossSiteRequestTests(Browser browser)
    {
        _browser = browser;
        _page = new RegistriesPage(browser);
    }

    [Fact]
    public async Task PageOfAnotherPort_TextPlainFormAndNoCorsFetches_DeactivateNothing_WhileTheOwnPageStillCan()
    {
        using var api = new SampleClient(_browser.Sample);
        await api.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await api.GetAsync("/"));
        var form = await AddAsync(api, environment, "form.forgery.test:5000");
        var textFetch = await AddAsync(api, environment, "fetch.forgery.test:5000");
        var bodylessFetch = await AddAsync(api, environment, "bodyless.forgery.test:5000");

        // The owner is signed in in the browser: its cookie is the one the hostile page rides on.
        _page.SignIn("owner");
        string Deactivate(string id) => new Uri(_browser.Sample.Address, $"api/registries/environments/{environment}/registries/{id}/deactivate").ToString();

        // The form page submits itself once loaded (enctype=text/plain, as an HTML form can) in the frame the main page
        // watches: the frame loads twice, the form page and then the API's answer. The fetches are no-cors with the cookie, one
        // with a text/plain body and one without a body (no content type at all).
        await using var hostile = new HostilePage(new Dictionary<string, string>
        {
            ["/"] = $$"""
                <!doctype html>
                <html><head><title>Win a prize</title><script>window.forgery = { frameLoads: 0 };</script></head><body>
                <iframe id="sink" src="/form" onload="window.forgery.frameLoads++"></iframe>
                <script>
                  fetch({{JsonSerializer.Serialize(Deactivate(textFetch))}}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: 'x=y' })
                    .then(() => window.forgery.textFetch = 'sent', e => window.forgery.textFetch = 'failed: ' + e);
                  fetch({{JsonSerializer.Serialize(Deactivate(bodylessFetch))}}, { method: 'POST', mode: 'no-cors', credentials: 'include' })
                    .then(() => window.forgery.bodylessFetch = 'sent', e => window.forgery.bodylessFetch = 'failed: ' + e);
                </script>
                </body></html>
                """,
            ["/form"] = $$"""
                <!doctype html>
                <html><body>
                <form id="forged" method="post" enctype="text/plain" action={{JsonSerializer.Serialize(Deactivate(form))}}>
                  <input name="reason" value="prize">
                </form>
                <script>window.addEventListener('load', () => document.getElementById('forged').submit());</script>
                </body></html>
                """,
        });

        _browser.Driver.Navigate().GoToUrl(hostile.Address);
        try
        {
            RegistriesPage.WaitUntil(
                () => _page.Script("return window.forgery && window.forgery.frameLoads >= 2 && !!window.forgery.textFetch && !!window.forgery.bodylessFetch") is true,
                "the hostile page's form and fetches to complete");
        }
        catch (Xunit.Sdk.XunitException e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message} The page's record: {_page.Script("return JSON.stringify(window.forgery)")}; served: {string.Join(", ", hostile.Requested)}; at {_browser.Driver.Url}.");
        }

        Assert.Equal("sent", _page.Script("return window.forgery.textFetch"));
        Assert.Equal("sent", _page.Script("return window.forgery.bodylessFetch"));
        Assert.Contains("/form", hostile.Requested);
        _page.Screenshot("20-hostile-page-of-another-port");

        var deactivated = new List<string>();
        foreach (var (id, attack) in new[] { (form, "the text/plain form"), (textFetch, "the no-cors fetch with a body"), (bodylessFetch, "the no-cors fetch without a body") })
        {
            if (await StateAsync(api, environment, id) != "active")
            {
                deactivated.Add($"{attack} deactivated entry {id}");
            }
        }

        Assert.True(deactivated.Count == 0, $"From {hostile.Address}: {string.Join("; ", deactivated)}.");

        // The sample's own page may still write through the API with its cookie: a bodyless POST, no content type.
        _page.Open("/");
        var status = _browser.Driver.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0], { method: 'POST' }).then(r => done(r.status), e => done(String(e)));",
            Deactivate(form));
        Assert.Equal(200L, status);
        Assert.Equal("inactive", await StateAsync(api, environment, form));
    }

    private async Task<string> AddAsync(SampleClient api, string environment, string address)
    {
        using var added = await api.Http.PostAsync(
            _browser.Sample.Page($"/api/registries/environments/{environment}/registries"),
            new StringContent(JsonSerializer.Serialize(new { kind = "custom", address, email = "victim@example.com", username = "victim", password = "Victim-pw-1" }), Encoding.UTF8, "application/json"));
        var body = await added.Content.ReadAsStringAsync();
        Assert.True(added.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string?> StateAsync(SampleClient api, string environment, string id)
    {
        var body = await api.Http.GetStringAsync(_browser.Sample.Page($"/api/registries/environments/{environment}/registries/{id}"));
        return JsonDocument.Parse(body).RootElement.GetProperty("state").GetString();
    }
}
