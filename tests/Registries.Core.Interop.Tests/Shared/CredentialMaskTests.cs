using System.Net;
using System.Text;
using System.Text.Json;
using Registries.Core.Shared;

namespace Registries.Core.Interop.Tests;

/// <summary>The one masking of credentials that pull, verify and import share (src/Shared/CredentialMask.cs).</summary>
public sealed class CredentialMaskTests
{
    // ':' '/' '+' '=' '"' '\' '<' '&', a blank and non-ASCII letters: every escaping and both base64 alphabets differ on them.
    private const string User = "deployer";
    private const string Canary = "Can:ary/+=\"q\\ <&Äé€~?>ÿ";

    public static TheoryData<string> Forms()
    {
        var bytes = Encoding.UTF8.GetBytes(User + ":" + Canary);
        var data = new TheoryData<string>
        {
            Canary,
            User + ":" + Canary,
            Uri.EscapeDataString(Canary),
            Uri.EscapeDataString(Canary).ToLowerInvariant(),
            WebUtility.UrlEncode(Canary),
            JsonSerializer.Serialize(Canary)[1..^1],
            JsonSerializer.Serialize(new { username = User, password = Canary }),
            Newtonsoft(Canary),
        };
        foreach (var form in CredentialMask.Base64Forms(bytes).Concat(CredentialMask.Base64Forms(Encoding.UTF8.GetBytes(Canary))))
        {
            data.Add(form);
        }

        // The X-Registry-Auth header: the JSON document of the auth config, base64url, as Docker.DotNet and the docker CLI send it.
        foreach (var json in new[] { JsonSerializer.Serialize(new { username = User, password = Canary, serveraddress = "10.0.0.5:5000" }), "{\"username\":\"" + User + "\",\"password\":\"" + Newtonsoft(Canary) + "\",\"serveraddress\":\"x\"}" })
        {
            foreach (var form in CredentialMask.Base64Forms(Encoding.UTF8.GetBytes(json)))
            {
                data.Add(form);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Apply_EveryWireForm_IsHidden(string form)
    {
        var mask = CredentialMask.For(User, Canary);

        var masked = mask.Apply($"unauthorized: bad header {form} (from 10.0.0.5)");

        Assert.StartsWith("unauthorized: bad header ", masked, StringComparison.Ordinal);
        Assert.EndsWith("(from 10.0.0.5)", masked, StringComparison.Ordinal);
        AssertNoForm(masked);
    }

    [Fact]
    public void Apply_BasicHeaderCutShort_IsHidden()
    {
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Canary));

        var masked = CredentialMask.For(User, Canary).Apply("bad Basic " + basic[..16] + "...");

        Assert.Equal("bad Basic ***...", masked);
    }

    [Fact]
    public void Apply_TextWithoutSecret_IsUnchanged()
    {
        const string text = "Get \"https://registry.example.com:5000/v2/\": dial tcp 10.0.0.5:5000: connect: connection refused; sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

        Assert.Equal(text, CredentialMask.For(User, Canary).Apply(text));
        Assert.Equal(text, CredentialMask.None.Apply(text));
    }

    [Fact]
    public void With_Token_HidesItToo()
    {
        const string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZXBsb3llciJ9.c2lnbmF0dXJl";
        var mask = CredentialMask.For(User, Canary).With(token);

        var masked = mask.Apply("denied: token " + token + " expired, Bearer " + token);

        Assert.DoesNotContain(token, masked, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJhbGciOiJSUzI1NiJ9", masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_Null_IsEmpty() => Assert.Equal(string.Empty, CredentialMask.For(User, Canary).Apply(null));

    private static string Newtonsoft(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Asserts that no form of the canary is in a text: clear, escaped, or inside any base64 run.</summary>
    internal static void AssertNoForm(string text, string user = User, string canary = Canary)
    {
        Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Newtonsoft(canary), text, StringComparison.Ordinal);
        Assert.DoesNotContain(JsonSerializer.Serialize(canary)[1..^1], text, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(canary), text, StringComparison.OrdinalIgnoreCase);
        foreach (var form in CredentialMask.Base64Forms(Encoding.UTF8.GetBytes(user + ":" + canary)).Concat(CredentialMask.Base64Forms(Encoding.UTF8.GetBytes(canary))))
        {
            Assert.DoesNotContain(form, text, StringComparison.Ordinal);
        }

        Assert.False(CredentialMask.For(user, canary).Apply(text) != text, "a form of the canary is left in: " + text);
    }
}
