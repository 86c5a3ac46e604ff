using System.Net;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>Credential sources on the page, against the real sample with a script credential helper the operator
/// allowed (<c>Registries:CredentialHelpers</c>): the add form offers it, the list shows the source and a stored
/// credential's expiry, the resolve box answers through the helper, refresh drops the cached value. The helper's secret
/// never reaches a page.</summary>
public sealed class SourcePageTests : IAsyncLifetime
{
    private const string Helper = "webtest";
    private const string Secret = "Canary-web-helper-secret-4f1a";
    private const string Password = "Canary-web-password-72b3";
    private readonly TestDirectory _helpers = new("registries-web-helpers-");
    private WebSample _sample = null!;

    public async Task InitializeAsync()
    {
        var path = _helpers.Combine("docker-credential-" + Helper);
        File.WriteAllText(path, "#!/bin/sh\ncat >/dev/null\nprintf '{\"Username\":\"web-helper-user\",\"Secret\":\"" + Secret + "\"}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _sample = new WebSample(["--Registries:CredentialHelpers=" + Helper, "--Registries:CredentialHelperDirectories=" + _helpers.Path]);
        await _sample.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _sample.DisposeAsync();
        _helpers.Dispose();
    }

    [Fact]
    public async Task Helper_AddedFromTheForm_IsListedResolvedAndRefreshed_WithoutItsSecret()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        var form = await client.GetAsync($"/Add?env={environment}");
        var added = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "helper.web.test"), new("Email", "ops@example.com"),
            new("Source", "credential-helper"), new("Helper", Helper),
        ]);
        var stored = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "robot.web.test"), new("Email", "ops@example.com"),
            new("Source", "stored"), new("Username", "robot"), new("Password", Password), new("ExpiresOn", "2999-01-31"),
        ]);
        var resolved = await client.GetAsync($"/?env={environment}&image=helper.web.test/app:1");
        var id = System.Text.RegularExpressions.Regex.Match(added, "id=\"refresh-([0-9a-z]+)\"").Groups[1].Value;
        var refreshed = await client.PostFormAsync($"/?env={environment}", $"/?handler=Refresh&env={environment}", [new("id", id)]);

        Assert.Contains($"docker-credential-{Helper}", form, StringComparison.Ordinal);
        Assert.Contains($"Helper {Helper}", added, StringComparison.Ordinal);
        Assert.Contains("2999-01-31 00:00 UTC", stored, StringComparison.Ordinal);
        Assert.Contains("Authenticated", resolved, StringComparison.Ordinal);
        Assert.Contains("web-helper-user", resolved, StringComparison.Ordinal);
        Assert.Contains($"helper {Helper}", resolved, StringComparison.Ordinal);
        Assert.NotEqual(string.Empty, id);
        Assert.Contains("Refreshed", refreshed, StringComparison.Ordinal);
        foreach (var page in new[] { form, added, stored, resolved, refreshed, _sample.Log })
        {
            Assert.DoesNotContain(Secret, page, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Form_HelperNotAllowedOrPastExpiry_IsRefusedWithOneLineAndNothingAdded()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        var before = await client.GetAsync($"/?env={environment}");

        var notAllowed = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "evil.web.test"), new("Email", "ops@example.com"),
            new("Source", "credential-helper"), new("Helper", "../../bin/sh"),
        ]);
        var past = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "robot.web.test"), new("Email", "ops@example.com"),
            new("Source", "stored"), new("Username", "robot"), new("Password", Password), new("ExpiresOn", "2001-01-01"),
        ]);

        Assert.Contains("Choose a credential helper among the allowed ones: " + Helper, notAllowed, StringComparison.Ordinal);
        Assert.Contains("already past", past, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, past, StringComparison.Ordinal);
        Assert.Equal(Rows(before), Rows(await client.GetAsync($"/?env={environment}")));
    }

    [Fact]
    public async Task Refresh_WithoutAntiforgeryToken_IsRefused()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        using var refused = await client.Http.PostAsync(_sample.Page($"/?handler=Refresh&env={environment}"), new FormUrlEncodedContent([new("id", "1r1")]));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    private static int Rows(string page) => System.Text.RegularExpressions.Regex.Matches(page, "data-registry-id=").Count;
}
