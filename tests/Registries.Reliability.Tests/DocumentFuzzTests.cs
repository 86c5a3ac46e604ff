using Microsoft.Extensions.Options;
using Registries.Core;
using Registries.Core.HostConfiguration;
using Registries.Core.Interop;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Reliability.Tests;

/// <summary>The Docker config importer and the daemon.json editor take any document: only their documented errors,
/// no hang, and never a partial write.</summary>
public sealed class DocumentFuzzTests : IDisposable
{
    private const string Canary = "CANARY-fuzz-secret";

    private static readonly string[] ConfigSeeds =
    [
        "{\"auths\":{\"registry.example.com:5000\":{\"auth\":\"dXNlcjpwYXNz\"}}}",
        "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"u\",\"password\":\"" + Canary + "\",\"email\":\"u@example.com\"}}}",
        "{\"auths\":{\"quay.io\":{}},\"credsStore\":\"nonexistent-helper\"}",
        "{\"credHelpers\":{\"registry.example.com\":\"nonexistent-helper\"}}",
        "{\"auths\":{\"http://10.0.0.5:5000/v2/\":{\"auth\":\"Og==\"},\"[fe80::1]:5000\":{\"auth\":\"YTpi\"}}}",
        "{}",
    ];

    private static readonly string[] DaemonSeeds =
    [
        "{}",
        "{\n  \"insecure-registries\": [\"10.0.0.5:5000\"],\n  \"log-driver\": \"json-file\"\n}",
        "{\"insecure-registries\":[],\"registry-mirrors\":[\"https://mirror.example.com\"],\"debug\":true}",
        "{\r\n\t\"insecure-registries\": [\"Registry.Example.com:5000\", \"x\"]\r\n}",
        "",
        "[]",
    ];

    private readonly TestDirectory _directory = new("registries-fuzz-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task DockerConfigImporter_AnyDocument_OnlyDocumentedErrorsAndNoSecretInResults()
    {
        var service = new RegistryService(new InMemoryRegistryStore()).As("owner");
        var environment = await service.CreateEnvironmentAsync("fuzz");

        // No verification: the fuzz target is the document, not a registry (Verify stays false, so no verifier is needed).
        var importer = new DockerConfigImporter(service, Options.Create(new DockerConfigImportOptions { HelperTimeout = TimeSpan.FromSeconds(2) }), verifier: null);

        await Fuzz.RunAsync(Fuzz.Inputs(ConfigSeeds), input =>
        {
            try
            {
                var result = importer.ImportAsync(environment.Id, input, "ops@example.com").GetAwaiter().GetResult();
                foreach (var entry in result.Entries)
                {
                    Assert.DoesNotContain(Canary, entry.ToString() ?? string.Empty, StringComparison.Ordinal);
                    Assert.DoesNotContain(Canary, entry.Reason ?? string.Empty, StringComparison.Ordinal);
                }
            }
            catch (DockerConfigFormatException error)
            {
                Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
            }
        });
    }

    [Fact]
    public Task DaemonJsonEditor_AnyFile_OnlyDocumentedErrorsAndNoPartialWrite()
    {
        var address = RegistryAddress.Parse("registry.example.com:5000");
        var index = 0;
        return Fuzz.RunAsync(Fuzz.Inputs(DaemonSeeds), input =>
        {
            var folder = _directory.Combine((index++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var daemonJson = Path.Combine(folder, "daemon.json");
            // Files hold bytes: what cannot be encoded becomes U+FFFD, as any editor would write it.
            File.WriteAllBytes(daemonJson, System.Text.Encoding.UTF8.GetBytes(input));
            var before = File.ReadAllBytes(daemonJson);
            var configurator = new InsecureRegistryConfigurator(Options.Create(new DockerHostOptions
            {
                DaemonJsonPath = daemonJson,
                DockerDefaultsPath = Path.Combine(folder, "docker"),
                CertificatesDirectory = Path.Combine(folder, "certs.d"),
                InsecureRegistryTarget = InsecureRegistryTarget.DaemonJson,
            }));
            try
            {
                // The fuzz target is synchronous (CsCheck's Sample): each call is awaited to its end before the next.
                configurator.AddAsync(address).GetAwaiter().GetResult();
                Assert.True(configurator.IsConfiguredAsync(address).GetAwaiter().GetResult());
                var once = File.ReadAllBytes(daemonJson);
                Assert.False(configurator.AddAsync(address).GetAwaiter().GetResult().RestartRequired);
                Assert.Equal(once, File.ReadAllBytes(daemonJson));
            }
            catch (DockerHostConfigurationException)
            {
                Assert.Equal(before, File.ReadAllBytes(daemonJson));
            }

            Assert.Single(Directory.GetFiles(folder));
            Directory.Delete(folder, recursive: true);
        });
    }
}
