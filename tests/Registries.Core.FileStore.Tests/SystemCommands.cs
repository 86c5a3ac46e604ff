using System.Diagnostics;

namespace Registries.Core.Storage.Tests;

/// <summary>The real system tools (chown, mkfifo, mount) that make the hostile files of the safety tests.</summary>
internal static class SystemCommands
{
    /// <summary>A user id that is not the test's (nobody): owner of the "another user's" files.</summary>
    public const int OtherUser = 65534;

    /// <summary>Checks the tests run as root, which they need to give a file to another user and to mount.</summary>
    public static void RequireRoot()
        => Assert.True(Environment.UserName == "root" || Run("id", "-u").Trim() == "0", "These tests make other users' files (chown) and mount file systems: run them as root, as the README's test command does.");

    public static void ChownToOtherUser(string path) => Run("chown", "-h", $"{OtherUser}:{OtherUser}", path);

    public static void MakeFifo(string path) => Run("mkfifo", "-m", "600", path);

    /// <summary>Runs a command that must succeed within 30 s and returns its stdout.</summary>
    public static string Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not end in 30 s.");
        }

        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed with {process.ExitCode}: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Runs <paramref name="action"/> on the thread pool and fails if it takes longer than 10 s (a read that blocks).</summary>
    public static async Task<T> WithinSecondsAsync<T>(Func<Task<T>> action, int seconds = 10)
    {
        try
        {
            return await Task.Run(action).WaitAsync(TimeSpan.FromSeconds(seconds));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The operation did not end within {seconds} s: it blocks.");
            throw;
        }
    }
}
