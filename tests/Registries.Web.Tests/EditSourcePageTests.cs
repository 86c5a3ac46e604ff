using System.Net;
using System.Text.RegularExpressions;
using Registries.Testing;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>Edit Registry with credential sources, against the real sample with a script credential helper the operator
/// allowed: the form is preselected to the entry's kind, keeps a helper a helper, switches a stored entry to a helper,
/// refuses a helper the operator did not allow with Add's line and changes nothing. No secret reaches a page.</summary>
public sealed class EditSourcePageTests : IAsyncLifetime
{
    private const string Helper = "webedit";
    private const string Secret = "Canary-web-edit-helper-secret-8d2e";
    private const string Password = "Canary-web-edit-password-5c91";
    private readonly TestDirectory _helpers = new("registries-web-edit-helpers-");
    private WebSample _sample = null!;

    public async Task InitializeAsync()
    {
        var path = _helpers.Combine("docker-credential-" + Helper);
        File.WriteAllText(path, "#!/bin/sh\ncat >/dev/null\nprintf '{\"Username\":\"web-edit-user\",\"Secret\":\"" + Secret + "\"}'\n");
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
    public async Task HelperEntry_Edited_StaysAHelper_WithTheNewEmail()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        var list = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "keep.edit.test"), new("Email", "ops@example.com"),
            new("Source", "credential-helper"), new("Helper", Helper),
        ]);
        var id = IdOf(list, "keep.edit.test");

        var form = await client.GetAsync($"/Edit?env={environment}&id={id}");
        var edited = await client.PostFormAsync($"/Edit?env={environment}&id={id}", $"/Edit?env={environment}&id={id}",
        [
            new("Email", "new-ops@example.com"), new("Source", "credential-helper"), new("Helper", Helper),
        ]);
        var resolved = await client.GetAsync($"/?env={environment}&image=keep.edit.test/app:1");

        Assert.Matches("id=\"source-helper\"[^>]*checked", form);
        Assert.DoesNotMatch("id=\"source-stored\"[^>]*checked", form);
        Assert.Matches($"<option value=\"{Helper}\" selected", form);
        Assert.Contains("its credential comes from credential-helper:" + Helper, edited, StringComparison.Ordinal);
        var row = RowOf(edited, id);
        Assert.Contains("data-source=\"credential-helper\"", row, StringComparison.Ordinal);
        Assert.Contains("new-ops@example.com", row, StringComparison.Ordinal);
        Assert.Contains("Authenticated", resolved, StringComparison.Ordinal);
        Assert.Contains("web-edit-user", resolved, StringComparison.Ordinal);
        AssertNoSecret(form, edited, resolved);
    }

    [Fact]
    public async Task StoredEntry_PreselectedWithItsExpiry_SwitchedToAHelper_ResolvesThroughIt()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        var list = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "switch.edit.test"), new("Email", "ops@example.com"),
            new("Source", "stored"), new("Username", "robot"), new("Password", Password), new("ExpiresOn", "2999-01-31"),
        ]);
        var id = IdOf(list, "switch.edit.test");

        var form = await client.GetAsync($"/Edit?env={environment}&id={id}");
        var edited = await client.PostFormAsync($"/Edit?env={environment}&id={id}", $"/Edit?env={environment}&id={id}",
        [
            new("Email", "ops@example.com"), new("Source", "credential-helper"), new("Helper", Helper),
        ]);
        var resolved = await client.GetAsync($"/?env={environment}&image=switch.edit.test/app:1");

        Assert.Matches("id=\"source-stored\"[^>]*checked", form);
        Assert.Contains("value=\"robot\"", form, StringComparison.Ordinal);
        Assert.Contains("value=\"2999-01-31\"", form, StringComparison.Ordinal);
        Assert.Contains("data-source=\"credential-helper\"", RowOf(edited, id), StringComparison.Ordinal);
        Assert.Contains("web-edit-user", resolved, StringComparison.Ordinal);
        AssertNoSecret(form, edited, resolved);
    }

    [Fact]
    public async Task Edit_HelperNotAllowedOrNoPassword_IsRefusedWithAddsLine_AndNothingChanged()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        var list = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "refuse.edit.test"), new("Email", "ops@example.com"),
            new("Source", "stored"), new("Username", "robot"), new("Password", Password),
        ]);
        var id = IdOf(list, "refuse.edit.test");
        var before = RowOf(list, id);

        var notAllowed = await client.PostFormAsync($"/Edit?env={environment}&id={id}", $"/Edit?env={environment}&id={id}",
        [
            new("Email", "evil@example.com"), new("Source", "credential-helper"), new("Helper", "../../bin/sh"),
        ]);
        var noPassword = await client.PostFormAsync($"/Edit?env={environment}&id={id}", $"/Edit?env={environment}&id={id}",
        [
            new("Email", "evil@example.com"), new("Source", "stored"), new("Username", "robot"), new("Password", string.Empty),
        ]);
        var after = RowOf(await client.GetAsync($"/?env={environment}"), id);

        Assert.Contains("Choose a credential helper among the allowed ones: " + Helper + ".", notAllowed, StringComparison.Ordinal);
        Assert.Contains("A password is required", noPassword, StringComparison.Ordinal);
        Assert.Equal(before, after);
        Assert.DoesNotContain("evil@example.com", after, StringComparison.Ordinal);
        AssertNoSecret(list, notAllowed, noPassword, after);
    }

    [Fact]
    public async Task Edit_WithoutAntiforgeryToken_IsRefused_AndNothingChanged()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        var list = await client.PostFormAsync($"/Add?env={environment}", $"/Add?env={environment}",
        [
            new("Kind", "Custom"), new("Address", "forged.edit.test"), new("Email", "ops@example.com"),
            new("Source", "stored"), new("Username", "robot"), new("Password", Password),
        ]);
        var id = IdOf(list, "forged.edit.test");

        using var refused = await client.Http.PostAsync(_sample.Page($"/Edit?env={environment}&id={id}"), new FormUrlEncodedContent(
        [
            new("Email", "forged@example.com"), new("Source", "credential-helper"), new("Helper", Helper),
        ]));
        var after = RowOf(await client.GetAsync($"/?env={environment}"), id);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("data-source=\"stored\"", after, StringComparison.Ordinal);
        Assert.DoesNotContain("forged@example.com", after, StringComparison.Ordinal);
    }

    private void AssertNoSecret(params string[] pages)
    {
        foreach (var page in pages.Append(_sample.Log))
        {
            Assert.DoesNotContain(Secret, page, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, page, StringComparison.Ordinal);
        }
    }

    private static string IdOf(string page, string address) =>
        Regex.Match(page, "data-registry-id=\"([0-9a-z]+)\"[^>]*>\\s*<td class=\"address\" data-scope=\"" + Regex.Escape(address) + "\"") is { Success: true } match
            ? match.Groups[1].Value
            : throw new Xunit.Sdk.XunitException($"No row for {address}:\n{page}");

    // The row without its forms' antiforgery tokens, which differ per page.
    private static string RowOf(string page, string id) =>
        Regex.Match(page, "<tr id=\"row-" + Regex.Escape(id) + "\".*?</tr>", RegexOptions.Singleline) is { Success: true } match
            ? Regex.Replace(match.Value, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]+\"", "token")
            : throw new Xunit.Sdk.XunitException($"No row {id}:\n{page}");
}
