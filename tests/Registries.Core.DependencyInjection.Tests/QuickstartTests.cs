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

        // Without DOCKER_HOST the sample looks at the default socket, as on a user's machine; a null value removes it.
        var result = await Processes.RunAsync(
            "dotnet",
            [dll],
            environment: new Dictionary<string, string?> { ["DOCKER_HOST"] = null },
            timeout: TimeSpan.FromMinutes(1));

        var output = result.Output;
        Assert.True(result.ExitCode == 0, output + result.Error);
        Assert.Contains("ubuntu:22.04", output, StringComparison.Ordinal);
        Assert.Contains("authenticated as 'ci-robot'", output, StringComparison.Ordinal);
        Assert.Contains("overridden", output, StringComparison.Ordinal);
        Assert.Contains("DENIED", output, StringComparison.Ordinal);
        Assert.Contains("already present, used as it is", output, StringComparison.Ordinal);
        Assert.Contains("deactivate it first", output, StringComparison.Ordinal);
        Assert.Contains("authenticated as 'team-robot'", output, StringComparison.Ordinal);
        Assert.Contains("decided by registry.example.com:5000/team", output, StringComparison.Ordinal);
        Assert.Contains("LessSpecific", output, StringComparison.Ordinal);
        Assert.Contains("UnsupportedOrchestrationException", output, StringComparison.Ordinal);
        Assert.Contains("authenticated as 'AWS' (1r7, from credential-helper:ecr-login, until ", output, StringComparison.Ordinal);
        Assert.Contains("the helper ran 1 time(s)", output, StringComparison.Ordinal);
        Assert.Contains("UNAVAILABLE: ecr-login: no AWS credentials found on this host", output, StringComparison.Ordinal);
        Assert.Contains("pull refused, never tried anonymously: CredentialUnavailable", output, StringComparison.Ordinal);
        Assert.Contains("expired at 2024-01-31T00:00:00Z", output, StringComparison.Ordinal);
        Assert.Contains("DENIED: the environment's policy denies 'registry.example.com:5000/team/legacy'", output, StringComparison.Ordinal);
        Assert.Contains("DENIED: no allow rule of the environment's policy covers 'registry.example.com:5000/team-b/api'", output, StringComparison.Ordinal);
        Assert.Contains("pull refused before the engine is asked", output, StringComparison.Ordinal);
        Assert.Contains("bob (Member) lifts the deny rule: PermissionDeniedException", output, StringComparison.Ordinal);
        Assert.Contains("nginx:1.27: pulled from hub-cache.example.com:5000/library/nginx:1.27 as 'cache-reader'; on the host as docker.io/library/nginx:1.27, the name asked for", output, StringComparison.Ordinal);
        Assert.Contains("redis:7 while the cache is down: pulled from Docker Hub itself as 'alice-hub'", output, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr-token-1", output, StringComparison.Ordinal);
        Assert.Matches("(A|No) Docker Engine answers at unix:///var/run/docker.sock", output);
        Assert.DoesNotContain("password", output.Replace("no password needed", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(result.Error);
    }
}
