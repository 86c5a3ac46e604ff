namespace Registries.Core.PostgreSql.Tests;

/// <summary>Runs tests/Registries.Core.PostgreSql.Worker, a child process with its own store (its own connection pool)
/// over a test schema, that prints one line per acknowledged write.</summary>
internal static class Worker
{
    /// <summary>The variables that hand the worker the server and the protector's key (kept off the command line).</summary>
    /// <param name="connectionString">The test role's connection string.</param>
    /// <param name="key">The 32-byte key of the <see cref="TestSecretProtector"/> the test uses too.</param>
    /// <returns>The variables.</returns>
    public static Dictionary<string, string?> Environment(string connectionString, byte[] key) => new(StringComparer.Ordinal)
    {
        ["REGISTRIES_WORKER_CONNECTION"] = connectionString,
        ["REGISTRIES_WORKER_KEY"] = Convert.ToBase64String(key),
    };

    /// <summary>Runs the worker to its end through <see cref="Processes"/>.</summary>
    /// <param name="environment">The variables from <see cref="Environment"/>.</param>
    /// <param name="arguments">The worker's arguments (mode first).</param>
    /// <param name="timeout">How long it may run.</param>
    /// <returns>Its exit code and output.</returns>
    public static Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var command = CommandLine(arguments);
        return Processes.RunAsync(command[0], command.Skip(1), environment, timeout: timeout);
    }

    /// <summary>Starts the worker and returns at once, for the tests that kill it while it writes.</summary>
    /// <param name="environment">The variables from <see cref="Environment"/>.</param>
    /// <param name="arguments">The worker's arguments.</param>
    /// <returns>The running worker.</returns>
    public static RunningWorker Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments) => new(CommandLine(arguments), environment);

    /// <summary>Splits a worker's output into its lines.</summary>
    /// <param name="output">The output.</param>
    /// <returns>The lines, without the empty end.</returns>
    public static IReadOnlyList<string> Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static List<string> CommandLine(IReadOnlyList<string> arguments)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "Registries.Core.PostgreSql.Worker.dll");
        Assert.True(File.Exists(worker), $"The worker was not built next to the tests: {worker}");

        // Tests run inside 'dotnet testhost.dll': the same host runs the worker.
        var current = System.Environment.ProcessPath;
        var host = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
            ? current
            : System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return [host, worker, .. arguments];
    }
}
