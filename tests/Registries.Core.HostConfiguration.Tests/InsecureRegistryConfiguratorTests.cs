using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Registries.Testing;

namespace Registries.Core.HostConfiguration.Tests;

public sealed class InsecureRegistryConfiguratorTests : IDisposable
{
    private static readonly RegistryAddress Address = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _temp = HostLayout.Create();

    public void Dispose() => _temp.Dispose();

    private string DaemonJson => _temp.HostOptions().DaemonJsonPath;

    private string Defaults => _temp.HostOptions().DockerDefaultsPath;

    private void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public async Task Add_NoFiles_CreatesDaemonJsonWithTheRegistry()
    {
        var result = await _temp.Configurator().AddAsync(Address);

        Assert.Equal("{\n  \"insecure-registries\": [\n    \"registry.example.com:5000\"\n  ]\n}\n", File.ReadAllText(DaemonJson));
        var change = Assert.Single(result.Changes);
        Assert.Equal(FileChangeKind.Created, change.Kind);
        Assert.Equal(DaemonJson, change.Path);
        Assert.True(result.RestartRequired);
        Assert.False(File.Exists(Defaults));
        Assert.Equal(HostFile.DefaultFileMode, File.GetUnixFileMode(DaemonJson));
    }

    [Fact]
    public async Task Add_Twice_SecondRunChangesNothing()
    {
        var configurator = _temp.Configurator();
        await configurator.AddAsync(Address);
        var before = File.ReadAllBytes(DaemonJson);
        var written = File.GetLastWriteTimeUtc(DaemonJson);

        var result = await configurator.AddAsync(RegistryAddress.Parse("REGISTRY.Example.com:5000"));

        Assert.Equal(FileChangeKind.Unchanged, Assert.Single(result.Changes).Kind);
        Assert.False(result.RestartRequired);
        Assert.Equal(before, File.ReadAllBytes(DaemonJson));
        Assert.Equal(written, File.GetLastWriteTimeUtc(DaemonJson));
    }

    [Fact]
    public async Task Add_ExistingKeys_KeepsEveryOtherByte()
    {
        const string Before = "{\n    \"log-driver\": \"json-file\",\n    \"insecure-registries\": [\"10.0.0.0/8\"],\n    \"log-opts\": {\"max-size\": \"10m\", \"max-file\": \"3\"},\n    \"debug\": true,\n    \"mtu\": 1450.0,\n    \"labels\": [\"a=b+c\", \"zone=Z\\u00fcrich\"],\n    \"debug\": false\n}\n";
        Write(DaemonJson, Before);

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal(Before.Replace("[\"10.0.0.0/8\"]", "[\"10.0.0.0/8\", \"registry.example.com:5000\"]", StringComparison.Ordinal), File.ReadAllText(DaemonJson));
    }

    [Theory]
    [InlineData("{}", "{\n  \"insecure-registries\": [\n    \"registry.example.com:5000\"\n  ]\n}")]
    [InlineData("{\"debug\": true}", "{\"debug\": true, \"insecure-registries\": [\"registry.example.com:5000\"]}")]
    [InlineData("{\"debug\":true}\n", "{\"debug\":true, \"insecure-registries\": [\"registry.example.com:5000\"]}\n")]
    [InlineData("{\"insecure-registries\": []}", "{\"insecure-registries\": [\"registry.example.com:5000\"]}")]
    [InlineData("{\"insecure-registries\": null}", "{\"insecure-registries\": [\"registry.example.com:5000\"]}")]
    [InlineData("{\n  \"insecure-registries\": []\n}", "{\n  \"insecure-registries\": [\n    \"registry.example.com:5000\"\n  ]\n}")]
    [InlineData("{\n  \"insecure-registries\": [\n    \"a:1\",\n    \"b:2\"\n  ]\n}", "{\n  \"insecure-registries\": [\n    \"a:1\",\n    \"b:2\",\n    \"registry.example.com:5000\"\n  ]\n}")]
    [InlineData("\ufeff{\"insecure\\u002dregistries\": [\"a:1\"]}", "\ufeff{\"insecure\\u002dregistries\": [\"a:1\", \"registry.example.com:5000\"]}")]
    public async Task Add_Layouts_SplicesOnlyTheList(string before, string after)
    {
        Write(DaemonJson, before);

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal(after, Encoding.UTF8.GetString(File.ReadAllBytes(DaemonJson)));
    }

    [Fact]
    public async Task Add_LoneSurrogateEscape_IsAcceptedAndEveryOtherByteKept()
    {
        // Go's encoding/json (dockerd) accepts "\ud800" and reads it as U+FFFD; System.Text.Json cannot make a string of it.
        const string Before = "{\n  \"labels\": [\"note=\\ud800\"],\n  \"insecure-registries\": [\"\\udc00x\", \"a:1\"]\n}\n";
        Write(DaemonJson, Before);
        var configurator = _temp.Configurator();

        Assert.Equal(FileChangeKind.Updated, Assert.Single((await configurator.AddAsync(Address)).Changes).Kind);
        Assert.Equal(Before.Replace("\"a:1\"]", "\"a:1\", \"registry.example.com:5000\"]", StringComparison.Ordinal), File.ReadAllText(DaemonJson));
        Assert.True(await configurator.IsConfiguredAsync(Address));
        Assert.True((await configurator.RemoveAsync(Address)).RestartRequired);
        Assert.Equal(Before, File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_TabIndentedFile_KeepsTabs()
    {
        Write(DaemonJson, "{\n\t\"debug\": true\n}\n");

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal("{\n\t\"debug\": true,\n\t\"insecure-registries\": [\n\t\t\"registry.example.com:5000\"\n\t]\n}\n", File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_CrlfWithoutTrailingNewLine_KeepsBoth()
    {
        Write(DaemonJson, "{\r\n  \"debug\": true\r\n}");

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal("{\r\n  \"debug\": true,\r\n  \"insecure-registries\": [\r\n    \"registry.example.com:5000\"\r\n  ]\r\n}", File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_EmptyFile_TreatedAsEmptyObject()
    {
        Write(DaemonJson, string.Empty);

        var result = await _temp.Configurator().AddAsync(Address);

        Assert.Equal(FileChangeKind.Updated, Assert.Single(result.Changes).Kind);
        Assert.Equal("registry.example.com:5000", JsonNode.Parse(File.ReadAllText(DaemonJson))!["insecure-registries"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Add_ExistingFileMode_IsKept()
    {
        Write(DaemonJson, "{}");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.SetUnixFileMode(DaemonJson, mode);

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal(mode, File.GetUnixFileMode(DaemonJson));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(DaemonJson)!));
    }

    [Fact]
    public async Task Add_DaemonJsonIsASymbolicLink_EditsTheTargetAndKeepsTheLink()
    {
        var target = _temp.Combine("managed/daemon.json");
        Write(target, "{\"debug\": true}");
        Directory.CreateDirectory(Path.GetDirectoryName(DaemonJson)!);
        File.CreateSymbolicLink(DaemonJson, target);

        await _temp.Configurator().AddAsync(Address);

        Assert.Equal(target, new FileInfo(DaemonJson).LinkTarget);
        Assert.Contains("registry.example.com:5000", File.ReadAllText(target), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"debug\": true,,}", 1)]
    [InlineData("{\n  \"debug\": true\n  \"mtu\": 1\n}", 3)]
    [InlineData("{\n  // comment\n  \"debug\": true\n}", 2)]
    public async Task Add_MalformedJson_ThrowsNamingFileAndLineAndLeavesFileUntouched(string content, int line)
    {
        Write(DaemonJson, content);
        var before = File.ReadAllBytes(DaemonJson);

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => _temp.Configurator().AddAsync(Address));

        Assert.Equal(DockerHostConfigurationError.MalformedDaemonJson, e.Error);
        Assert.Equal(DaemonJson, e.FilePath);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(DaemonJson, e.Message, StringComparison.Ordinal);
        Assert.Contains($"line {line}", e.Message, StringComparison.Ordinal);
        Assert.Contains("left untouched", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(DaemonJson));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(DaemonJson)!));
    }

    [Theory]
    [InlineData("[]", "root is a list")]
    [InlineData("{\"insecure-registries\": \"registry.example.com:5000\"}", "not a list")]
    [InlineData("{\"insecure-registries\": [5000]}", "not a string")]
    [InlineData("{\"insecure-registries\": [], \"insecure-registries\": [\"a:1\"]}", "appears twice")]
    public async Task Add_WrongShape_ThrowsAndLeavesFileUntouched(string content, string expected)
    {
        Write(DaemonJson, content);

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => _temp.Configurator().AddAsync(Address));

        Assert.Equal(DockerHostConfigurationError.MalformedDaemonJson, e.Error);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_DryRun_ReportsThePlanAndWritesNothing()
    {
        Write(DaemonJson, "{\"debug\": true}");

        var result = await _temp.Configurator().AddAsync(Address, dryRun: true);

        Assert.True(result.DryRun);
        Assert.True(result.RestartRequired);
        Assert.Equal(FileChangeKind.Updated, Assert.Single(result.Changes).Kind);
        Assert.Contains("added 'registry.example.com:5000'", result.Changes[0].Description, StringComparison.Ordinal);
        Assert.Equal("{\"debug\": true}", File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_DryRunWithoutFiles_CreatesNothing()
    {
        var result = await _temp.Configurator().AddAsync(Address, dryRun: true);

        Assert.Equal(FileChangeKind.Created, Assert.Single(result.Changes).Kind);
        Assert.False(Directory.Exists(Path.GetDirectoryName(DaemonJson)));
    }

    [Fact]
    public async Task Remove_Present_RemovesOnlyThatEntry()
    {
        Write(DaemonJson, "{\n  \"insecure-registries\": [\n    \"a.example.com:5000\",\n    \"Registry.Example.COM:5000\",\n    \"registry.example.com:5001\"\n  ],\n  \"debug\": true\n}\n");
        var configurator = _temp.Configurator();

        var result = await configurator.RemoveAsync(Address);

        Assert.Equal(FileChangeKind.Updated, Assert.Single(result.Changes).Kind);
        Assert.Equal("{\n  \"insecure-registries\": [\n    \"a.example.com:5000\",\n    \"registry.example.com:5001\"\n  ],\n  \"debug\": true\n}\n", File.ReadAllText(DaemonJson));
        Assert.False(await configurator.IsConfiguredAsync(Address));
        Assert.False((await configurator.RemoveAsync(Address)).RestartRequired);
    }

    [Fact]
    public async Task Remove_NoFiles_ChangesNothingAndCreatesNothing()
    {
        var result = await _temp.Configurator().RemoveAsync(Address);

        Assert.Empty(result.Changes);
        Assert.False(result.RestartRequired);
        Assert.False(File.Exists(DaemonJson));
    }

    [Fact]
    public async Task Add_OldWayHost_EditsDockerOptsOnlySoDockerdDoesNotSeeTheDirectiveTwice()
    {
        Write(Defaults, "# Docker Upstart and SysV initscript configuration\nDOCKER_OPTS=\"--dns 8.8.8.8\"\n");

        var result = await _temp.Configurator().AddAsync(Address);

        var change = Assert.Single(result.Changes);
        Assert.Equal(Defaults, change.Path);
        Assert.Equal("# Docker Upstart and SysV initscript configuration\nDOCKER_OPTS=\"--dns 8.8.8.8 --insecure-registry=registry.example.com:5000\"\n", File.ReadAllText(Defaults));
        Assert.False(File.Exists(DaemonJson));
    }

    [Fact]
    public async Task Add_CommentedDockerOptsOnly_EditsDaemonJson()
    {
        // Debian's docker.io ships /etc/default/docker with the line commented out; systemd ignores the file.
        Write(Defaults, "#DOCKER_OPTS=\"--dns 8.8.8.8 --dns 8.8.4.4\"\n");

        var result = await _temp.Configurator().AddAsync(Address);

        Assert.Equal(DaemonJson, Assert.Single(result.Changes).Path);
        Assert.Equal("#DOCKER_OPTS=\"--dns 8.8.8.8 --dns 8.8.4.4\"\n", File.ReadAllText(Defaults));
    }

    [Fact]
    public void Constructor_TheRemovedBothTarget_IsRefused()
    {
        // InsecureRegistryTarget.Both (3) wrote the key and the flag, which dockerd refuses; it is gone, and its number with it.
        var e = Assert.Throws<OptionsValidationException>(() => _temp.Configurator((InsecureRegistryTarget)3));

        Assert.Contains("Auto, DaemonJson, DockerDefaults", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_DockerDefaultsTargetWithoutFile_CreatesIt()
    {
        var result = await _temp.Configurator(InsecureRegistryTarget.DockerDefaults).AddAsync(Address);

        Assert.Equal(FileChangeKind.Created, Assert.Single(result.Changes).Kind);
        Assert.Equal("DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n", File.ReadAllText(Defaults));
    }

    [Fact]
    public async Task Remove_BothFiles_RemovesFromBoth()
    {
        Write(DaemonJson, "{\"insecure-registries\": [\"registry.example.com:5000\"]}");
        Write(Defaults, "DOCKER_OPTS='--insecure-registry registry.example.com:5000 --debug'\n");

        var result = await _temp.Configurator().RemoveAsync(Address);

        Assert.All(result.Changes, c => Assert.Equal(FileChangeKind.Updated, c.Kind));
        Assert.Equal(2, result.Changes.Count);
        Assert.Equal("DOCKER_OPTS='--debug'\n", File.ReadAllText(Defaults));
        Assert.Equal("{\"insecure-registries\": []}", File.ReadAllText(DaemonJson));
    }

    [Fact]
    public async Task Add_MalformedDefaults_NothingWrittenToEitherFile()
    {
        Write(Defaults, "DOCKER_OPTS=\"--debug\n");

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => _temp.Configurator(InsecureRegistryTarget.DaemonJson).AddAsync(Address));

        Assert.Equal(DockerHostConfigurationError.MalformedDockerDefaults, e.Error);
        Assert.Equal(1, e.LineNumber);
        Assert.False(File.Exists(DaemonJson));
        Assert.Equal("DOCKER_OPTS=\"--debug\n", File.ReadAllText(Defaults));
    }

    [Fact]
    public async Task Add_FolderCannotBeCreated_ThrowsFileAccessNamingThePath()
    {
        // A path under a regular file cannot be created, whoever runs the test (root ignores permission bits).
        Write(_temp.Combine("blocker"), "x");
        var options = new DockerHostOptions { DaemonJsonPath = _temp.Combine("blocker/daemon.json"), DockerDefaultsPath = Defaults };

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => new InsecureRegistryConfigurator(Options.Create(options)).AddAsync(Address));

        Assert.Equal(DockerHostConfigurationError.FileAccess, e.Error);
        Assert.Contains("blocker", e.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(_temp.Combine("blocker")));
    }

    [Fact]
    public async Task Add_ManyAddresses_EachListedOnceAndRoundTripsThroughRemove()
    {
        var configurator = _temp.Configurator();
        string[] addresses = ["localhost:5000", "10.1.2.3:443", "[fe80::1]:5000", "registry.example.com"];
        foreach (var text in addresses)
        {
            await configurator.AddAsync(RegistryAddress.Parse(text));
            await configurator.AddAsync(RegistryAddress.Parse(text));
        }

        var list = JsonNode.Parse(File.ReadAllText(DaemonJson, Encoding.UTF8))!["insecure-registries"]!.AsArray();
        Assert.Equal(addresses, list.Select(n => n!.GetValue<string>()));

        foreach (var text in addresses)
        {
            Assert.True((await configurator.RemoveAsync(RegistryAddress.Parse(text))).RestartRequired);
        }

        Assert.Empty(JsonNode.Parse(File.ReadAllText(DaemonJson))!["insecure-registries"]!.AsArray());
    }

    [Theory]
    [InlineData(InsecureRegistryTarget.DaemonJson, "{\"debug\": true}", "DOCKER_OPTS=\"--insecure-registry=10.1.0.0/16\"\n", "already has --insecure-registry flags")]
    [InlineData(InsecureRegistryTarget.DockerDefaults, "{\"insecure-registries\": []}", "DOCKER_OPTS=\"--debug\"\n", "already has the 'insecure-registries' key")]
    [InlineData(InsecureRegistryTarget.DockerDefaults, "{\"insecure-registries\": null}", null, "already has the 'insecure-registries' key")]
    [InlineData(InsecureRegistryTarget.Auto, "{\"insecure-registries\": [\"a:1\"]}", "DOCKER_OPTS=\"--insecure-registry b:2\"\n", "both in")]
    [InlineData(InsecureRegistryTarget.DaemonJson, "{\"insecure-registries\": [\"a:1\"]}", "DOCKER_OPTS=\"--insecure-registry b:2\"\n", "both in")]
    [InlineData(InsecureRegistryTarget.DockerDefaults, "{\"insecure-registries\": [\"a:1\"]}", "DOCKER_OPTS=\"--insecure-registry b:2\"\n", "both in")]
    public async Task Add_WouldConfigureBothWays_RefusedAndNothingWritten(InsecureRegistryTarget target, string? daemonJson, string? defaults, string expected)
    {
        if (daemonJson is not null)
        {
            Write(DaemonJson, daemonJson);
        }

        if (defaults is not null)
        {
            Write(Defaults, defaults);
        }

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => _temp.Configurator(target).AddAsync(Address));

        Assert.Equal(DockerHostConfigurationError.ConflictingConfiguration, e.Error);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", e.Message, StringComparison.Ordinal);
        Assert.Equal(daemonJson, File.Exists(DaemonJson) ? File.ReadAllText(DaemonJson) : null);
        Assert.Equal(defaults, File.Exists(Defaults) ? File.ReadAllText(Defaults) : null);
    }

    [Fact]
    public async Task Remove_ConflictingHost_IsAllowedSoTheHostCanBeMended()
    {
        Write(DaemonJson, "{\"insecure-registries\": [\"registry.example.com:5000\"]}");
        Write(Defaults, "DOCKER_OPTS=\"--insecure-registry=registry.example.com:5000\"\n");

        Assert.Equal(2, (await _temp.Configurator().RemoveAsync(Address)).Changes.Count(c => c.Kind == FileChangeKind.Updated));
    }

    [Theory]
    [InlineData("[::1]")]
    [InlineData("[2001:db8::1]")]
    public async Task Add_IPv6WithoutPort_RefusedShowingTheFormToGive(string text)
    {
        var address = RegistryAddress.Parse(text);

        var e = await Assert.ThrowsAsync<DockerHostConfigurationException>(() => _temp.Configurator().AddAsync(address));

        Assert.Equal(DockerHostConfigurationError.UnsupportedRegistryAddress, e.Error);
        Assert.Contains($"'{text}:5000'", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(DaemonJson));
        Assert.False(File.Exists(Defaults));
    }

    [Fact]
    public async Task Remove_IPv6WithoutPort_RemovesTheEntryThatStopsDockerd()
    {
        Write(DaemonJson, "{\"insecure-registries\": [\"[::1]\", \"a:1\"]}");

        await _temp.Configurator().RemoveAsync(RegistryAddress.Parse("[::1]"));

        Assert.Equal("{\"insecure-registries\": [\"a:1\"]}", File.ReadAllText(DaemonJson));
    }
}
