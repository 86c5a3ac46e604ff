using System.Diagnostics;
using System.Text;
using Registries.Core.Shared;
using Registries.Testing;

namespace Registries.Core.Interop.Tests;

/// <summary>The docker-credential-* client against real helper scripts that misbehave.</summary>
public sealed class CredentialHelperClientTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    [Fact]
    public async Task GetAsync_HelperFloodsStdout_IsStoppedWithAClearErrorAndBoundedMemory()
    {
        var pidFile = _directory.Combine("flood.pid");
        Helper("flood", $"echo $$ > '{pidFile}'\nexec yes 0123456789abcdef0123456789abcdef");
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        var answer = await Client(TimeSpan.FromSeconds(30)).GetAsync("flood", "registry.example.com", CredentialMask.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"took {clock.Elapsed}");
        Assert.Contains("wrote more than 1024 KiB on stdout", answer.Failure, StringComparison.Ordinal);
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) - before < 64L * 1024 * 1024);
        await AssertGoneAsync(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetAsync_HelperAnswersAndLeavesAChildHoldingStdout_TakesTheAnswerAndKillsTheChild()
    {
        var childFile = _directory.Combine("child.pid");
        Helper("forks", $"read -r server\nsleep 600 &\necho $! > '{childFile}'\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"u\",\"Secret\":\"s3cret\"}}' \"$server\"\nexit 0");
        var clock = Stopwatch.StartNew();

        var answer = await Client(TimeSpan.FromSeconds(20)).GetAsync("forks", "registry.example.com", CredentialMask.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(answer.Failure);
        Assert.Equal("u", answer.Username);
        Assert.Equal("s3cret", answer.Secret!.Reveal());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the answer took {clock.Elapsed}: it waited for the child");
        await AssertGoneAsync(int.Parse(File.ReadAllText(childFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetAsync_HelperTimesOut_KillsItsChildrenToo()
    {
        var childFile = _directory.Combine("hang.pid");
        Helper("hangs", $"sleep 600 &\necho $! > '{childFile}'\nwait");

        var answer = await Client(TimeSpan.FromSeconds(2)).GetAsync("hangs", "registry.example.com", CredentialMask.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains("did not answer within 2 s", answer.Failure, StringComparison.Ordinal);
        await AssertGoneAsync(int.Parse(File.ReadAllText(childFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task GetAsync_HelperOnlyInTheCurrentFolderWithDotOnPath_DoesNotRun()
    {
        // The test's current folder is its output folder; the helper is planted there and named for this test only.
        var name = "dot" + Guid.NewGuid().ToString("N")[..8];
        var planted = Path.Combine(Directory.GetCurrentDirectory(), "docker-credential-" + name);
        var marker = _directory.Combine("ran");
        File.WriteAllText(planted, $"#!/bin/sh\ntouch '{marker}'\necho '{{\"Username\":\"u\",\"Secret\":\"s\"}}'\n");
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var client = new CredentialHelperClient([], ".:bin::" + Path.GetFileName(Directory.GetCurrentDirectory()) + ":/usr/bin", TimeSpan.FromSeconds(10), TimeProvider.System);

            var answer = await client.GetAsync(name, "registry.example.com", CredentialMask.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(["/usr/bin"], client.Directories);
            Assert.Contains("was not found", answer.Failure, StringComparison.Ordinal);
            Assert.False(File.Exists(marker), "the helper in the current folder ran");
        }
        finally
        {
            File.Delete(planted);
        }
    }

    [Theory]
    [InlineData(".:/usr/bin:", new[] { "/usr/bin" })]
    [InlineData("bin:./x:/a:/b", new[] { "/a", "/b" })]
    [InlineData("", new string[0])]
    public void AbsolutePathEntries_DropsEmptyAndRelativeEntries(string path, string[] expected)
        => Assert.Equal(expected, CredentialHelperClient.AbsolutePathEntries(path));

    [Fact]
    public async Task GetAsync_HelperPrintsItsSecretThenFails_ReportHasNoFormOfIt()
    {
        const string canary = "Can:ary/+=\"q\\Äé€";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("deployer:" + canary));
        var json = "{\"ServerURL\":\"r\",\"Username\":\"deployer\",\"Secret\":\"" + canary.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}";
        File.WriteAllText(_directory.Combine("answer.json"), json);
        Helper("leaky", $"cat '{_directory.Combine("answer.json")}'\necho 'store failed for Basic {basic}' >&2\nexit 1");

        var answer = await Client(TimeSpan.FromSeconds(10)).GetAsync("leaky", "registry.example.com", CredentialMask.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains("failed (exit code 1)", answer.Failure, StringComparison.Ordinal);
        CredentialMaskTests.AssertNoForm(answer.Failure!, "deployer", canary);
    }

    [Fact]
    public async Task GetAsync_FailingHelperEchoesAKnownCredentialOnStderr_ItIsMasked()
    {
        const string canary = "Kn0wn:/+=\"Ä";
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + canary));
        Helper("stderr", $"echo 'bad credential {basic}' >&2\nexit 1");

        var answer = await Client(TimeSpan.FromSeconds(10)).GetAsync("stderr", "registry.example.com", CredentialMask.For("ops", canary), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("docker-credential-stderr failed (exit code 1): bad credential ***", answer.Failure);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Waits (bounded) until a process is gone: no longer in /proc, or a zombie nobody runs.</summary>
    internal static async Task AssertGoneAsync(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            var status = $"/proc/{pid}/status";
            string text;
            try
            {
                text = File.ReadAllText(status);
            }
            catch (IOException)
            {
                return;
            }

            if (text.Contains("State:\tZ", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"process {pid} is still running: the helper's child survived.");
    }

    private CredentialHelperClient Client(TimeSpan timeout) => new([_directory.Path], "/usr/bin:/bin", timeout, TimeProvider.System);

    private void Helper(string name, string body)
    {
        var path = _directory.Combine("docker-credential-" + name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
