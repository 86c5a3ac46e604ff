using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>What a user does on the sample's pages, in the browser, each step waited for with a bound.</summary>
/// <param name="browser">The shared browser and sample.</param>
public sealed partial class RegistriesPage(Browser browser)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private ChromeDriver Chrome => browser.Driver;

    /// <summary>Returns the browser, for what the page object does not cover.</summary>
    /// <returns>The driver.</returns>
    public IWebDriver Driver() => browser.Driver;

    /// <summary>Gets the page's HTML as the browser has it now.</summary>
    public string Source => Chrome.PageSource;

    /// <summary>Gets the path of the page shown.</summary>
    public string Path => new Uri(Chrome.Url).AbsolutePath;

    /// <summary>Opens a page of the sample and waits until it is loaded.</summary>
    /// <param name="pathAndQuery">The page.</param>
    public void Open(string pathAndQuery)
    {
        Chrome.Navigate().GoToUrl(browser.Sample.Page(pathAndQuery));
        WaitForLoad();
    }

    /// <summary>Signs out whoever is signed in and signs in <paramref name="user"/> with its demo password.</summary>
    /// <param name="user">owner, member or readonly.</param>
    public void SignIn(string user)
    {
        Open("/Login");
        if (Chrome.FindElements(By.Id("sign-out")).Count > 0)
        {
            Submit(By.Id("sign-out"));
        }

        Type(By.Id("user"), user);
        Type(By.Id("password"), WebSample.Passwords[user]);
        Submit(By.Id("sign-in"));
        Assert.Equal(user, Chrome.FindElement(By.Id("signed-in-user")).Text);
    }

    /// <summary>Gets the id of the environment shown on the list page.</summary>
    public string EnvironmentId => Chrome.FindElement(By.Id("env")).GetDomProperty("value") ?? string.Empty;

    /// <summary>Adds a custom registry through Add Registry and returns the new entry's id.</summary>
    /// <param name="address">The address typed.</param>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <returns>The entry's id, read from the page's notice.</returns>
    public string AddCustom(string address, string email, string username, string password) => Add("custom", address, email, username, password);

    /// <summary>Adds a custom registry narrowed to a repository path through Add Registry and returns the new entry's id.</summary>
    /// <param name="address">The address typed.</param>
    /// <param name="path">The repository path typed.</param>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <returns>The entry's id, read from the page's notice.</returns>
    public string AddCustom(string address, string path, string email, string username, string password) => Add("custom", address, email, username, password, path);

    /// <summary>Adds a registry of one of the three kinds through Add Registry and returns the new entry's id.</summary>
    /// <param name="kind">dockerhub, quay or custom.</param>
    /// <param name="address">The address typed (a custom registry's), or <see langword="null"/>.</param>
    /// <param name="email">The e-mail address.</param>
    /// <param name="username">The username.</param>
    /// <param name="password">The password.</param>
    /// <returns>The entry's id, read from the page's notice.</returns>
    /// <param name="path">The repository path typed, or <see langword="null"/> for the whole registry.</param>
    public string Add(string kind, string? address, string email, string username, string password, string? path = null)
    {
        Submit(By.Id("add-registry"));
        Assert.Equal("/Add", Path);
        Chrome.FindElement(By.Id("kind-" + kind)).Click();
        if (address is not null)
        {
            Type(By.Id("address"), address);
        }

        if (path is not null)
        {
            Type(By.Id("path"), path);
        }

        Type(By.Id("email"), email);
        Type(By.Id("username"), username);
        Type(By.Id("password"), password);
        Submit(By.Id("create"));
        var notice = Text("notice");
        var match = EntryId().Match(notice);
        Assert.True(match.Success, $"No entry id in the notice '{notice}'. Error: '{OptionalText("error")}'.");
        return match.Groups[1].Value;
    }

    /// <summary>Opens an entry's row menu with the mouse and presses one of its buttons.</summary>
    /// <param name="action">deactivate, activate or delete.</param>
    /// <param name="registryId">The entry.</param>
    public void RowAction(string action, string registryId)
    {
        OpenMenu(registryId);
        Submit(By.Id($"{action}-{registryId}"));
    }

    /// <summary>Opens an entry's row menu.</summary>
    /// <param name="registryId">The entry.</param>
    public void OpenMenu(string registryId)
    {
        var menu = Chrome.FindElement(By.Id("menu-" + registryId));
        if (menu.FindElement(By.XPath("..")).GetDomProperty("open") != "True")
        {
            menu.Click();
        }
    }

    /// <summary>Gets the labels of the actions the row menu of an entry offers.</summary>
    /// <param name="registryId">The entry.</param>
    /// <returns>The buttons' and links' texts.</returns>
    public IReadOnlyList<string> MenuActions(string registryId)
    {
        OpenMenu(registryId);
        return [.. Row(registryId).FindElements(By.CssSelector(".menu-items button, .menu-items a")).Select(e => e.Text)];
    }

    /// <summary>Gets a cell of an entry's row: address, kind, state, username, email or used.</summary>
    /// <param name="registryId">The entry.</param>
    /// <param name="column">The cell's class.</param>
    /// <returns>Its text.</returns>
    public string Cell(string registryId, string column) => Row(registryId).FindElement(By.ClassName(column)).Text;

    /// <summary>Gets an entry's row.</summary>
    /// <param name="registryId">The entry.</param>
    /// <returns>The row.</returns>
    public IWebElement Row(string registryId) => Chrome.FindElement(By.Id("row-" + registryId));

    /// <summary>Gets a value indicating whether the list shows the entry.</summary>
    /// <param name="registryId">The entry.</param>
    /// <returns><see langword="true"/> when its row is there.</returns>
    public bool HasRow(string registryId) => Chrome.FindElements(By.Id("row-" + registryId)).Count > 0;

    /// <summary>Resolves an image in the resolve box and returns the outcome and the line shown.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The outcome (Authenticated, Anonymous, Denied) and the line.</returns>
    public (string Outcome, string Line) Resolve(string image)
    {
        Type(By.Id("image"), image);
        Submit(By.Id("resolve"));
        var resolution = Chrome.FindElements(By.Id("resolution"));
        Assert.True(resolution.Count == 1, $"No resolution shown. Error: '{OptionalText("error")}'.");
        return (resolution[0].GetDomAttribute("data-outcome") ?? string.Empty, resolution[0].Text);
    }

    /// <summary>Resolves an image in the resolve box with Explain ticked and returns the answer and every candidate's verdict.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The outcome, the line, and the verdict of each candidate entry by id.</returns>
    public (string Outcome, string Line, IReadOnlyDictionary<string, string> Verdicts) Explain(string image)
    {
        Type(By.Id("image"), image);
        var explain = Chrome.FindElement(By.Id("explain"));
        if (!explain.Selected)
        {
            explain.Click();
        }

        Submit(By.Id("resolve"));
        var resolution = Chrome.FindElements(By.Id("resolution"));
        Assert.True(resolution.Count == 1, $"No resolution shown. Error: '{OptionalText("error")}'.");
        var verdicts = Chrome.FindElements(By.CssSelector("#explanation tbody tr"))
            .ToDictionary(row => row.GetDomAttribute("data-registry-id") ?? string.Empty, row => row.GetDomAttribute("data-verdict") ?? string.Empty);
        return (resolution[0].GetDomAttribute("data-outcome") ?? string.Empty, resolution[0].Text, verdicts);
    }

    /// <summary>Sets a policy rule through the page's rule form (an Owner's) and returns the notice or the error shown.</summary>
    /// <param name="effect">Allow or Deny.</param>
    /// <param name="scope">The scope typed.</param>
    /// <param name="digestOnly">Whether Digest only is ticked.</param>
    /// <returns>The notice, or the error when the page refused it.</returns>
    public string SetRule(string effect, string scope, bool digestOnly = false)
    {
        Chrome.FindElement(By.CssSelector($"#rule-effect option[value='{effect}']")).Click();
        Type(By.Id("rule-scope"), scope);
        Tick(By.Id("rule-digest-only"), digestOnly);
        Submit(By.Id("set-rule"));
        return OptionalText("notice") ?? OptionalText("error") ?? string.Empty;
    }

    /// <summary>Adds a mirror through the page's mirror form (an Owner's) and returns the notice or the error shown.</summary>
    /// <param name="upstream">The upstream typed.</param>
    /// <param name="mirror">The mirror's address typed.</param>
    /// <param name="pattern">The rewrite's expression typed, or <see langword="null"/>.</param>
    /// <param name="replacement">The rewrite's replacement typed, or <see langword="null"/>.</param>
    /// <param name="mirrorOnly">Whether Mirror only is ticked.</param>
    /// <returns>The notice, or the error when the page refused it.</returns>
    public string AddMirror(string upstream, string mirror, string? pattern = null, string? replacement = null, bool mirrorOnly = false)
    {
        Type(By.Id("mirror-upstream"), upstream);
        Type(By.Id("mirror-address"), mirror);
        Type(By.Id("rewrite-pattern"), pattern ?? string.Empty);
        Type(By.Id("rewrite-replacement"), replacement ?? string.Empty);
        Tick(By.Id("mirror-only"), mirrorOnly);
        Submit(By.Id("add-mirror"));
        return OptionalText("notice") ?? OptionalText("error") ?? string.Empty;
    }

    /// <summary>Gets the policy's rows as the page shows them: effect, scope and digest-only, in order.</summary>
    /// <returns>One line per rule: <c>Deny registry.example.com/team No</c>.</returns>
    public IReadOnlyList<string> Rules()
        => [.. Chrome.FindElements(By.CssSelector("#policy tbody tr")).Select(row =>
            $"{row.FindElement(By.ClassName("effect")).Text} {row.FindElement(By.ClassName("scope")).Text} {row.GetDomAttribute("data-digest-only")}")];

    /// <summary>Gets the mirrors' rows as the page shows them, per upstream in order.</summary>
    /// <returns>One line per mirror: <c>upstream #n mirror rewrite mirror-only</c>.</returns>
    public IReadOnlyList<string> MirrorRows()
        => [.. Chrome.FindElements(By.CssSelector("#mirrors tbody tr[data-mirror]")).Select(row =>
            $"{row.FindElement(By.ClassName("upstream")).Text} #{row.FindElement(By.ClassName("order")).Text} {row.FindElement(By.ClassName("mirror")).Text} {row.FindElement(By.ClassName("rewrite")).Text} {row.GetDomAttribute("data-mirror-only")}")];

    /// <summary>Presses the Remove button of the policy's rule of a scope.</summary>
    /// <param name="scope">The rule's scope as the page shows it.</param>
    public void RemoveRule(string scope)
    {
        var row = Chrome.FindElements(By.CssSelector("#policy tbody tr")).Single(r => r.GetDomAttribute("data-scope") == scope);
        Submit(By.Id(row.FindElement(By.CssSelector("button")).GetDomAttribute("id")!));
    }

    /// <summary>Presses the Remove button of a mirror.</summary>
    /// <param name="upstream">The upstream as the page shows it.</param>
    /// <param name="mirror">The mirror's address as the page shows it.</param>
    public void RemoveMirror(string upstream, string mirror)
    {
        var row = Chrome.FindElements(By.CssSelector("#mirrors tbody tr[data-mirror]")).Single(r => r.GetDomAttribute("data-upstream") == upstream && r.GetDomAttribute("data-mirror") == mirror);
        Submit(By.Id(row.FindElement(By.CssSelector("button")).GetDomAttribute("id")!));
    }

    /// <summary>Ticks or unticks a checkbox.</summary>
    /// <param name="by">The checkbox.</param>
    /// <param name="ticked">Whether it ends ticked.</param>
    public void Tick(By by, bool ticked)
    {
        var box = Chrome.FindElement(by);
        if (box.Selected != ticked)
        {
            box.Click();
        }
    }

    /// <summary>Replaces the text of an input.</summary>
    /// <param name="by">The input.</param>
    /// <param name="text">The text.</param>
    public void Type(By by, string text)
    {
        var input = Chrome.FindElement(by);
        input.Clear();
        input.SendKeys(text);
    }

    /// <summary>Clicks an element that leads to another page and waits until that page is loaded.</summary>
    /// <param name="by">The button or link.</param>
    public void Submit(By by)
    {
        var element = Chrome.FindElement(by);
        var page = Chrome.FindElement(By.TagName("html"));
        element.Click();
        WaitForNewPage(page);
    }

    /// <summary>Waits until the page <paramref name="old"/> is replaced by a loaded one.</summary>
    /// <param name="old">The root element of the page that was shown.</param>
    public void WaitForNewPage(IWebElement old)
    {
        WaitUntil(() =>
        {
            try
            {
                _ = old.TagName;
                return false;
            }
            catch (StaleElementReferenceException)
            {
                return true;
            }
            catch (UnknownErrorException e) when (e.Message.Contains("does not belong to the document", StringComparison.Ordinal))
            {
                // chromedriver's other way of saying stale, met when the old page is torn down mid-call.
                return true;
            }
        }, "the next page");
        WaitForLoad();
    }

    /// <summary>Gets the text of an element by id.</summary>
    /// <param name="id">The element's id.</param>
    /// <returns>Its text.</returns>
    public string Text(string id) => Chrome.FindElement(By.Id(id)).Text;

    /// <summary>Gets the text of an element by id, or <see langword="null"/> when the page has none.</summary>
    /// <param name="id">The element's id.</param>
    /// <returns>Its text, or <see langword="null"/>.</returns>
    public string? OptionalText(string id) => Chrome.FindElements(By.Id(id)) is { Count: > 0 } found ? found[0].Text : null;

    /// <summary>Runs a script in the page.</summary>
    /// <param name="script">The script; <c>return</c> gives its result.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>What it returned.</returns>
    public object? Script(string script, params object[] arguments) => Chrome.ExecuteScript(script, arguments);

    /// <summary>Saves a screenshot of the page under <see cref="Browser.ScreenshotDirectory"/>.</summary>
    /// <param name="name">The file's name, without <c>.png</c>.</param>
    /// <returns>The file's path.</returns>
    public string Screenshot(string name)
    {
        var path = System.IO.Path.Combine(Browser.ScreenshotDirectory, name + ".png");
        Chrome.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>Waits, at most 20 seconds, until <paramref name="condition"/> holds.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is waited for, for the failure message.</param>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {Bound.TotalSeconds} s for {what}.");
            }

            Thread.Sleep(50);
        }
    }

    private void WaitForLoad() =>
        WaitUntil(() => Equals(Chrome.ExecuteScript("return document.readyState"), "complete"), "the page to load");

    [GeneratedRegex(@"\(entry (\S+?)\)")]
    private static partial Regex EntryId();
}
