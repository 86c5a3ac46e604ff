using System.Diagnostics;
using Registries.Testing;

namespace Registries.Core.DependencyInjection.Tests;

/// <summary>The README's first command works: the quickstart runs to the end and tells the story.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task Quickstart_Runs_AndShowsEveryRule()
    {
        var dll = RepositoryPaths.Combine("samples", "Registries.Quickstart", "bin", RepositoryPaths.Configuration, "net10.0", "Registries.Quickstart.dll");
        Assert.True(File.Exists(dll), $"The quickstart was not built at {dll}.");
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("DOCKER_HOST");

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        var output = await stdout;
        Assert.True(process.ExitCode == 0, output + await stderr);
        Assert.Contains("ubuntu:22.04", output, StringComparison.Ordinal);
        Assert.Contains("authenticated as 'ci-robot'", output, StringComparison.Ordinal);
        Assert.Contains("overridden", output, StringComparison.Ordinal);
        Assert.Contains("DENIED", output, StringComparison.Ordinal);
        Assert.Contains("already present, used as it is", output, StringComparison.Ordinal);
        Assert.Contains("deactivate it first", output, StringComparison.Ordinal);
        Assert.Contains("UnsupportedOrchestrationException", output, StringComparison.Ordinal);
        Assert.Matches("(A|No) Docker Engine answers at unix:///var/run/docker.sock", output);
        Assert.DoesNotContain("password", output.Replace("no password needed", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await stderr);
    }
}
