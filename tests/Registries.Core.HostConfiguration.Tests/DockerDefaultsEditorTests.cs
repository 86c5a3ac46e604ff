using System.Text;

namespace Registries.Core.HostConfiguration.Tests;

public sealed class DockerDefaultsEditorTests
{
    private const string Path = "/etc/default/docker";
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");

    private static string? Add(string? text, out string description)
        => Decode(DockerDefaultsEditor.Edit(text is null ? null : Encoding.Latin1.GetBytes(text), Path, Address, add: true, out description));

    private static string? Remove(string text)
        => Decode(DockerDefaultsEditor.Edit(Encoding.Latin1.GetBytes(text), Path, Address, add: false, out _));

    private static string? Decode(byte[]? bytes) => bytes is null ? null : Encoding.Latin1.GetString(bytes);

    [Theory]
    [InlineData("DOCKER_OPTS=\"--debug\"\n", "DOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("DOCKER_OPTS='--debug'\n", "DOCKER_OPTS='--debug --insecure-registry=registry.example.com:5000'\n")]
    [InlineData("DOCKER_OPTS=--debug\n", "DOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("DOCKER_OPTS=\"\"\n", "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("export DOCKER_OPTS=\"--debug\" # keep\n", "export DOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\" # keep\n")]
    [InlineData("  DOCKER_OPTS=\"--debug\"", "  DOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\"")]
    [InlineData("# x\r\nDOCKER_OPTS=\"--debug\"\nX=1\r\n", "# x\r\nDOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\"\nX=1\r\n")]
    [InlineData("DOCKER_OPTS=\"--label a=\\\"b\\\"\"\n", "DOCKER_OPTS=\"--label a=\\\"b\\\" --insecure-registry=registry.example.com:5000\"\n")]
    public void Edit_AddToExistingLine_AppendsTheFlagOnce(string before, string after)
    {
        Assert.Equal(after, Add(before, out _));
        Assert.Null(Add(after, out var description));
        Assert.Contains("already", description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("", "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("#DOCKER_OPTS=\"--debug\"\n", "#DOCKER_OPTS=\"--debug\"\nDOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("# comment", "# comment\nDOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    [InlineData("# comment\r\n", "# comment\r\nDOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n")]
    public void Edit_AddWithoutEffectiveLine_AddsTheLine(string? before, string after)
        => Assert.Equal(after, Add(before, out _));

    [Fact]
    public void Edit_SeveralLines_EditsTheLastEffectiveOne()
    {
        var before = "DOCKER_OPTS=\"--debug\"\nDOCKER_OPTS=\"--dns 8.8.8.8\"\n# DOCKER_OPTS=\"--old\"\n";

        Assert.Equal("DOCKER_OPTS=\"--debug\"\nDOCKER_OPTS=\"--dns 8.8.8.8 --insecure-registry=registry.example.com:5000\"\n# DOCKER_OPTS=\"--old\"\n", Add(before, out var description));
        Assert.Contains("line 2", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_FlagOnEarlierLineExpandedByTheLast_IsAlreadyPresent()
    {
        // The seed's own form: DOCKER_OPTS="$DOCKER_OPTS --insecure-registry=..."
        var text = "DOCKER_OPTS=\"--insecure-registry registry.example.com:5000\"\nDOCKER_OPTS=\"$DOCKER_OPTS --debug\"\n";

        Assert.Null(Add(text, out _));
    }

    [Fact]
    public void Edit_FlagOnEarlierLineOverwrittenByTheLast_IsAdded()
    {
        var text = "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\nDOCKER_OPTS=\"--debug\"\n";

        Assert.Equal("DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\nDOCKER_OPTS=\"--debug --insecure-registry=registry.example.com:5000\"\n", Add(text, out _));
    }

    [Theory]
    [InlineData("DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n", "DOCKER_OPTS=\"\"\n")]
    [InlineData("DOCKER_OPTS=\"--insecure-registry=REGISTRY.example.com:5000 --debug\"\n", "DOCKER_OPTS=\"--debug\"\n")]
    [InlineData("DOCKER_OPTS=\"--debug --insecure-registry registry.example.com:5000\"\n", "DOCKER_OPTS=\"--debug\"\n")]
    [InlineData("DOCKER_OPTS=\"$DOCKER_OPTS --insecure-registry=registry.example.com:5000\"\n", "DOCKER_OPTS=\"$DOCKER_OPTS\"\n")]
    [InlineData("DOCKER_OPTS=--insecure-registry=registry.example.com:5000\n", "DOCKER_OPTS=\n")]
    [InlineData(
        "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\nexport DOCKER_OPTS='$DOCKER_OPTS --insecure-registry=registry.example.com:5000 --insecure-registry=registry.example.com:50001'\n",
        "DOCKER_OPTS=\"\"\nexport DOCKER_OPTS='$DOCKER_OPTS --insecure-registry=registry.example.com:50001'\n")]
    public void Edit_Remove_RemovesBothFormsFromEveryLine(string before, string after)
    {
        Assert.Equal(after, Remove(before));
        Assert.Null(Remove(after));
    }

    [Fact]
    public void Edit_RemoveOtherRegistryOnly_ChangesNothing()
        => Assert.Null(Remove("DOCKER_OPTS=\"--insecure-registry=registry.example.com:5001 --insecure-registry=other:5000\"\n"));

    [Fact]
    public void Edit_NonAsciiBytesElsewhere_AreKeptByteForByte()
    {
        byte[] before = [.. "# caf"u8, 0xE9, .. " \xff\n"u8, .. "DOCKER_OPTS=\"\"\n"u8];

        var after = DockerDefaultsEditor.Edit(before, Path, Address, add: true, out _)!;

        Assert.Equal(before[..9], after[..9]);
    }

    [Theory]
    [InlineData("DOCKER_OPTS=\"--debug\n", 1)]
    [InlineData("# ok\nexport DOCKER_OPTS='--debug\n", 2)]
    public void Edit_UnclosedQuote_ThrowsWithLine(string text, int line)
    {
        var e = Assert.Throws<DockerHostConfigurationException>(() => Add(text, out _));

        Assert.Equal(DockerHostConfigurationError.MalformedDockerDefaults, e.Error);
        Assert.Equal(line, e.LineNumber);
        Assert.Equal(Path, e.FilePath);
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DOCKER_OPTS=\"\"", true)]
    [InlineData("export DOCKER_OPTS=x", true)]
    [InlineData("#DOCKER_OPTS=\"\"", false)]
    [InlineData("  # DOCKER_OPTS=\"\"", false)]
    [InlineData("MY_DOCKER_OPTS=\"\"", false)]
    public void HasEffectiveLine_CommentsAndOtherVariables_AreIgnored(string text, bool expected)
        => Assert.Equal(expected, DockerDefaultsEditor.HasEffectiveLine(Encoding.Latin1.GetBytes(text), Path));
}
