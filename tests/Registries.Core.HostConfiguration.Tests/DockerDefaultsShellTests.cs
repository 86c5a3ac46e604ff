using System.Text;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

/// <summary>The editor reads and writes DOCKER_OPTS exactly as the shell does: bash sources the original and the edited files and splits $DOCKER_OPTS as the init script does.</summary>
public sealed class DockerDefaultsShellTests : IDisposable
{
    private const string Flag = "--insecure-registry=registry.example.com:5000";
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _temp = HostLayout.Create();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Edit_GeneratedValues_BashSeesTheOriginalWordsPlusOrMinusTheFlag()
    {
        var random = new Random(20261201);
        var cases = Enumerable.Range(0, 300).Select(_ => GenerateFile(random)).ToList();
        cases.AddRange(
        [
            "DOCKER_OPTS=--label=a\\ b\n",
            "DOCKER_OPTS=\"--label=a\\\"b --debug\"\n",
            "DOCKER_OPTS='--dns 8.8.8.8'\"--label=x\"\\ y\n",
            "DOCKER_OPTS=\"--insecure-registry registry.example.com:5000 --debug\"\nexport DOCKER_OPTS=\"$DOCKER_OPTS --insecure-registry=REGISTRY.example.com:5000\"\n",
            "DOCKER_OPTS=\\$x\\`y\\\\\\ --insecure-registry=registry.example.com:5000\n",
            "DOCKER_OPTS=\"a\\b\\ c\" # keep\n",
        ]);

        var files = new List<string>();
        var expectations = new List<(string Original, string? Added, string? Removed, List<string> Parsed)>();
        for (var i = 0; i < cases.Count; i++)
        {
            var bytes = Encoding.Latin1.GetBytes(cases[i]);
            List<string> parsed;
            byte[]? added, removed;
            try
            {
                parsed = DockerDefaultsEditor.EffectiveWords(bytes, "case" + i);
                added = DockerDefaultsEditor.Edit(bytes, "case" + i, Address, add: true, out _);
                removed = DockerDefaultsEditor.Edit(bytes, "case" + i, Address, add: false, out _);
            }
            catch (DockerHostConfigurationException e)
            {
                Assert.Fail($"Supported syntax refused:\n{cases[i]}\n{e.Message}");
                throw;
            }

            files.Add(Save(i + ".orig", bytes));
            files.Add(Save(i + ".add", added ?? bytes));
            files.Add(Save(i + ".rem", removed ?? bytes));
            expectations.Add((cases[i], added is null ? null : Encoding.Latin1.GetString(added), removed is null ? null : Encoding.Latin1.GetString(removed), parsed));
        }

        var words = await SourceAllAsync(files);
        for (var i = 0; i < cases.Count; i++)
        {
            var (original, added, removed, parsed) = expectations[i];
            var before = words[3 * i];
            var context = $"\n--- original:\n{original}--- added:\n{added}--- removed:\n{removed}";
            Assert.True(before.SequenceEqual(parsed), $"The editor read other words than bash: [{string.Join("|", parsed)}] vs [{string.Join("|", before)}]{context}");

            var hasRegistry = HasRegistry(before);
            Assert.True(hasRegistry == (added is null), $"Add changed: {added is not null}, registry present: {hasRegistry}{context}");
            Assert.True(words[(3 * i) + 1].SequenceEqual(hasRegistry ? before : [.. before, Flag]), $"Add: [{string.Join("|", words[(3 * i) + 1])}]{context}");

            var expectedAfterRemove = WithoutRegistry(before);
            // An overwritten earlier line may lose its flag too, so a change without an effect is allowed.
            Assert.True(expectedAfterRemove.Count == before.Count || removed is not null, $"Remove changed: {removed is not null}, words [{string.Join("|", before)}]{context}");
            Assert.True(words[(3 * i) + 2].SequenceEqual(expectedAfterRemove), $"Remove: [{string.Join("|", words[(3 * i) + 2])}]{context}");
        }
    }

    [Theory]
    [InlineData("DOCKER_OPTS=--label=a\\\n--debug\n", 1, "backslash")]
    [InlineData("DOCKER_OPTS=\"--debug \\\n--dns 1.1.1.1\"\n", 1, "backslash")]
    [InlineData("DOCKER_OPTS=$'--label=a\\tb'\n", 1, "$'...'")]
    [InlineData("# x\nDOCKER_OPTS=\"$EXTRA --debug\"\n", 2, "$EXTRA")]
    [InlineData("DOCKER_OPTS=\"$(cat /etc/docker/opts)\"\n", 1, "$(...)")]
    [InlineData("DOCKER_OPTS=`cat /etc/docker/opts`\n", 1, "`...`")]
    [InlineData("DOCKER_OPTS=\"--debug `hostname`\"\n", 1, "`...`")]
    [InlineData("DOCKER_OPTS=--debug --dns 1.1.1.1\n", 1, "after the value")]
    [InlineData("DOCKER_OPTS=--debug; echo hi\n", 1, "';'")]
    [InlineData("DOCKER_OPTS=~/x\n", 1, "'~'")]
    [InlineData("DOCKER_OPTS+=\" --debug\"\n", 1, "DOCKER_OPTS=VALUE")]
    [InlineData("[ -f /x ] && DOCKER_OPTS=\"--debug\"\n", 1, "DOCKER_OPTS=VALUE")]
    [InlineData("export A=1 DOCKER_OPTS=\"--debug\"\n", 1, "DOCKER_OPTS=VALUE")]
    [InlineData("DOCKER_OPTS=\"${DOCKER_OPTS:-x}\"\n", 1, "a variable other than DOCKER_OPTS")]
    [InlineData("# ok\r\nDOCKER_OPTS=\"--debug\"\r\n", 2, "carriage return")]
    public void Edit_SyntaxTheEditorCannotKeep_IsRefusedNamingFileAndLine(string text, int line, string expected)
    {
        var path = _temp.Combine("default-docker");
        var bytes = Encoding.Latin1.GetBytes(text);
        foreach (var add in new[] { true, false })
        {
            var e = Assert.Throws<DockerHostConfigurationException>(() => DockerDefaultsEditor.Edit(bytes, path, Address, add, out _));

            Assert.Equal(DockerHostConfigurationError.UnsupportedDockerDefaults, e.Error);
            Assert.Equal(path, e.FilePath);
            Assert.Equal(line, e.LineNumber);
            Assert.Contains($"'{path}'", e.Message, StringComparison.Ordinal);
            Assert.Contains($"line {line} ", e.Message, StringComparison.Ordinal);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains("left untouched", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Add_LabelWithEscapedBlank_KeepsTheEscapeAndAppendsAQuotedPiece()
        => Assert.Equal(
            "DOCKER_OPTS=--label=a\\ b\" --insecure-registry=registry.example.com:5000\"\n",
            Encoding.Latin1.GetString(DockerDefaultsEditor.Edit("DOCKER_OPTS=--label=a\\ b\n"u8.ToArray(), "f", Address, add: true, out _)!));

    private static bool HasRegistry(List<string> words) => WithoutRegistry(words).Count != words.Count;

    private static List<string> WithoutRegistry(List<string> words)
    {
        var result = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i].StartsWith("--insecure-registry=", StringComparison.Ordinal) && string.Equals(words[i][20..], "registry.example.com:5000", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (words[i] == "--insecure-registry" && i + 1 < words.Count && string.Equals(words[i + 1], "registry.example.com:5000", StringComparison.OrdinalIgnoreCase))
            {
                i++;
                continue;
            }

            result.Add(words[i]);
        }

        return result;
    }

    // One or two DOCKER_OPTS lines of shell the editor supports, around other lines; the second may extend the first.
    private static string GenerateFile(Random random)
    {
        var builder = new StringBuilder();
        if (random.Next(3) == 0)
        {
            builder.Append("# Docker Upstart and SysV initscript configuration\n");
        }

        var lines = random.Next(1, 3);
        for (var line = 0; line < lines; line++)
        {
            builder.Append(random.Next(4) == 0 ? "export " : string.Empty).Append("DOCKER_OPTS=");
            var segments = random.Next(0, 5);
            var extendsEarlier = line > 0 && random.Next(2) == 0;
            if (extendsEarlier)
            {
                builder.Append(random.Next(2) == 0 ? "\"$DOCKER_OPTS \"" : "\"${DOCKER_OPTS} \"");
            }

            for (var s = 0; s < segments; s++)
            {
                builder.Append(Segment(random, first: s == 0 && !extendsEarlier));
            }

            builder.Append(random.Next(4) == 0 ? " # comment" : string.Empty).Append('\n');
            if (random.Next(4) == 0)
            {
                builder.Append(random.Next(2) == 0 ? "HTTP_PROXY=\"http://proxy:3128\"\r\n" : "export HTTP_PROXY=\"http://proxy:3128\"\n");
            }
        }

        return builder.ToString();
    }

    private static string Segment(Random random, bool first)
    {
        const string Plain = "abcdefxyz0123456789=,.:/-_@%+";
        string Pick(string alphabet, int min, int max)
            => new([.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

        switch (random.Next(9))
        {
            case 0:
                return Pick(Plain, 1, 6) + (random.Next(3) == 0 && !first ? "#" : string.Empty);
            case 1:
                // Escapes outside quotes, the blank of "--label=a\ b" among them.
                return "\\" + " a\"'$`\\b="[random.Next(9)] + Pick(Plain, 0, 3);
            case 2:
                return "'" + Pick(Plain + " \"$`\\", 0, 10) + "'";
            case 3:
                return "\"" + Pick(Plain + " '", 0, 10) + new[] { "\\\"", "\\\\", "\\$", "\\`", "\\x", string.Empty }[random.Next(6)] + Pick(Plain + " ", 0, 5) + "\"";
            case 4:
                return "\" " + Flag + " \"";
            case 5:
                return "' --insecure-registry Registry.Example.com:5000 '";
            case 6:
                return "\" --insecure-registry=other.example.com:5000\"";
            case 7:
                return "\\ ";
            default:
                return "\"" + Pick(" \t", 1, 2) + "--dns 1.1.1.1" + Pick(" \t", 0, 2) + "\"";
        }
    }

    private string Save(string name, byte[] content)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    // Sources each file in a fresh subshell, as the init script does, and prints $DOCKER_OPTS unquoted, one word a line.
    private async Task<List<List<string>>> SourceAllAsync(List<string> files)
    {
        var empty = _temp.Combine("cwd");
        Directory.CreateDirectory(empty);
        var script = "cd \"$0\" || exit 9; for f in \"$@\"; do ( unset DOCKER_OPTS; . \"$f\" || exit 8; printf '%s\\n' $DOCKER_OPTS ) || exit 7; printf '\\036\\n'; done";
        var result = await Processes.RunAsync("bash", ["-c", script, empty, .. files], timeout: TimeSpan.FromSeconds(120));
        Assert.True(result.ExitCode == 0 && result.Error.Length == 0, result.ToString());
        var records = result.Output.Split("\u001e\n");
        Assert.Equal(files.Count + 1, records.Length);
        return [.. records[..^1].Select(r => r.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList())];
    }
}
