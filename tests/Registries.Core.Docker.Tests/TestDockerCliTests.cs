using System.Runtime.Versioning;
using Registries.Testing;

namespace Registries.Core.Docker.Tests;

/// <summary>The docker CLI the tests run must not depend on the machine's credential store.</summary>
/// <remarks>
/// A docker CLI whose configuration holds no credential picks <c>pass</c> as its store when <c>pass</c> and
/// <c>docker-credential-pass</c> are on PATH (common on developer machines), and <c>docker login</c> then fails where
/// pass is not initialized. A <c>pass</c> and a helper that always fail stand in for such a machine here.
/// </remarks>
[Trait("Category", "Integration")]
[SupportedOSPlatform("linux")]
public sealed class TestDockerCliTests
{
    private readonly TestServices _services = TestServices.Require();

    [Fact]
    public async Task Login_PassAndItsHelperOnPath_WritesTheTestsOwnConfig()
    {
        using var directory = new TestDirectory("registries-docker-cli-");
        var bin = directory.Combine("bin");
        Directory.CreateDirectory(bin);
        foreach (var name in new[] { "pass", "docker-credential-pass", "docker-credential-secretservice" })
        {
            var path = Path.Combine(bin, name);
            await File.WriteAllTextAsync(path, "#!/bin/sh\necho 'pass not initialized' >&2\nexit 1\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var config = directory.Combine("docker");
        Directory.CreateDirectory(config);
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = bin + ":" + System.Environment.GetEnvironmentVariable("PATH"),
            ["DOCKER_CONFIG"] = config,
        };

        var login = await Processes.RunAsync(
            _services.DockerCli,
            ["--host", _services.DockerHost, "login", "--username", _services.User, "--password-stdin", _services.Registry],
            environment,
            input: _services.Password);

        Assert.True(login.ExitCode == 0, $"docker login failed: {login.Output} {login.Error}");
        var written = await File.ReadAllTextAsync(Path.Combine(config, "config.json"));
        Assert.Contains(_services.Registry, written, StringComparison.Ordinal);
        Assert.DoesNotContain("credsStore", written, StringComparison.Ordinal);
    }
}
