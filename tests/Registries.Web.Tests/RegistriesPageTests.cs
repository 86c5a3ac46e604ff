using OpenQA.Selenium;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>The seed's story on the Registries page, in a real headless chromium against the running sample.</summary>
/// <remarks>Each test uses addresses of its own in the one seeded environment, so their order does not matter.</remarks>
[Trait("Category", "Integration")]
public sealed class RegistriesPageTests : IClassFixture<Browser>
{
    // Registry passwords that must never reach a page: not in a value, not in a notice, not anywhere in the HTML.
    private const string FirstCanary = "Canary-First-7f3a9c01";
    private const string SecondCanary = "Canary-Second-2b8e44d7";
    private const string EditedCanary = "Canary-Edited-91c0aa5e";

    private readonly RegistriesPage _page;

    /// <summary>Creates the tests over the shared browser.</summary>
    /// <param name="browser">The browser and sample.</param>
    public RegistriesPageTests(Browser browser) => _page = new RegistriesPage(browser);

    [Fact]
    public void SeedStory_AddOverrideDeactivateActivateEditDelete_ThePageShowsEachRule()
    {
        const string Address = "story.registries.test:5000";
        const string Image = Address + "/team/app:1.0";

        // Add a custom registry: it is the effective one for its address.
        _page.SignIn("owner");
        Assert.Equal("Owner", _page.Text("role"));
        var first = _page.AddCustom(Address, "alice@example.com", "alice", FirstCanary);
        Assert.Equal(("Active", "Effective", "Custom", "alice", "alice@example.com"),
            (_page.Cell(first, "state"), _page.Cell(first, "used"), _page.Cell(first, "kind"), _page.Cell(first, "username"), _page.Cell(first, "email")));
        Assert.Equal(Address, _page.Cell(first, "address"));
        var (outcome, line) = _page.Resolve(Image);
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as alice", line, StringComparison.Ordinal);
        Step("01-added-custom-registry");

        // A Member adds a second credential for the same address: the new one is used, the first is overridden.
        _page.SignIn("member");
        var second = _page.AddCustom(Address, "bob@example.com", "bob", SecondCanary);
        Assert.Equal(("Active", "Effective"), (_page.Cell(second, "state"), _page.Cell(second, "used")));
        Assert.Equal(("Active", "Overridden"), (_page.Cell(first, "state"), _page.Cell(first, "used")));
        (outcome, line) = _page.Resolve(Image);
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as bob", line, StringComparison.Ordinal);
        Step("02-second-credential-overrides-the-first");

        // Deactivate the effective entry: pulls from the address are denied, with no fallback to the overridden one.
        Assert.Equal(["Deactivate", "Edit"], _page.MenuActions(second));
        _page.RowAction("deactivate", second);
        Assert.Contains("Deactivated", _page.Text("notice"), StringComparison.Ordinal);
        Assert.Equal(("Inactive", "Effective (pulls denied)"), (_page.Cell(second, "state"), _page.Cell(second, "used")));
        (outcome, line) = _page.Resolve(Image);
        Assert.Equal("Denied", outcome);
        Assert.Contains("is inactive", line, StringComparison.Ordinal);
        Step("03-deactivated-resolve-denied");

        // Another member (the Owner) activates it again, without being asked for its password.
        _page.SignIn("owner");
        Assert.Equal(["Activate", "Delete", "Edit"], _page.MenuActions(second));
        _page.RowAction("activate", second);
        Assert.Equal(("Active", "Effective"), (_page.Cell(second, "state"), _page.Cell(second, "used")));
        Assert.DoesNotContain("type=\"password\"", _page.Source, StringComparison.Ordinal);
        (outcome, line) = _page.Resolve(Image);
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as bob", line, StringComparison.Ordinal);
        Step("04-activated-by-another-member");

        // Edit: the address is read-only, the kind preselected, the password field empty; an empty password is refused
        // with the line that says what to fix (not required in the browser, so the kind can change to one without it).
        _page.OpenMenu(second);
        _page.Submit(By.Id("edit-" + second));
        Assert.Equal("/Edit", _page.Path);
        Assert.Equal((Address, "true"), (_page.Script("return document.getElementById('address').value") as string, _page.Script("return String(document.getElementById('address').readOnly)") as string));
        Assert.Equal("bob", _page.Script("return document.getElementById('username').value"));
        Assert.Equal(string.Empty, _page.Script("return document.getElementById('password').value"));
        Assert.Equal(true, _page.Script("return document.getElementById('source-stored').checked"));
        Assert.Equal("new-password", _page.Script("return document.getElementById('password').getAttribute('autocomplete')"));
        Assert.Null(_page.Script("return document.getElementById('password').getAttribute('value')"));
        Step("05-edit-form-empty-password");
        _page.Submit(By.Id("save"));
        Assert.Equal("/Edit", _page.Path);
        Assert.StartsWith("A password is required", _page.Text("error"), StringComparison.Ordinal);
        _page.Type(By.Id("username"), "bob2");
        _page.Type(By.Id("password"), EditedCanary);
        _page.Submit(By.Id("save"));
        Assert.Equal("/", _page.Path);
        Assert.Equal(("bob2", "Active", "Effective"), (_page.Cell(second, "username"), _page.Cell(second, "state"), _page.Cell(second, "used")));
        Step("06-edited");

        // Delete only from Inactive: the active first entry offers no Delete; deactivated, it can be deleted.
        Assert.Equal(["Deactivate", "Edit"], _page.MenuActions(first));
        _page.RowAction("deactivate", first);
        Assert.Equal("Inactive", _page.Cell(first, "state"));
        _page.RowAction("delete", first);
        Assert.Contains("Deleted", _page.Text("notice"), StringComparison.Ordinal);
        Assert.False(_page.HasRow(first));
        Assert.True(_page.HasRow(second));
        Assert.NotNull(_page.OptionalText("removed-count"));
        Step("07-deleted-from-inactive");
    }

    [Fact]
    public void ScopeStory_TeamPathBesideTheHostEntry_TheMostSpecificScopeDecidesAndTheExplanationSaysWhy()
    {
        const string Address = "scopes.registries.test:5000";

        // The host entry and a `team` entry beside it: each is the effective one of its own scope.
        _page.SignIn("owner");
        var host = _page.AddCustom(Address, "host@example.com", "host-user", FirstCanary);
        var team = _page.AddCustom(Address, "team", "team@example.com", "team-robot", SecondCanary);
        Assert.Contains($"Added {Address}/team", _page.Text("notice"), StringComparison.Ordinal);
        Assert.Equal((Address, Address + "/team"), (_page.Cell(host, "address"), _page.Cell(team, "address")));
        Assert.Equal(("Effective", "Effective"), (_page.Cell(host, "used"), _page.Cell(team, "used")));
        Step("13-team-path-beside-the-host-entry");

        // REGISTRY/team/app: the team entry decides, the host entry is less specific.
        var (outcome, line, verdicts) = _page.Explain(Address + "/team/app");
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as team-robot", line, StringComparison.Ordinal);
        Assert.Contains($"scope {Address}/team", line, StringComparison.Ordinal);
        Assert.Equal("effective", verdicts[team]);
        Assert.Equal("less-specific", verdicts[host]);
        ShowExplanation();
        Step("14-explain-team-image");

        // REGISTRY/team-b/app: paths match on '/' boundaries, so the host entry decides.
        (outcome, line, verdicts) = _page.Explain(Address + "/team-b/app");
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as host-user", line, StringComparison.Ordinal);
        Assert.Equal("effective", verdicts[host]);
        Assert.Equal("path-did-not-match", verdicts[team]);
        ShowExplanation();
        Step("15-explain-team-b-image");

        // A ReadOnly member may not resolve, but may read the explanation (it holds no password).
        _page.SignIn("readonly");
        (outcome, _, verdicts) = _page.Explain(Address + "/team/app");
        Assert.Equal("Authenticated", outcome);
        Assert.Equal("effective", verdicts[team]);
        ShowExplanation();
        Step("16-explain-as-readonly");
    }

    [Fact]
    public void AddRegistry_HostPatternAndABadPath_ArePatternEntryAndOneLineError()
    {
        _page.SignIn("owner");
        _page.Submit(By.Id("add-registry"));
        Assert.Contains("*.corp.example", _page.Text("address-hint"), StringComparison.Ordinal);
        Assert.Equal("team or team/sub; leave empty for the whole registry. A path entry is used for the images under that path only (team/app, not team-b/app).", _page.Text("path-hint"));
        Assert.Equal("Repository path (optional)", _page.Text("path-label"));
        _page.Open("/");

        var pattern = _page.AddCustom("*.pattern.registries.test", "corp@example.com", "corp", FirstCanary);
        Assert.Equal(("*.pattern.registries.test", "Custom", "Effective"), (_page.Cell(pattern, "address"), _page.Cell(pattern, "kind"), _page.Cell(pattern, "used")));
        var (outcome, line) = _page.Resolve("eu.pattern.registries.test/app:1");
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("as corp", line, StringComparison.Ordinal);

        _page.Submit(By.Id("add-registry"));
        _page.Driver().FindElement(By.Id("kind-custom")).Click();
        _page.Type(By.Id("address"), "path.registries.test");
        _page.Type(By.Id("path"), "team//sub");
        _page.Type(By.Id("email"), "p@example.com");
        _page.Type(By.Id("username"), "p");
        _page.Type(By.Id("password"), EditedCanary);
        _page.Submit(By.Id("create"));
        Assert.Contains("repository path", _page.Text("error"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _page.Script("return document.getElementById('password').value"));
        Step("17-host-pattern-and-bad-path");
    }

    [Fact]
    public void ReadOnly_SeesTheListWithoutActions_AndAForgedPostIsRefused()
    {
        _page.SignIn("owner");
        var id = _page.AddCustom("readonly.registries.test", "ro@example.com", "ro-user", FirstCanary);
        var environment = _page.EnvironmentId;

        _page.SignIn("readonly");
        Assert.Equal("ReadOnly", _page.Text("role"));
        Assert.Equal("Active", _page.Cell(id, "state"));
        Assert.Empty(_page.Driver().FindElements(By.Id("add-registry")));
        Assert.Empty(_page.Driver().FindElements(By.CssSelector("details.menu, td.actions")));
        Assert.DoesNotContain("Actions", _page.Text("registries"), StringComparison.Ordinal);
        Step("08-readonly-list");

        // A POST made by hand, with a valid antiforgery token (the sign-out form's), is refused by the library's rules.
        var page = _page.Driver().FindElement(By.TagName("html"));
        _page.Script(
            """
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/?handler=Deactivate&env=' + encodeURIComponent(arguments[0]);
            for (const [name, value] of [['id', arguments[1]], ['__RequestVerificationToken', document.querySelector('input[name=__RequestVerificationToken]').value]]) {
              const input = document.createElement('input');
              input.type = 'hidden'; input.name = name; input.value = value;
              form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
            """,
            environment,
            id);
        _page.WaitForNewPage(page);
        Assert.StartsWith("Not permitted", _page.Text("error"), StringComparison.Ordinal);
        Assert.Equal("Active", _page.Cell(id, "state"));

        _page.Open("/Add?env=" + environment);
        Assert.StartsWith("Not permitted", _page.Text("error"), StringComparison.Ordinal);
        Assert.Empty(_page.Driver().FindElements(By.Id("create")));
        Step("09-readonly-add-refused");
    }

    [Fact]
    public void Keyboard_TabReachesTheRowMenu_AndEnterUsesIt()
    {
        _page.SignIn("owner");
        var id = _page.AddCustom("keyboard.registries.test:443", "kb@example.com", "kb-user", FirstCanary);

        _page.Script("document.activeElement.blur(); window.scrollTo(0, 0);");
        var reached = false;
        for (var i = 0; i < 60 && !reached; i++)
        {
            new OpenQA.Selenium.Interactions.Actions(_page.Driver()).SendKeys(Keys.Tab).Perform();
            reached = Equals(_page.Script("return document.activeElement.id"), "menu-" + id);
        }

        Assert.True(reached, "Tab never reached the row menu.");
        new OpenQA.Selenium.Interactions.Actions(_page.Driver()).SendKeys(Keys.Enter).Perform();
        RegistriesPage.WaitUntil(() => Equals(_page.Script("return document.getElementById(arguments[0]).parentElement.open", "menu-" + id), true), "the menu to open");
        new OpenQA.Selenium.Interactions.Actions(_page.Driver()).SendKeys(Keys.Tab).Perform();
        Assert.Equal("deactivate-" + id, _page.Script("return document.activeElement.id"));
        Step("10-keyboard-menu-open");

        var page = _page.Driver().FindElement(By.TagName("html"));
        new OpenQA.Selenium.Interactions.Actions(_page.Driver()).SendKeys(Keys.Enter).Perform();
        _page.WaitForNewPage(page);
        Assert.Equal("Inactive", _page.Cell(id, "state"));
    }

    [Fact]
    public void EveryPage_InputsHaveLabels_AndFormsCarryAntiforgeryTokens()
    {
        _page.Open("/Login");
        if (_page.Driver().FindElements(By.Id("sign-out")).Count > 0)
        {
            _page.Submit(By.Id("sign-out"));
        }

        AssertAccessible("login");
        _page.SignIn("owner");
        var id = _page.AddCustom("labels.registries.test", "labels@example.com", "labels-user", FirstCanary);
        AssertAccessible("list");
        var environment = _page.EnvironmentId;
        _page.Submit(By.Id("add-registry"));
        AssertAccessible("add");
        _page.Open($"/Edit?env={environment}&id={id}");
        AssertAccessible("edit");
    }

    [Fact]
    public void Errors_ShowAsOneLineThatSaysWhatToFix_NeverAStackTrace()
    {
        _page.SignIn("owner");
        var environment = _page.EnvironmentId;

        _page.Submit(By.Id("add-registry"));
        _page.Driver().FindElement(By.Id("kind-custom")).Click();
        _page.Type(By.Id("address"), "https://bad.registries.test:5000");
        _page.Type(By.Id("email"), "bad@example.com");
        _page.Type(By.Id("username"), "bad");
        _page.Type(By.Id("password"), FirstCanary);
        _page.Submit(By.Id("create"));
        Assert.Contains("bad.registries.test:5000", _page.Text("error"), StringComparison.Ordinal);
        Assert.Contains("https://", _page.Text("error"), StringComparison.Ordinal);
        Assert.Equal(string.Empty, _page.Script("return document.getElementById('password').value"));
        Step("11-bad-address");

        _page.Open($"/Edit?env={environment}&id=no-such-entry");
        Assert.StartsWith("Not found", _page.Text("error"), StringComparison.Ordinal);
        AssertNoStackTrace();

        _page.Open("/?env=no-such-environment");
        Assert.StartsWith("Not found", _page.Text("error"), StringComparison.Ordinal);
        AssertNoStackTrace();

        _page.Open($"/?env={environment}&image=Upper/Case");
        Assert.NotNull(_page.OptionalText("error"));
        AssertNoStackTrace();

        _page.Open("/no-such-page");
        Assert.Equal("No such page.", _page.Text("error"));
        AssertNoStackTrace();
    }

    [Fact]
    public void AddRegistry_DockerHubAndQuay_UseTheirFixedAddresses_AndCustomShowsTheSeedsHint()
    {
        _page.SignIn("owner");
        _page.Submit(By.Id("add-registry"));
        Assert.Equal("true", _page.Script("return String(document.getElementById('kind-dockerhub').checked)") as string);
        Assert.Contains("Do not prefix it with http:// or https://", _page.Text("address-hint"), StringComparison.Ordinal);
        _page.Open("/");

        var hub = _page.Add("dockerhub", null, "hub@example.com", "hub-user", FirstCanary);
        Assert.Equal(("docker.io", "Docker Hub"), (_page.Cell(hub, "address"), _page.Cell(hub, "kind")));
        var quay = _page.Add("quay", null, "quay@example.com", "quay-user", SecondCanary);
        Assert.Equal(("quay.io", "Quay.io"), (_page.Cell(quay, "address"), _page.Cell(quay, "kind")));
        var (outcome, line) = _page.Resolve("ubuntu:22.04");
        Assert.Equal("Authenticated", outcome);
        Assert.Contains("docker.io/library/ubuntu:22.04", line, StringComparison.Ordinal);
        Step("12-docker-hub-and-quay");

        // Custom without an address says what to give.
        _page.Submit(By.Id("add-registry"));
        _page.Driver().FindElement(By.Id("kind-custom")).Click();
        _page.Type(By.Id("email"), "none@example.com");
        _page.Type(By.Id("username"), "none");
        _page.Type(By.Id("password"), EditedCanary);
        _page.Submit(By.Id("create"));
        Assert.StartsWith("A Custom registry needs its address", _page.Text("error"), StringComparison.Ordinal);
        AssertNoCanary();
    }

    [Fact]
    public void Resolve_AnAddressWithoutRegistry_IsAnonymous()
    {
        _page.SignIn("member");
        var (outcome, line) = _page.Resolve("unconfigured.registries.test/team/app:2.0");
        Assert.Equal("Anonymous", outcome);
        Assert.Contains("unconfigured.registries.test", line, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyAndMirrors_OwnerAddsADenyRuleAndAMirror_ReadOnlySeesThemWithoutForms()
    {
        // Addresses of this test's own: a deny rule and a mirror change nothing for the other tests' images.
        const string Scope = "blocked.registries.test/team";
        const string Upstream = "upstream.registries.test:5000";
        const string Mirror = "mirror.registries.test:5000";

        _page.SignIn("owner");
        Assert.Empty(_page.Rules());
        Assert.NotNull(_page.OptionalText("no-mirrors"));

        // A deny rule, then bad input: the library's one-line messages, the form kept as typed, nothing stored.
        Assert.Equal($"Set the rule deny {Scope}.", _page.SetRule("Deny", Scope));
        Assert.Equal([$"Deny {Scope} false"], _page.Rules());
        var error = _page.SetRule("Deny", "https://blocked.registries.test/team-b");
        Assert.Contains("blocked.registries.test", error, StringComparison.Ordinal);
        Assert.Contains("https://", error, StringComparison.Ordinal);
        Assert.Equal("https://blocked.registries.test/team-b", _page.Script("return document.getElementById('rule-scope').value"));
        Assert.Contains("only an allow rule can be digest-only", _page.SetRule("Deny", "blocked.registries.test/other", digestOnly: true), StringComparison.Ordinal);
        Assert.Equal([$"Deny {Scope} false"], _page.Rules());
        _page.Script("document.getElementById('policy-heading').scrollIntoView();");
        Step("18-policy-deny-rule");

        // A mirror with a rewrite, mirror-only; a rewrite RE2 cannot run is refused with the library's message.
        Assert.Contains("(a)", _page.AddMirror(Upstream, "other-mirror.registries.test", "(a)\\1", "x"), StringComparison.Ordinal);
        Assert.NotNull(_page.OptionalText("no-mirrors"));
        Assert.StartsWith("Added the mirror", _page.AddMirror(Upstream, Mirror, "^library/(.*)", "cache/$1", mirrorOnly: true), StringComparison.Ordinal);
        Assert.Equal([$"{Upstream} #1 {Mirror} ^library/(.*) → cache/$1 true"], _page.MirrorRows());
        Assert.Contains($"never {Upstream} itself", _page.Text("mirrors"), StringComparison.Ordinal);
        _page.Script("document.getElementById('policy-heading').scrollIntoView();");
        Step("19-mirror-with-rewrite");

        // Resolution: the deny rule decides before any credential; a mirrored image names where it would come from.
        var (outcome, line) = _page.Resolve("blocked.registries.test/team/app:1");
        Assert.Equal("Denied", outcome);
        Assert.Contains(Scope, line, StringComparison.Ordinal);
        (outcome, _) = _page.Resolve(Upstream + "/library/app:1");
        Assert.Equal("Anonymous", outcome);
        Assert.Contains($"{Mirror}/cache/app:1 (mirror)", _page.Text("pulled-through"), StringComparison.Ordinal);
        _page.Script("document.getElementById('pulled-through').scrollIntoView({ block: 'end' });");
        Step("20-resolve-through-the-mirror");

        // A ReadOnly member reads the policy and the mirrors, and gets no form and no Remove button.
        _page.SignIn("readonly");
        var environment = _page.EnvironmentId;
        Assert.Equal([$"Deny {Scope} false"], _page.Rules());
        Assert.Equal([$"{Upstream} #1 {Mirror} ^library/(.*) → cache/$1 true"], _page.MirrorRows());
        Assert.Empty(_page.Driver().FindElements(By.CssSelector("#rule-form, #mirror-form, [id^=remove-rule-], [id^=remove-mirror-], #policy td.actions, #mirrors td.actions")));
        _page.Script("document.getElementById('policy-heading').scrollIntoView();");
        Step("21-readonly-reads-policy-and-mirrors");

        // A removal posted by hand with a valid antiforgery token is refused by the library's rules.
        var page = _page.Driver().FindElement(By.TagName("html"));
        _page.Script(
            """
            const form = document.createElement('form');
            form.method = 'post';
            form.action = '/?handler=RemoveRule&env=' + encodeURIComponent(arguments[0]);
            for (const [name, value] of [['scope', arguments[1]], ['__RequestVerificationToken', document.querySelector('input[name=__RequestVerificationToken]').value]]) {
              const input = document.createElement('input');
              input.type = 'hidden'; input.name = name; input.value = value;
              form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
            """,
            environment,
            Scope);
        _page.WaitForNewPage(page);
        Assert.StartsWith("Not permitted", _page.Text("error"), StringComparison.Ordinal);
        Assert.Equal([$"Deny {Scope} false"], _page.Rules());

        // The Owner removes both: the page is as it was.
        _page.SignIn("owner");
        _page.RemoveRule(Scope);
        Assert.Equal($"Removed the rule of {Scope}.", _page.Text("notice"));
        _page.RemoveMirror(Upstream, Mirror);
        Assert.Equal($"Removed the mirror {Mirror} of {Upstream}.", _page.Text("notice"));
        Assert.Empty(_page.Rules());
        Assert.NotNull(_page.OptionalText("no-mirrors"));
    }

    // After each step of a story: a screenshot under the test results, and no password anywhere in the page.
    private void Step(string name)
    {
        AssertNoCanary();
        _page.Screenshot(name);
    }

    // The explanation is below the list: scrolled into the screenshot's view.
    private void ShowExplanation() => _page.Script("document.getElementById('explanation').scrollIntoView({ block: 'end' });");

    private void AssertNoCanary()
    {
        var source = _page.Source;
        foreach (var canary in new[] { FirstCanary, SecondCanary, EditedCanary })
        {
            Assert.DoesNotContain(canary, source, StringComparison.Ordinal);
        }
    }

    private void AssertNoStackTrace()
    {
        var source = _page.Source;
        Assert.DoesNotContain("Exception", source, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Registries.", source, StringComparison.Ordinal);
        Assert.DoesNotContain(".cs:line", source, StringComparison.Ordinal);
        AssertNoCanary();
    }

    private void AssertAccessible(string page)
    {
        // Every visible input, select and text area has a label (for=id) or an aria-label; every button and link has text.
        var unlabelled = _page.Script(
            """
            const bad = [];
            for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
              const labelled = (e.id && document.querySelector('label[for="' + e.id + '"]')) || e.getAttribute('aria-label');
              if (!labelled) bad.push(e.outerHTML);
            }
            for (const e of document.querySelectorAll('button, a, summary')) {
              if (!(e.textContent.trim() || e.getAttribute('aria-label'))) bad.push(e.outerHTML);
            }
            return bad.join('\n');
            """) as string;
        Assert.True(string.IsNullOrEmpty(unlabelled), $"On the {page} page, without a label or text:\n{unlabelled}");

        var tokenless = _page.Script(
            "return [...document.querySelectorAll('form[method=post]')].filter(f => !f.querySelector('input[name=__RequestVerificationToken]')).map(f => f.outerHTML).join('\\n');") as string;
        Assert.True(string.IsNullOrEmpty(tokenless), $"On the {page} page, a POST form without an antiforgery token:\n{tokenless}");
        AssertNoCanary();
    }
}
