using System.Text;
using System.Text.Json;
using Registries.Testing;

namespace Registries.Cli.Tests;

// The real clients through the installed docker-credential-registries: the docker CLI (credHelpers, and credsStore)
// pulling through the test dockerd, and skopeo (containers auth.json credHelpers) copying from the TLS registry. The
// story each time: works while active; after `registry deactivate` the next pull fails and nothing is pulled; after
// `activate` it works again; and no file under the client's config folder ever holds the password.
// Pulls are by digest of test/hello (REGISTRIES_TEST_IMAGE): this test's reference only, removed between pulls so that a
// pull really reaches the registry (the engine uses a present image as it is).
[Trait("Category", "Integration")]
public sealed class CredentialHelperClientTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private readonly RegistriesCli _cli = new();
    private readonly TestServices _services = TestServices.Require();

    [Theory]
    [InlineData("credHelpers", false)]
    [InlineData("credsStore", false)]
    [InlineData("credHelpers", true)]
    [InlineData("credsStore", true)]
    public async Task DockerCli_PullsWhileActive_DeactivatedWithholdsTheCredential_ActivatedPullsAgain(string configKey, bool native)
    {
        var bin = await SetUpAsync(native);
        var dockerConfig = MakeFolder("docker");
        await File.WriteAllTextAsync(
            Path.Combine(dockerConfig, "config.json"),
            configKey == "credsStore"
                ? "{\"credsStore\":\"registries\"}"
                : $"{{\"credHelpers\":{{\"{_services.Registry}\":\"registries\"}}}}");
        var environment = ClientEnvironment(bin, ("DOCKER_CONFIG", dockerConfig));
        var reference = await DigestReferenceAsync(bin);
        await DockerAsync(environment, "rmi", reference);
        try
        {
            var active = await DockerAsync(environment, "pull", reference);
            Assert.True(active.ExitCode == 0, $"docker pull while active: {active.Output} {active.Error}");
            Assert.True(await ImageExistsAsync(reference));

            await DockerAsync(environment, "rmi", reference);
            await _cli.SucceedAsync("registry", "deactivate", "1a1", "1r2");
            var inactive = await DockerAsync(environment, "pull", reference);

            // What really happens: the docker CLI shows the helper's stderr (our reason), ignores its failure and asks
            // the engine to pull without credentials, which the private registry refuses. Nothing is pulled.
            Assert.NotEqual(0, inactive.ExitCode);
            Assert.Contains("docker-credential-registries: pulls from " + _services.Registry + " are denied", inactive.Error, StringComparison.Ordinal);
            Assert.Contains("inactive", inactive.Error, StringComparison.Ordinal);
            Assert.False(await ImageExistsAsync(reference));

            await _cli.SucceedAsync("registry", "activate", "1a1", "1r2");
            var again = await DockerAsync(environment, "pull", reference);
            Assert.True(again.ExitCode == 0, $"docker pull after activate: {again.Output} {again.Error}");
            Assert.True(await ImageExistsAsync(reference));

            AssertNoPasswordUnder(dockerConfig);
            AssertNoPassword(active.Output + active.Error + inactive.Output + inactive.Error + again.Output + again.Error);
        }
        finally
        {
            await DockerAsync(environment, "rmi", reference);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Skopeo_CopiesWhileActive_DeactivatedStopsWithOurReason_ActivatedCopiesAgain(bool native)
    {
        var bin = await SetUpAsync(native);
        var containers = MakeFolder("containers");
        var authFile = Path.Combine(containers, "auth.json");
        await File.WriteAllTextAsync(authFile, $"{{\"credHelpers\":{{\"{_services.Registry}\":\"registries\"}}}}");
        var environment = ClientEnvironment(bin);

        var active = await SkopeoCopyAsync(environment, authFile, "active");
        Assert.True(active.Result.ExitCode == 0, $"skopeo copy while active: {active.Result.Error}");
        Assert.True(File.Exists(Path.Combine(active.Target, "manifest.json")));

        await _cli.SucceedAsync("registry", "deactivate", "1a1", "1r2");
        var inactive = await SkopeoCopyAsync(environment, authFile, "inactive");

        // containers/image stops on a helper error that is not "not found", quoting what the helper said.
        Assert.NotEqual(0, inactive.Result.ExitCode);
        Assert.Contains($"pulls from {_services.Registry} are denied in environment 1a1", inactive.Result.Error, StringComparison.Ordinal);
        Assert.Contains("inactive", inactive.Result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("unauthorized", inactive.Result.Error, StringComparison.OrdinalIgnoreCase);
        // skopeo prepares its dir: target (a "version" file) before it reads the source; no manifest or layer came.
        var copied = Directory.Exists(inactive.Target) ? Directory.GetFiles(inactive.Target).Select(Path.GetFileName).Where(n => n != "version").ToArray() : [];
        Assert.True(copied.Length == 0, "skopeo copied while the registry was inactive: " + string.Join(", ", copied));

        await _cli.SucceedAsync("registry", "activate", "1a1", "1r2");
        var again = await SkopeoCopyAsync(environment, authFile, "again");
        Assert.True(again.Result.ExitCode == 0, $"skopeo copy after activate: {again.Result.Error}");

        AssertNoPasswordUnder(containers);
        AssertNoPassword(active.Result.Output + active.Result.Error + inactive.Result.Output + inactive.Result.Error + again.Result.Error);
    }

    [Fact]
    public async Task Skopeo_HelperWithAWrongStore_StopsWithTheHelpersClearError()
    {
        var bin = await SetUpAsync();
        var authFile = Path.Combine(MakeFolder("containers"), "auth.json");
        await File.WriteAllTextAsync(authFile, $"{{\"credHelpers\":{{\"{_services.Registry}\":\"registries\"}}}}");
        File.Move(_cli.StorePath, _cli.StorePath + ".moved");

        var copy = await SkopeoCopyAsync(ClientEnvironment(bin), authFile, "gone");

        Assert.NotEqual(0, copy.Result.ExitCode);
        Assert.Contains($"the store '{_cli.StorePath}' does not exist", copy.Result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", copy.Result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    // An environment with the test registry's credential (1a1, 1r2) and the helper installed in a folder of its own:
    // the script that runs this CLI, or (native) the one that runs the published native helper.
    private async Task<string> SetUpAsync(bool native = false)
    {
        await _cli.SucceedAsync("env", "create", "prod");
        await _cli.SucceedWithInputAsync(_services.Password, "registry", "add", "1a1", "--address", _services.Registry, "--email", "ci@example.com", "--username", _services.User, "--password-stdin");
        var bin = MakeFolder("bin");
        await _cli.SucceedAsync(native
            ? ["credential-helper", "install", "1a1", "--dir", bin, "--native", NativeExecutables.CredentialHelper]
            : ["credential-helper", "install", "1a1", "--dir", bin]);
        return bin;
    }

    // The helper's folder first on PATH, as an operator puts /usr/local/bin; no REGISTRIES_* of the test run.
    private static Dictionary<string, string?> ClientEnvironment(string bin, params (string Name, string Value)[] more)
    {
        var environment = new Dictionary<string, string?>
        {
            ["PATH"] = bin + ":" + System.Environment.GetEnvironmentVariable("PATH"),
            ["REGISTRIES_STORE"] = null,
            ["REGISTRIES_USER"] = null,
            ["REGISTRIES_KEY_FILE"] = null,
            ["REGISTRY_AUTH_FILE"] = null,
            ["DOCKER_HOST"] = null,
        };
        foreach (var (name, value) in more)
        {
            environment[name] = value;
        }

        return environment;
    }

    private async Task<string> DigestReferenceAsync(string bin)
    {
        var authFile = Path.Combine(MakeFolder("digest"), "auth.json");
        await File.WriteAllTextAsync(authFile, $"{{\"credHelpers\":{{\"{_services.Registry}\":\"registries\"}}}}");
        var inspect = await Processes.RunAsync(
            _services.Skopeo,
            ["inspect", "--authfile", authFile, "--cert-dir", CertificatesFolder(), $"docker://{_services.Registry}/{_services.Image}"],
            ClientEnvironment(bin),
            timeout: Limit);
        Assert.True(inspect.ExitCode == 0, $"skopeo inspect: {inspect.Error}");
        using var document = JsonDocument.Parse(inspect.Output);
        return $"{_services.Registry}/{_services.Image.Split(':')[0]}@{document.RootElement.GetProperty("Digest").GetString()}";
    }

    private async Task<(ProcessResult Result, string Target)> SkopeoCopyAsync(Dictionary<string, string?> environment, string authFile, string name)
    {
        var target = _cli.Combine("copy-" + name);
        var result = await Processes.RunAsync(
            _services.Skopeo,
            ["copy", "--authfile", authFile, "--src-cert-dir", CertificatesFolder(), $"docker://{_services.Registry}/{_services.Image}", "dir:" + target],
            environment,
            timeout: Limit);
        return (result, target);
    }

    private string CertificatesFolder()
    {
        var certs = _cli.Combine("certs");
        if (!Directory.Exists(certs))
        {
            Directory.CreateDirectory(certs);
            File.Copy(_services.RegistryCa, Path.Combine(certs, "ca.crt"));
        }

        return certs;
    }

    private async Task<ProcessResult> DockerAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
        => await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, .. args], environment, timeout: Limit);

    private async Task<bool> ImageExistsAsync(string reference)
        => (await Processes.RunAsync(_services.DockerCli, ["--host", _services.DockerHost, "image", "inspect", reference], timeout: Limit)).ExitCode == 0;

    private void AssertNoPasswordUnder(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            AssertNoPassword(File.ReadAllText(file));
        }
    }

    private void AssertNoPassword(string text)
    {
        Assert.DoesNotContain(_services.Password, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(_services.Password)), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(_services.User + ":" + _services.Password)), text, StringComparison.Ordinal);
    }

    private string MakeFolder(string name)
    {
        var path = _cli.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }
}
