using Registries.Core;

namespace Registries.Reliability.Tests;

/// <summary>The parsers take any string: only their documented exception, never a hang, and what parses round-trips.</summary>
public sealed class ParserFuzzTests
{
    private static readonly string[] ImageSeeds =
    [
        "ubuntu", "ubuntu:22.04", "library/ubuntu", "docker.io/library/ubuntu:latest", "index.docker.io/org/app",
        "quay.io/coreos/etcd:v3.5.0", "registry.example.com:5000/team/api:1.4", "localhost:5000/app",
        "[2001:db8::1]:5000/repo:tag", "10.0.0.5:5000/a/b/c@sha256:" + new string('a', 64),
        "app@sha512:" + new string('0', 128), "a__b/c-d.e---f:tag_1.0-x",
    ];

    private static readonly string[] AddressSeeds =
    [
        "registry.example.com", "registry.example.com:5000", "10.0.0.5:5000", "[fe80::1]:5000", "localhost:5000",
        "docker.io", "index.docker.io", "quay.io", "https://registry.example.com:5000/v2/", "user@host:1",
    ];

    [Fact]
    public Task ImageReference_AnyInput_OnlyDocumentedErrorsAndRoundTrips()
        => Fuzz.RunAsync(Fuzz.Inputs(ImageSeeds), input =>
        {
            var ok = ImageReference.TryParse(input, out var parsed);
            var spanOk = ImageReference.TryParse(input.AsSpan(), out var spanParsed);
            Assert.Equal(ok, spanOk);
            try
            {
                var thrown = ImageReference.Parse(input);
                Assert.True(ok, $"Parse accepted what TryParse refused: '{input}'");
                Assert.Equal(parsed, thrown);
                Assert.Equal(parsed, spanParsed);
                var again = ImageReference.Parse(thrown.ToString());
                Assert.Equal(thrown, again);
                Assert.Equal(thrown.ToString(), again.ToString());
            }
            catch (ImageReferenceFormatException error)
            {
                Assert.False(ok, $"Parse refused what TryParse accepted: '{input}'");
                Assert.True(Enum.IsDefined(error.Error));
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                AssertSafeToPrint(input, error.Message);
            }
        });

    [Fact]
    public Task RegistryAddress_AnyInput_OnlyDocumentedErrorsAndRoundTrips()
        => Fuzz.RunAsync(Fuzz.Inputs(AddressSeeds), input =>
        {
            var ok = RegistryAddress.TryParse(input, out var parsed);
            try
            {
                var thrown = RegistryAddress.Parse(input);
                Assert.True(ok, $"Parse accepted what TryParse refused: '{input}'");
                Assert.Equal(parsed, thrown);
                Assert.Equal(thrown, RegistryAddress.Parse(thrown.ToString()));
            }
            catch (RegistryAddressFormatException error)
            {
                Assert.False(ok, $"Parse refused what TryParse accepted: '{input}'");
                Assert.True(Enum.IsDefined(error.Error));
                Assert.Contains("registry address", error.Message, StringComparison.Ordinal);
                AssertSafeToPrint(input, error.Message);
            }
        });

    // A message goes to terminals and logs: no raw control, bidirectional or other invisible format character, no
    // lone surrogate, and a bounded length whatever the input's.
    private static void AssertSafeToPrint(string input, string message)
    {
        Assert.True(message.Length <= 16 * 1024, $"A {input.Length}-character input gave a {message.Length}-character message.");
        for (var i = 0; i < message.Length; i++)
        {
            var paired = char.IsHighSurrogate(message[i]) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1]);
            Assert.False(char.IsSurrogate(message[i]) && !paired, $"The message shows the lone surrogate U+{(int)message[i]:X4}.");
            var category = System.Globalization.CharUnicodeInfo.GetUnicodeCategory(message, i);
            Assert.False(
                category is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format
                    or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator,
                $"The message shows U+{char.ConvertToUtf32(message, i):X4} raw.");
            if (paired)
            {
                i++;
            }
        }
    }

    [Fact]
    public void Parsers_Null_TryParseIsFalseAndParseThrowsArgumentNull()
    {
        Assert.False(ImageReference.TryParse((string?)null, out _));
        Assert.False(RegistryAddress.TryParse((string?)null, out _));
        Assert.Throws<ArgumentNullException>(() => ImageReference.Parse((string)null!));
        Assert.Throws<ArgumentNullException>(() => RegistryAddress.Parse((string)null!));
    }
}
