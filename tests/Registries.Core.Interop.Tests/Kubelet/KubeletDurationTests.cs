namespace Registries.Core.Interop.Tests;

public sealed class KubeletDurationTests
{
    [Theory]
    [InlineData(1, "1s")]
    [InlineData(45, "45s")]
    [InlineData(60, "1m0s")]
    [InlineData(90, "1m30s")]
    [InlineData(3600, "1h0m0s")]
    [InlineData(5430, "1h30m30s")]
    [InlineData(86400, "24h0m0s")]
    public void Format_WholeSeconds_WritesGoForm(int seconds, string expected)
        => Assert.Equal(expected, KubeletDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1m0s", 60)]
    [InlineData("0s", 0)]
    [InlineData("90m", 5400)]
    public void Parse_GoForm_ReadsTheDuration(string text, int seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), KubeletDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("-1m")]
    [InlineData("1.5s")]
    [InlineData("1d")]
    [InlineData("1s1m")]
    [InlineData(" 1m")]
    [InlineData("99999999h")]
    public void Parse_NoDuration_ThrowsFormatExceptionWithExamples(string text)
    {
        var exception = Assert.Throws<FormatException>(() => KubeletDuration.Parse(text));

        Assert.Contains("for example 30s, 5m, 1h", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_SubSecond_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => KubeletDuration.Format(TimeSpan.FromMilliseconds(1500)));
}
