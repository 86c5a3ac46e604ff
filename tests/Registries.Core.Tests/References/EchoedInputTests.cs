using System.Globalization;
using System.Text;
using CsCheck;
using Registries.Core;

namespace Registries.Core.Tests.References;

// What the two parsers' messages echo of their input: never any part of a user info, never a character that can hide
// or rewrite text on a terminal, never a whole huge input.
[Collection(ReferencesCollection.Name)]
public sealed class EchoedInputTests
{
    private const string User = "canaryuser";
    private const string Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // Passwords that break naive user-info parsing: '/', '@', ':', '?', '#', blanks, non-ASCII, "://".
    public static TheoryData<string> CanaryPasswords =>
    [
        "Hunter2", "pa/ss", "p@ss@wd", "pa:ss:wd", "wh?at=1", "ha#sh", "with space", "p\u00e4ssw\u00f6rd\u20ac",
        "sl/a@sh:c?o#l n\u00e9", "a://b", "/leading", "trailing@", "@", "12/34", "x@sha256:" + Hex64,
    ];

    public static TheoryData<string, string> CanaryImageTemplates => new()
    {
        // template ({0} is the password), the corrected form the message must show
        { "https://" + User + ":{0}@host.example.com/app", "use 'host.example.com/app'" },
        { "https://" + User + ":{0}@registry.example.com:5000/team/app:1.0@sha256:" + Hex64, "use 'registry.example.com:5000/team/app:1.0@sha256:" + Hex64 + "'" },
        { User + ":{0}@registry.example.com/team/app", "use 'registry.example.com/team/app'" },
        { User + ":{0}@registry.example.com:5000/team/app@sha256:" + Hex64, "use 'registry.example.com:5000/team/app@sha256:" + Hex64 + "'" },
        { "http://" + User + ":{0}@[::1]:5000", "looks like a registry address without a repository" },
        { "https://" + User + ":{0}@Host.example.com/App", "use 'Host.example.com/app'" },
        { "docker://" + User + ":{0}@host.example.com/app:bad!tag", "invalid tag" },
    };

    public static TheoryData<string, string> CanaryAddressTemplates => new()
    {
        { "https://" + User + ":{0}@registry.example.com:5000", "give 'registry.example.com:5000' without 'https://' and the user name" },
        { "https://" + User + ":{0}@registry.example.com:5000/v2/", "give 'registry.example.com:5000' without 'https://', the user name and the path '/v2/'" },
        { User + ":{0}@registry.example.com:5000", "give 'registry.example.com:5000' without the user name" },
        { User + ":{0}@registry.example.com", "give 'registry.example.com' without the user name" },
        { User + ":{0}@registry.example.com :5000", "give 'registry.example.com:5000' without blanks and the user name" },
        { "https://" + User + ":{0}@", "remove 'https://' and the user name" },
        { "https://" + User + ":{0}@bad_host/v2", "remove 'https://', the user name and the path '/v2'" },
    };

    [Theory]
    [MemberData(nameof(CanaryPasswords))]
    public void ImageReference_UserInfo_MessageHidesItAndShowsTheCorrectedForm(string password)
    {
        foreach (var (template, corrected) in Rows(CanaryImageTemplates))
        {
            var input = string.Format(CultureInfo.InvariantCulture, template, password);

            Assert.False(ImageReference.TryParse(input, out _), input);
            var message = ImageReferenceMessage(input);

            AssertHidden(input, password, message, ImageReferenceMessage(string.Format(CultureInfo.InvariantCulture, template, "x")));
            Assert.Contains("***@", message, StringComparison.Ordinal);
            Assert.Contains(corrected, message, StringComparison.Ordinal);
            Assert.Equal(message, Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input.AsSpan())).Message);
        }
    }

    [Theory]
    [MemberData(nameof(CanaryPasswords))]
    public void RegistryAddress_UserInfo_MessageHidesItAndShowsTheCorrectedForm(string password)
    {
        foreach (var (template, corrected) in Rows(CanaryAddressTemplates))
        {
            var input = string.Format(CultureInfo.InvariantCulture, template, password);

            Assert.False(RegistryAddress.TryParse(input, out _), input);
            var message = AddressMessage(input);

            AssertHidden(input, password, message, AddressMessage(string.Format(CultureInfo.InvariantCulture, template, "x")));
            Assert.Contains("***@", message, StringComparison.Ordinal);
            Assert.Contains(corrected, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ImageReference_IssueExample_ShowsRedactedAndCorrectedForms()
    {
        var exception = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse("https://admin:Hunter2@host/app"));

        Assert.Equal(ImageReferenceError.InvalidFormat, exception.Error);
        Assert.Equal(
            "'https://***@host/app' contains a user name or password before '@' (hidden here): an image reference carries no credentials, they belong to the registry's entry; remove the 'https://' and the part up to the '@': use 'host/app'.",
            exception.Message);
    }

    [Fact]
    public void RegistryAddress_PasswordWithSlash_HintShowsNoPartOfIt()
    {
        var exception = Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse("https://user:pa/ss@host:5000"));

        Assert.Equal(
            "The registry address 'https://***@host:5000' starts with a scheme, which a registry address does not have: give 'host:5000' without 'https://' and the user name.",
            exception.Message);
    }

    [Theory]
    [InlineData("ubuntu@sha256:xyz")]
    [InlineData("registry.com:8080/myapp@bad")]
    [InlineData("ubuntu@")]
    [InlineData("ubuntu:tag@sha256:" + Hex64 + "@sha256:" + Hex64)]
    [InlineData("[fe80::1%@invalidzone]:5000/repo")]
    [InlineData("localhost:http/name@sha256:" + Hex64)]
    public void ImageReference_DigestAt_IsNotTakenForUserInfo(string input)
    {
        Assert.Contains("'" + input + "'", ImageReferenceMessage(input), StringComparison.Ordinal);
    }

    [Fact]
    public void UserInfo_GeneratedPassword_NoMessageShowsAnyOfIt()
    {
        // Passwords over an alphabet of URL delimiters, blanks, non-ASCII and letters rare in English text, so that a
        // piece of the message template is unlikely to look like a piece of the password. The fair property: no
        // 4-character piece of the password is in a message unless it is also in the rest of the input or in the
        // message for the same input with the password "x" (the template's own words).
        var password = Gen.String[Gen.Char["QXZJqxzj0179/@:?#% \u00e9\u00df\u20ac\u202e-._~!$&'()*+,;="], 1, 24];
        var imageTemplate = Gen.OneOfConst(
            "https://" + User + ":{0}@host.example.com/app",
            "http://" + User + ":{0}@registry.example.com:5000/team/app:1.0",
            "oci://" + User + ":{0}@registry.example.com/team/app@sha256:" + Hex64,
            User + ":{0}@registry.example.com:5000/team/app",
            User + ":{0}@host.example.com/app:1@sha256:" + Hex64,
            "https://" + User + ":{0}@host.example.com");
        var addressTemplate = Gen.OneOfConst(
            "https://" + User + ":{0}@registry.example.com:5000",
            "https://" + User + ":{0}@registry.example.com/v2/",
            User + ":{0}@registry.example.com:5000",
            User + ":{0}@registry.example.com",
            "{0}@registry.example.com");
        Gen.Select(password, imageTemplate, addressTemplate).Sample((pw, image, address) =>
        {
            var imageInput = string.Format(CultureInfo.InvariantCulture, image, pw);
            var addressInput = string.Format(CultureInfo.InvariantCulture, address, pw);
            Assert.False(ImageReference.TryParse(imageInput, out _));
            Assert.False(RegistryAddress.TryParse(addressInput, out _));
            AssertHidden(imageInput, pw, ImageReferenceMessage(imageInput), ImageReferenceMessage(string.Format(CultureInfo.InvariantCulture, image, "x")));
            AssertHidden(addressInput, pw, AddressMessage(addressInput), AddressMessage(string.Format(CultureInfo.InvariantCulture, address, "x")));
        }, iter: 5_000);
    }

    public static TheoryData<int> DangerousCharacters()
    {
        var data = new TheoryData<int>();
        for (var c = 0; c < 0x20; c++)
        {
            data.Add(c);
        }

        for (var c = 0x7F; c <= 0x9F; c++)
        {
            data.Add(c);
        }

        int[] others =
        [
            0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x2028, 0x2029,
            0x061C, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x00A0, 0x3000, 0x115F, 0x3164, 0xFE0F, 0xE000,
            0xD800, 0xDC00, 0xE0041, 0xE0100,
        ];
        foreach (var c in others)
        {
            data.Add(c);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DangerousCharacters))]
    public void Messages_DangerousCharacter_AreShownEscaped(int code)
    {
        var c = code is >= 0xD800 and <= 0xDFFF ? ((char)code).ToString() : char.ConvertFromUtf32(code);
        string[] images =
        [
            "ubuntu" + c, c + "ubuntu", "ub" + c + "untu:1", "registry.example.com/" + c, "ubuntu:la" + c + "test",
            "UB" + c, "https://" + c + "host/app", "ubuntu@sha256:" + c, "reg" + c + ".example.com/app",
        ];
        string[] addresses = ["host" + c, c + "host", "host:50" + c, "https://host/" + c, "us" + c + "er@host", "[fe80::" + c + "1]"];

        foreach (var input in images)
        {
            var message = ImageReferenceMessage(input);
            AssertNothingDangerous(message, input);
        }

        foreach (var input in addresses)
        {
            var message = AddressMessage(input);
            AssertNothingDangerous(message, input);
        }
    }

    [Theory]
    [InlineData("ubuntu\u202E:latest", "'ubuntu\\u202E:latest'")]
    [InlineData("ubuntu\u001B[2J", "'ubuntu\\x1B[2J'")]
    [InlineData("ubuntu\n", "'ubuntu\\n'")]
    [InlineData("ubu\\ntu", "'ubu\\\\ntu'")]
    [InlineData("ubuntu'x", "'ubuntu\\'x'")]
    public void ImageReference_EscapedInput_IsShownUnambiguously(string input, string shown)
    {
        Assert.Contains(shown, ImageReferenceMessage(input), StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_BidiOverride_KeepTheCorrectedForm()
    {
        Assert.Contains("use 'ubuntu:22.04'", ImageReferenceMessage("\u202Eubuntu:22.04 "), StringComparison.Ordinal);
        Assert.Contains("give 'registry.example.com:5000'", AddressMessage("https://registry.example.com:5000/\u202E"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("A")]
    [InlineData("\u202E")]
    [InlineData("a/")]
    public void Messages_HugeInput_AreCapped(string unit)
    {
        var huge = string.Concat(Enumerable.Repeat(unit, 1 << 20)) + "!";

        var image = ImageReferenceMessage(huge);
        var withUserInfo = ImageReferenceMessage("https://u:" + huge + "@host/app");
        var address = AddressMessage(huge);
        var addressWithPath = AddressMessage("https://host/" + huge);

        Assert.All([image, withUserInfo, address, addressWithPath], message => Assert.InRange(message.Length, 1, 16 * 1024));
        Assert.Contains("characters in all, cut short", image, StringComparison.Ordinal);
        Assert.Contains("characters in all, cut short", address, StringComparison.Ordinal);
        Assert.DoesNotContain(new string(unit[0], 8), withUserInfo, StringComparison.Ordinal);
    }

    [Fact]
    public void Quote_EscapesAndCaps()
    {
        Assert.Equal("'a\\u202Eb\\x1Bc\\n\\t\\r\\\\\\'d\\x7F\\x85\\u200F\\u2028\\uD800\\U000E0041 \\u00A0\u00e9\u20ac'", EchoedInput.Quote("a\u202Eb\u001Bc\n\t\r\\'d\u007F\u0085\u200F\u2028\uD800\U000E0041 \u00A0\u00e9\u20ac"));
        Assert.Equal("'\ud83d\ude00'", EchoedInput.Quote("\ud83d\ude00"));
        var capped = EchoedInput.Quote(new string('x', 5000));
        Assert.StartsWith("'" + new string('x', EchoedInput.MaxShownLength), capped, StringComparison.Ordinal);
        Assert.EndsWith("\u2026' (5000 characters in all, cut short)", capped, StringComparison.Ordinal);
        Assert.True(capped.Length < EchoedInput.MaxShownLength + 64);
    }

    [Theory]
    [InlineData("https://u:p@host/app", true, "https://***@host/app")]
    [InlineData("https://u:p/w@host/app@sha256:" + Hex64, true, "https://***@host/app@sha256:" + Hex64)]
    [InlineData("https://u:p@w@host:5000", false, "https://***@host:5000")]
    [InlineData("u:p#w@host/app", true, "***@host/app")]
    [InlineData("u:p/w@host/app", true, "***@host/app")]
    [InlineData("u:a://b@host/app", true, "***@host/app")]
    [InlineData("ubuntu@sha256:" + Hex64, true, "ubuntu@sha256:" + Hex64)]
    [InlineData("team/app@bad", true, "team/app@bad")]
    [InlineData("user@host", false, "***@host")]
    [InlineData("host/v2@x", false, "***@x")]
    [InlineData("no-at-all/app:1", true, "no-at-all/app:1")]
    public void Redact_FindsTheUserInfo(string input, bool digests, string redacted)
    {
        Assert.Equal(redacted, EchoedInput.Redact(input, digests));
    }

    private static void AssertHidden(string input, string password, string message, string neutralMessage)
    {
        Assert.DoesNotContain(User, message, StringComparison.Ordinal);
        Assert.DoesNotContain("nary", message, StringComparison.Ordinal);
        if (password.Length >= 4)
        {
            Assert.DoesNotContain(password, message, StringComparison.Ordinal);
        }

        var rest = input.Replace(User + ":" + password, "\u0001", StringComparison.Ordinal).Replace(password + "@", "\u0001@", StringComparison.Ordinal);
        for (var i = 0; i + 4 <= password.Length; i++)
        {
            var piece = password.Substring(i, 4);
            if (message.Contains(piece, StringComparison.Ordinal)
                && !rest.Contains(piece, StringComparison.Ordinal)
                && !neutralMessage.Contains(piece, StringComparison.Ordinal))
            {
                Assert.Fail($"The message shows '{piece}' of the password '{password}': {message}");
            }
        }
    }

    private static void AssertNothingDangerous(string message, string input)
    {
        foreach (var rune in message.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var dangerous = rune.Value < 0x20 || rune.Value is >= 0x7F and <= 0x9F || rune == Rune.ReplacementChar && !input.Contains('\uFFFD', StringComparison.Ordinal)
                || category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                    or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
                || (category == UnicodeCategory.SpaceSeparator && rune.Value != ' ')
                || rune.Value is 0x115F or 0x3164 or 0xFE0F or 0xE0100;
            Assert.False(dangerous, $"The message for '{Escape(input)}' shows U+{rune.Value:X4} raw: {Escape(message)}");
        }

        // A lone surrogate is not a rune (EnumerateRunes shows it as U+FFFD): look for it directly.
        Assert.DoesNotContain(message, char.IsSurrogate);
    }

    private static string Escape(string text) => string.Concat(text.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));

    private static string ImageReferenceMessage(string input)
    {
        Assert.False(ImageReference.TryParse(input, out _), input);
        return Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input)).Message;
    }

    private static string AddressMessage(string input)
    {
        Assert.False(RegistryAddress.TryParse(input, out _), input);
        return Assert.Throws<RegistryAddressFormatException>(() => RegistryAddress.Parse(input)).Message;
    }

    private static IEnumerable<(string, string)> Rows(TheoryData<string, string> data)
        => data.Select(row => ((string)row[0], (string)row[1]));
}
