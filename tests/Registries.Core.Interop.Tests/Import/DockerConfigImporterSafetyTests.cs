using System.Diagnostics;
using System.Text;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>What an importer shows and reads when the config file or its keys are hostile.</summary>
public sealed class DockerConfigImporterSafetyTests : IDisposable
{
    private const string DefaultEmail = "import@example.com";
    private readonly TestDirectory _directory = new();

    [Theory]
    [InlineData("https://user:pw-Canary/x@registry.example.com")]
    [InlineData("user:pw-Canary@registry.example.com:5000/v2/")]
    [InlineData("http://pw-Canary@10.0.0.5:5000")]
    public async Task ImportAsync_KeyWithUserInfo_IsFailedAndNeverShowsIt(string key)
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"" + key + "\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")) + "\"}}, \"credHelpers\": {\"" + key + "\": \"test\"}}";

        var result = await Domain.Importer(domain.Service, DockerConfigImporterTests.HelperOptions()).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.NotEmpty(result.Entries);
        Assert.All(result.Entries, e => Assert.Equal(DockerConfigImportStatus.Failed, e.Status));
        Assert.Contains("carries a user name and password in the address", result.Entries[0].Reason, StringComparison.Ordinal);
        var shown = string.Join("\n", result.Entries.Select(e => e.ToString() + e.Key + e.Source + e.Reason));
        Assert.DoesNotContain("pw-Canary", shown, StringComparison.Ordinal);
        Assert.Contains("***@", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_HelperNameWithUserInfo_IsNeverShown()
    {
        var domain = await Domain.CreateAsync();
        const string json = "{\"auths\": {\"registry.example.com\": {}}, \"credsStore\": \"u:pw-Canary@evil\"}";

        var result = await Domain.Importer(domain.Service).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.DoesNotContain("pw-Canary", entry.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_HelperEchoesTheSecretOnStderrAndFails_ReportHasNoFormOfIt()
    {
        const string canary = "Imp:ort/+=\"Ä€";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:" + canary));
        File.WriteAllText(_directory.Combine("answer.json"), "{\"Username\":\"deployer\",\"Secret\":\"Imp:ort/+=\\\"Ä€\"}");
        var helper = _directory.Combine("docker-credential-leaky");
        File.WriteAllText(helper, $"#!/bin/sh\ncat '{_directory.Combine("answer.json")}'\necho \"could not store deployer:{canary.Replace("\"", "\\\"", StringComparison.Ordinal)} ({basic})\" >&2\nexit 1\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new DockerConfigImportOptions();
        options.HelperDirectories.Add(_directory.Path);
        var domain = await Domain.CreateAsync();

        var result = await Domain.Importer(domain.Service, options).ImportAsync(domain.EnvironmentId, "{\"credHelpers\": {\"registry.example.com\": \"leaky\"}}", DefaultEmail);

        var entry = Assert.Single(result.Entries);
        Assert.Equal(DockerConfigImportStatus.Failed, entry.Status);
        Assert.Contains("failed (exit code 1)", entry.Reason, StringComparison.Ordinal);
        CredentialMaskTests.AssertNoForm(entry.ToString(), "deployer", canary);
    }

    [Fact]
    public async Task ImportFileAsync_Fifo_IsRefusedAtOnce()
    {
        var fifo = _directory.Combine("config.json");
        MakeFifo(fifo);

        var error = await RefusedAsync(fifo);

        Assert.Contains("is a FIFO (named pipe), not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportFileAsync_DevZero_IsRefusedAtOnce()
    {
        var error = await RefusedAsync("/dev/zero");

        Assert.Contains("is a character device, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportFileAsync_Directory_SaysItIsADirectory()
    {
        var error = await RefusedAsync(_directory.Path);

        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ImportFileAsync_HugeFile_IsRefusedWithItsLimit()
    {
        var file = _directory.Combine("big.json");
        using (var stream = File.Create(file))
        {
            stream.SetLength(DockerConfigImporter.MaxConfigBytes + 1L);
        }

        var error = await RefusedAsync(file);

        Assert.Contains("is larger than 4096 KiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportFileAsync_RegularFileWithBom_IsRead()
    {
        var domain = await Domain.CreateAsync();
        var file = _directory.Combine("config.json");
        File.WriteAllText(file, "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")) + "\"}}}", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var result = await Domain.Importer(domain.Service).ImportFileAsync(domain.EnvironmentId, file, DefaultEmail);

        Assert.Equal(1, result.ImportedCount);
    }

    public void Dispose() => _directory.Dispose();

    internal static void MakeFifo(string path)
        => Processes.RunCheckedAsync("mkfifo", [path], timeout: TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

    private static async Task<IOException> RefusedAsync(string path)
    {
        var domain = await Domain.CreateAsync();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<IOException>(
            () => Domain.Importer(domain.Service).ImportFileAsync(domain.EnvironmentId, path, DefaultEmail).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        return error;
    }
}
