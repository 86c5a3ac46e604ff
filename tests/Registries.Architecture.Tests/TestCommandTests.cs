using System.Diagnostics;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>The README's test command on machines people have: another package manager busy at the same time.</summary>
/// <remarks>
/// <c>eng/services.sh install</c> runs apt-get as the test command does; <c>hostname</c> is installed on every Debian
/// machine, so apt-get takes the package lock and changes nothing. A python3 process holds the lock meanwhile, with
/// the same fcntl lock apt-get itself takes.
/// </remarks>
[Trait("Category", "Integration")]
public sealed class TestCommandTests
{
    private static readonly string Services = RepositoryPaths.Combine("eng", "services.sh");

    [Fact]
    public async Task ServicesInstall_PackageLockHeldForAWhile_WaitsForItAndSaysWhoHeldIt()
    {
        using var holder = await LockHolder.StartAsync(TimeSpan.FromSeconds(6));

        var result = await Processes.RunAsync("bash", [Services, "install", "hostname"], timeout: TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Contains($"waiting (at most 600s) for the package lock, held by process {holder.ProcessId} (python3)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServicesInstall_PackageLockHeldPastTheLimit_FailsNamingTheHolder()
    {
        using var holder = await LockHolder.StartAsync(TimeSpan.FromMinutes(2));

        var result = await Processes.RunAsync(
            "bash",
            [Services, "install", "hostname"],
            new Dictionary<string, string?> { ["REGISTRIES_APT_LOCK_WAIT"] = "2" },
            timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(
            $"the package lock was still held by process {holder.ProcessId} (python3) after 2s; wait for it to finish and run again",
            result.Error,
            StringComparison.Ordinal);
    }

    // Holds dpkg's frontend lock until it is disposed or its time is up.
    private sealed class LockHolder : IDisposable
    {
        private readonly Process _process;

        private LockHolder(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public static async Task<LockHolder> StartAsync(TimeSpan hold)
        {
            var script = "import fcntl, sys, time\n"
                + "f = open('/var/lib/dpkg/lock-frontend', 'w')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                + "print('held', flush=True)\n"
                + $"time.sleep({hold.TotalSeconds:0})\n";
            var process = Process.Start(new ProcessStartInfo("python3", ["-c", script]) { RedirectStandardOutput = true })
                ?? throw new InvalidOperationException("python3 did not start.");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.Equal("held", line);
            return new LockHolder(process);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(TimeSpan.FromSeconds(30));
            }

            _process.Dispose();
        }
    }
}
