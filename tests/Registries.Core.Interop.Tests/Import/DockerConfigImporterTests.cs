using System.Text;
using CsCheck;

namespace Registries.Core.Interop.Tests;

public sealed class DockerConfigImporterTests
{
    private const string DefaultEmail = "import@example.com";

    [Fact]
    public async Task ImportAsync_AuthsEntries_AddsEachCredential()
    {
        var domain = await Domain.CreateAsync();
        var json = $$"""
            {
              "auths": {
                "https://index.docker.io/v1/": {"auth": "{{B64("hubuser:hub:pass")}}"},
                "http://10.0.0.5:5000": {"username": "custom", "password": "p w", "email": "custom@example.com"},
                "quay.io/v2/": {"auth": "{{B64("quayuser:q")}}", "email": "not an e-mail"}
              }
            }
            """;

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(3, result.ImportedCount);
        var hub = await domain.ResolveAsync("docker.io");
        Assert.Equal(("hubuser", "hub:pass", DefaultEmail), (hub.Username, hub.Password!.Reveal(), hub.Email));
        var custom = await domain.ResolveAsync("10.0.0.5:5000");
        Assert.Equal(("custom", "p w", "custom@example.com"), (custom.Username, custom.Password!.Reveal(), custom.Email));
        var quay = await domain.ResolveAsync("quay.io");
        Assert.Equal(DefaultEmail, quay.Email);
        Assert.All(result.Entries, e => Assert.NotNull(e.RegistryId));
    }

    [Fact]
    public async Task ImportAsync_SameCredentialTwice_SecondIsUnchanged()
    {
        var domain = await Domain.CreateAsync();
        var json = "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + B64("u:p") + "\"}}}";
        var importer = Importer(domain);

        var first = await importer.ImportAsync(domain.EnvironmentId, json, DefaultEmail);
        var second = await importer.ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(first.Entries).Status);
        var unchanged = Assert.Single(second.Entries);
        Assert.Equal(DockerConfigImportStatus.Unchanged, unchanged.Status);
        Assert.Equal(first.Entries[0].RegistryId, unchanged.RegistryId);
        Assert.Single(await domain.Service.ListRegistriesAsync(domain.EnvironmentId));
    }

    [Fact]
    public async Task ImportAsync_NewPasswordForConfiguredAddress_NewestWins()
    {
        var domain = await Domain.CreateAsync();
        var old = await domain.AddAsync("registry.example.com", "u", "old");
        var json = "{\"auths\": {\"registry.example.com\": {\"auth\": \"" + B64("u:new") + "\"}}}";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(DockerConfigImportStatus.Imported, Assert.Single(result.Entries).Status);
        Assert.Equal("new", (await domain.ResolveAsync("registry.example.com")).Password!.Reveal());
        var entries = await domain.Service.ListRegistriesAsync(domain.EnvironmentId);
        Assert.True(entries.Single(e => e.Registry.Id == old.Id).IsOverridden);
    }

    [Fact]
    public async Task ImportAsync_BadEntries_ReportedNotDropped()
    {
        var domain = await Domain.CreateAsync();
        const string canary = "CANARY-pw-77";
        var json = $$"""
            {
              "auths": {
                "user@bad": {"auth": "{{B64("u:" + canary)}}"},
                "nocreds.example.com": {},
                "token.example.com": {"identitytoken": "abc"},
                "good.example.com": {"auth": "{{B64("u:" + canary)}}"}
              }
            }
            """;

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(4, result.Entries.Count);
        Assert.Equal(1, result.ImportedCount);
        Assert.Equal(3, result.FailedCount);
        Assert.Contains("not a registry address", result.Entries[0].Reason, StringComparison.Ordinal);
        Assert.Contains("no credsStore", result.Entries[1].Reason, StringComparison.Ordinal);
        Assert.Contains("identity token", result.Entries[2].Reason, StringComparison.Ordinal);
        Assert.All(result.Entries, e => Assert.DoesNotContain(canary, e.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(canary, result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_ReadOnlyMember_ThrowsBeforeAnyHelperRuns()
    {
        var domain = await Domain.CreateAsync();
        var json = """{"credHelpers": {"hang.example.com": "test"}}""";

        await Assert.ThrowsAsync<PermissionDeniedException>(() => Importer(domain, "reader").ImportAsync(domain.EnvironmentId, json, DefaultEmail));
        await Assert.ThrowsAsync<EnvironmentNotFoundException>(() => Importer(domain, "mallory").ImportAsync(domain.EnvironmentId, json, DefaultEmail));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nobody")]
    public async Task ImportAsync_InvalidDefaultEmail_ThrowsArgumentException(string email)
    {
        var domain = await Domain.CreateAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => Importer(domain).ImportAsync(domain.EnvironmentId, "{}", email));
    }

    [Fact]
    public async Task ImportAsync_CredHelper_ReadsThroughTheHelperProtocol()
    {
        var domain = await Domain.CreateAsync();
        var json = """{"auths": {"ok.example.com": {}}, "credHelpers": {"ok.example.com": "test", "https://index.docker.io/v1/": "test"}}""";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(2, result.ImportedCount);
        Assert.Equal("credHelpers 'test'", result.Entries[0].Source);
        var ok = await domain.ResolveAsync("ok.example.com");
        Assert.Equal(("helper-user", "helper-s3cret:with\"quote"), (ok.Username, ok.Password!.Reveal()));
        var hub = await domain.ResolveAsync("docker.io");
        Assert.Equal(("hub-user", "hub-secret"), (hub.Username, hub.Password!.Reveal()));
    }

    [Fact]
    public async Task ImportAsync_CredsStore_UsedForEmptyAuthsEntriesOnly()
    {
        var domain = await Domain.CreateAsync();
        var json = $$$"""{"auths": {"ok.example.com": {}, "file.example.com": {"auth": "{{{B64("f:p")}}}"}}, "credsStore": "test"}""";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(["credsStore 'test'", "auths"], result.Entries.Select(e => e.Source));
        Assert.Equal(2, result.ImportedCount);
        Assert.Equal("f", (await domain.ResolveAsync("file.example.com")).Username);
    }

    [Fact]
    public async Task ImportAsync_HelperFails_ReportsTheHelpersMessage()
    {
        var domain = await Domain.CreateAsync();
        var json = """{"credHelpers": {"missing.example.com": "test", "garbage.example.com": "test", "token.example.com": "test", "x.example.com": "absent", "y.example.com": "../evil"}}""";

        var result = await Importer(domain).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.Equal(5, result.FailedCount);
        Assert.Contains("credentials not found in native keychain", result.Entries[0].Reason, StringComparison.Ordinal);
        Assert.Contains("exit code 1", result.Entries[0].Reason, StringComparison.Ordinal);
        Assert.Contains("not JSON", result.Entries[1].Reason, StringComparison.Ordinal);
        Assert.Contains("identity token", result.Entries[2].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("an-identity-token", result.Entries[2].ToString(), StringComparison.Ordinal);
        Assert.Contains("docker-credential-absent was not found", result.Entries[3].Reason, StringComparison.Ordinal);
        Assert.Contains("not a credential helper name", result.Entries[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportAsync_HelperHangs_KilledAfterTheTimeoutAndReported()
    {
        var domain = await Domain.CreateAsync();
        var options = HelperOptions();
        options.HelperTimeout = TimeSpan.FromSeconds(1);
        var json = """{"credHelpers": {"hang.example.com": "test", "ok.example.com": "test"}}""";
        var started = DateTime.UtcNow;

        var result = await Domain.Importer(domain.Service, options).ImportAsync(domain.EnvironmentId, json, DefaultEmail);

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        Assert.Equal(DockerConfigImportStatus.Failed, result.Entries[0].Status);
        Assert.Contains("did not answer within 1 s", result.Entries[0].Reason, StringComparison.Ordinal);
        Assert.Equal(DockerConfigImportStatus.Imported, result.Entries[1].Status);
    }

    [Fact]
    public async Task ImportAsync_ExportedConfig_RoundTripsEveryCredential()
    {
        // Passwords of symbols (colons, quotes, backslashes, blanks) and non-ASCII letters, as users type them.
        var passwordChars = Gen.Char[" !\"#$%&'()*+,-./0123456789:;<=>?@ABCXYZabcxyz[\\]^_`{|}~ÄÖüé€ß漢"];
        await Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 12], Gen.String[passwordChars, 1, 40])
            .SampleAsync(
                async t =>
                {
                    var (username, password) = t;
                    var source = await Domain.CreateAsync();
                    await source.AddAsync("registry.example.com:5000", username, password);
                    await source.AddAsync("docker.io", username, password, "hub@example.com");
                    var json = (await source.Exporter().ExportAsync(source.EnvironmentId)).ToDockerConfigJson();
                    var target = await Domain.CreateAsync();

                    var result = await Importer(target).ImportAsync(target.EnvironmentId, json, DefaultEmail);

                    var hub = await target.ResolveAsync("docker.io");
                    var custom = await target.ResolveAsync("registry.example.com:5000");
                    return result.ImportedCount == 2
                        && hub.Username == username && hub.Password!.Reveal() == password && hub.Email == "hub@example.com"
                        && custom.Username == username && custom.Password!.Reveal() == password;
                },
                iter: 50);
    }

    internal static DockerConfigImportOptions HelperOptions()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "helpers");
        var script = Path.Combine(directory, "docker-credential-test");

        // The build copies the script without its mode bit: make it executable, as an installed helper is.
        File.SetUnixFileMode(script, File.GetUnixFileMode(script) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var options = new DockerConfigImportOptions();
        options.HelperDirectories.Add(directory);
        return options;
    }

    private static DockerConfigImporter Importer(Domain domain, string user = Domain.Owner) => Domain.Importer(domain.As(user), HelperOptions());

    private static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
