using Registries.Core;

namespace Registries.Core.Tests.References;

// The parser behind ImageReference.Parse and TryParse: its result explains a refusal only when asked, and says exactly
// what the public Parse throws.
[Collection(ReferencesCollection.Name)]
public class ImageReferenceParserTests
{
    [Theory]
    [InlineData("ubuntu")]
    [InlineData("registry.example.com:5000/team/app:1.0")]
    [InlineData("[2001:db8::1]:5000/repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    public void Parse_Valid_GivesWhatTryParseGives(string input)
    {
        var result = ImageReferenceParser.Parse(input);

        Assert.True(result.Success);
        Assert.True(result.TryGetValue(out var value));
        Assert.True(ImageReferenceParser.TryParse(input, out var fromTryParse));
        Assert.Equal(fromTryParse, value);
        Assert.Equal(value, result.GetValueOrThrow());
        Assert.Throws<InvalidOperationException>(() => ImageReferenceParser.Parse(input).Exception);
    }

    [Theory]
    [InlineData("", ImageReferenceError.NameEmpty)]
    [InlineData("Ubuntu", ImageReferenceError.NameContainsUppercase)]
    [InlineData("ubuntu:-x", ImageReferenceError.InvalidFormat)]
    [InlineData("ubuntu@sha256:abc", ImageReferenceError.InvalidFormat)]
    [InlineData("ubuntu@sha1:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", ImageReferenceError.DigestInvalidFormat)]
    [InlineData("https://alice:CANARY@registry.example.com/app", ImageReferenceError.InvalidFormat)]
    public void Exception_Invalid_IsWhatParseThrows(string input, ImageReferenceError expected)
    {
        var result = ImageReferenceParser.Parse(input);
        var thrown = Assert.Throws<ImageReferenceFormatException>(() => ImageReference.Parse(input));

        Assert.False(result.Success);
        Assert.False(result.TryGetValue(out var value));
        Assert.Null(value);
        var exception = Assert.IsType<ImageReferenceFormatException>(result.Exception);
        Assert.Equal(expected, exception.Error);
        Assert.Equal(thrown.Error, exception.Error);
        Assert.Equal(thrown.Message, exception.Message);
        Assert.Equal(thrown.Message, Assert.Throws<ImageReferenceFormatException>(() => ImageReferenceParser.Parse(input).GetValueOrThrow()).Message);
    }

    [Fact]
    public void Parse_Invalid_AllocatesNothingUntilTheExceptionIsAskedFor()
    {
        string[] inputs = ["", "Ubuntu", "ubuntu:-x", "foo_bar.com/x", "https://alice:CANARY@registry.example.com/app"];
        foreach (var input in inputs)
        {
            _ = ImageReferenceParser.Parse(input).Success;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var input in inputs)
        {
            Assert.False(ImageReferenceParser.Parse(input).Success);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
