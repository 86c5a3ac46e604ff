using System.Net;
using Xunit;

namespace Registries.Web.Tests;

/// <summary>The page's policy and mirror forms against requests a browser would not make: hostile values, a Member's
/// post, a removal of what is not there. Each refusal is one line on the page and nothing stored changes.</summary>
public sealed class PolicyPageHttpTests : IClassFixture<WebSample>
{
    private readonly WebSample _sample;

    /// <summary>Creates the tests over a running sample.</summary>
    /// <param name="sample">The sample.</param>
    public PolicyPageHttpTests(WebSample sample) => _sample = sample;

    [Theory]
    [InlineData("registry.example.com/team\nx", "repository path")]
    [InlineData("registry.example.com/<script>alert(1)</script>", "repository path")]
    [InlineData("https://user:Canary-Scope-5d1c@registry.example.com/team", "registry.example.com")]
    [InlineData("", "Give a scope")]
    public async Task SetRule_HostileScope_IsOneEscapedLineAndNothingIsStored(string scope, string said)
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        var page = await client.PostFormAsync("/?env=" + environment, $"/?handler=SetRule&env={environment}",
            [new("RuleEffect", "Deny"), new("RuleScope", scope)]);

        var error = ErrorOf(page);
        Assert.Contains(said, WebUtility.HtmlDecode(error), StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Canary-Scope-5d1c", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"policy\"", await client.GetAsync("/?env=" + environment), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddMirror_HugeRewriteAndUnknownEffect_AreRefusedWithoutStoringAnything()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        var huge = await client.PostFormAsync("/?env=" + environment, $"/?handler=AddMirror&env={environment}",
            [new("MirrorUpstream", "docker.io"), new("MirrorAddress", "mirror.example.com"), new("RewritePattern", new string('a', 5000)), new("RewriteReplacement", "x")]);
        var replacementOnly = await client.PostFormAsync("/?env=" + environment, $"/?handler=AddMirror&env={environment}",
            [new("MirrorUpstream", "docker.io"), new("MirrorAddress", "mirror.example.com"), new("RewriteReplacement", "x")]);
        var pattern = await client.PostFormAsync("/?env=" + environment, $"/?handler=AddMirror&env={environment}",
            [new("MirrorUpstream", "*.example.com"), new("MirrorAddress", "mirror.example.com")]);

        Assert.Contains("1024", ErrorOf(huge), StringComparison.Ordinal);
        Assert.Contains("needs its regular expression", ErrorOf(replacementOnly), StringComparison.Ordinal);
        Assert.Contains("never a host pattern", ErrorOf(pattern), StringComparison.Ordinal);
        Assert.Contains("id=\"no-mirrors\"", await client.GetAsync("/?env=" + environment), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_ListsTheRulesWeighed_AndMarksTheOneThatDecided()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));
        await client.PostFormAsync("/?env=" + environment, $"/?handler=SetRule&env={environment}", [new("RuleEffect", "Allow"), new("RuleScope", "explain.example.com")]);
        await client.PostFormAsync("/?env=" + environment, $"/?handler=SetRule&env={environment}", [new("RuleEffect", "Deny"), new("RuleScope", "explain.example.com/team/legacy")]);

        var page = await client.GetAsync($"/?env={environment}&explain=true&image={Uri.EscapeDataString("explain.example.com/team/legacy/app:1")}");

        Assert.Contains("data-outcome=\"Denied\"", page, StringComparison.Ordinal);
        Assert.Contains("<li data-effect=\"Deny\" data-scope=\"explain.example.com/team/legacy\" data-decided=\"true\">deny explain.example.com/team/legacy (decided)</li>", page, StringComparison.Ordinal);
        Assert.Contains("<li data-effect=\"Allow\" data-scope=\"explain.example.com\" data-decided=\"false\">allow explain.example.com</li>", page, StringComparison.Ordinal);
        Assert.True(page.IndexOf("data-decided=\"true\"", StringComparison.Ordinal) < page.IndexOf("data-decided=\"false\"", StringComparison.Ordinal), "The most specific rule is listed first.");

        // Cleaned up, so the other tests over the shared sample see the policy they expect.
        await client.PostFormAsync("/?env=" + environment, $"/?handler=RemoveRule&env={environment}", [new("scope", "explain.example.com/team/legacy")]);
        await client.PostFormAsync("/?env=" + environment, $"/?handler=RemoveRule&env={environment}", [new("scope", "explain.example.com")]);
        Assert.DoesNotContain("id=\"policy\"", await client.GetAsync("/?env=" + environment), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Member_SeesNoFormsAndAPostIsNotPermitted()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("member");
        var list = await client.GetAsync("/");
        var environment = SampleClient.EnvironmentOf(list);

        var page = await client.PostFormAsync("/?env=" + environment, $"/?handler=SetRule&env={environment}",
            [new("RuleEffect", "Deny"), new("RuleScope", "member.registries.test")]);

        Assert.Contains("id=\"policy-heading\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"rule-form\"", list, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"mirror-form\"", list, StringComparison.Ordinal);
        Assert.StartsWith("Not permitted", WebUtility.HtmlDecode(ErrorOf(page)), StringComparison.Ordinal);
        Assert.Contains("may not change the policy", WebUtility.HtmlDecode(ErrorOf(page)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveRuleAndMirror_NotThere_SayWhatThereIs()
    {
        using var client = new SampleClient(_sample);
        await client.SignInAsync("owner");
        var environment = SampleClient.EnvironmentOf(await client.GetAsync("/"));

        var rule = await client.PostFormAsync("/?env=" + environment, $"/?handler=RemoveRule&env={environment}", [new("scope", "absent.registries.test/team")]);
        var mirror = await client.PostFormAsync("/?env=" + environment, $"/?handler=RemoveMirror&env={environment}", [new("upstream", "docker.io"), new("mirror", "absent.registries.test")]);

        Assert.Contains("has no rule for 'absent.registries.test/team'", WebUtility.HtmlDecode(ErrorOf(rule)), StringComparison.Ordinal);
        Assert.Contains("'absent.registries.test' is not a mirror of 'docker.io'", WebUtility.HtmlDecode(ErrorOf(mirror)), StringComparison.Ordinal);
    }

    private static string ErrorOf(string page)
    {
        var start = page.IndexOf("id=\"error\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "The page shows no error:\n" + page);
        start += "id=\"error\">".Length;
        var line = page[start..page.IndexOf("</p>", start, StringComparison.Ordinal)];
        Assert.DoesNotContain('\n', line);
        return line;
    }
}
