namespace Registries.Core.FileStore.Tests;

/// <summary>The real system tools (chown, mkfifo, mount) that make the hostile files of the safety tests, run through <see cref="Processes"/>.</summary>
internal static class SystemCommands
{
    /// <summary>A user id that is not the test's (nobody): owner of the "another user's" files.</summary>
    public const int OtherUser = 65534;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Checks the tests run as root, which they need to give a file to another user and to mount.</summary>
    public static void RequireRoot()
        => Assert.True(Environment.IsPrivilegedProcess, "These tests make other users' files (chown) and mount file systems: run them as root, as the README's test command does.");

    public static Task ChownToOtherUserAsync(string path) => RunAsync("chown", "-h", $"{OtherUser}:{OtherUser}", path);

    public static Task MakeFifoAsync(string path) => RunAsync("mkfifo", "-m", "600", path);

    /// <summary>Runs a command that must succeed within 30 s.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>A task that completes when it succeeded.</returns>
    public static Task RunAsync(string program, params string[] arguments) => Processes.RunCheckedAsync(program, arguments, timeout: CommandTimeout);

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
