using System.Diagnostics;
using Microsoft.Extensions.Options;
using Registries.Core.Docker;
using Registries.Core.Engine;
using Registries.Core.Sources;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>The credential helper source over Debian's real helpers, unpacked by eng/services.sh into
/// <c>REGISTRIES_TEST_CREDENTIAL_HELPERS</c>: <c>docker-credential-pass</c> over a throwaway gpg key and pass store, and
/// <c>docker-credential-ecr-login</c> inside a network namespace of the test's own (<c>unshare -n</c>, loopback up).</summary>
/// <remarks>Each real helper is run through a wrapper script in the test's own allowed folder that sets what the helper
/// needs (the gpg home and pass store, or the namespace) and execs the real program: the source itself runs helpers as
/// they are, with no command prefix.</remarks>
[Trait("Category", "Integration")]
public sealed class RealCredentialHelperTests : IAsyncLifetime
{
    private const string Canary = "CANARY-pass-Secr3t-d41c";
    private const string Server = "registry.example:5000";
    private readonly ProgramFolder _folder = new();
    private readonly string _state = Directory.CreateTempSubdirectory("registries-pass-").FullName;

    private static string Helpers
    {
        get
        {
            var helpers = Environment.GetEnvironmentVariable("REGISTRIES_TEST_CREDENTIAL_HELPERS");
            Assert.False(string.IsNullOrEmpty(helpers), "REGISTRIES_TEST_CREDENTIAL_HELPERS is not set: run `source STATE/env.sh` after eng/services.sh start, which unpacks Debian's credential helpers.");
            Assert.True(File.Exists(Path.Combine(helpers, "docker-credential-pass")), $"{helpers} holds no docker-credential-pass: eng/services.sh start unpacks it.");
            return helpers;
        }
    }

    private string GnupgHome => Path.Combine(_state, "gnupg");

    private string Store => Path.Combine(_state, "store");

    // One line per run of the pass wrapper: how many times the source ran the helper.
    private string Calls => Path.Combine(_state, "calls");

    private int CallCount => File.Exists(Calls) ? File.ReadAllLines(Calls).Length : 0;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(GnupgHome);
        File.SetUnixFileMode(GnupgHome, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await RunAsync("gpg", ["--batch", "--passphrase", string.Empty, "--quick-gen-key", "Registries Test <test@example.invalid>", "default", "default", "never"]);
        var keys = await RunAsync("gpg", ["--list-keys", "--with-colons"]);
        var fingerprint = keys.Split('\n').First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        await RunAsync("pass", ["init", fingerprint]);
        _folder.Write("docker-credential-pass", $"""
            #!/bin/sh
            export GNUPGHOME='{GnupgHome}' PASSWORD_STORE_DIR='{Store}'
            echo "$1" >> '{Calls}'
            exec '{Path.Combine(Helpers, "docker-credential-pass")}' "$@"
            """);
        _folder.Write("docker-credential-ecr-login", $"""
            #!/bin/sh
            exec unshare -n sh -c 'ip link set lo up && HOME="$1" AWS_ACCESS_KEY_ID=AKIAEXAMPLEONLY AWS_SECRET_ACCESS_KEY=not-a-real-key AWS_EC2_METADATA_DISABLED=true exec "$2" get' sh '{_state}' '{Path.Combine(Helpers, "docker-credential-ecr-login")}'
            """);
    }

    public async Task DisposeAsync()
    {
        await RunAsync("gpgconf", ["--kill", "gpg-agent"]);
        _folder.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private DockerCredentialHelperSource Source()
    {
        var options = new CredentialHelperSourceOptions { Timeout = TimeSpan.FromSeconds(60) };
        options.AllowedHelpers.Add("pass");
        options.AllowedHelpers.Add("ecr-login");
        options.HelperDirectories.Add(_folder.Path);
        return new DockerCredentialHelperSource(Options.Create(options));
    }

    private Task StoreAsync(string username, string secret, string server = Server)
        => RunAsync(Path.Combine(Helpers, "docker-credential-pass"), ["store"], $$"""{"ServerURL":"{{server}}","Username":"{{username}}","Secret":"{{secret}}"}""");

    [Fact]
    public async Task Pass_PullsThroughDockerd_RotationAfterRefresh_ErasedIsUnavailable_DeactivatedNeverRuns()
    {
        var services = TestServices.Require();
        await StoreAsync(services.User, services.Password, services.Registry);
        var store = new InMemoryRegistryStore();
        var sources = new CredentialSources([Source()]);
        var registries = new RegistryService(store, sources: sources).As("alice");
        var environment = await registries.CreateEnvironmentAsync("pass-sourced");
        var entry = await registries.AddRegistryAsync(environment.Id, RegistryAddress.Parse(services.Registry), RegistryCredential.FromCredentialHelper("ops@example.com", "pass"));
        var pulls = new ImagePullService(new LaunchResolver(store, sources: sources), new DockerImageEngine(Options.Create(new DockerEngineOptions { Endpoint = new Uri(services.DockerHost) })));
        var reference = $"{services.Registry}/{services.Image}";
        var image = ImageReference.Parse(reference);
        async Task RemoveImageAsync() => await Processes.RunAsync(services.DockerCli, ["--host", services.DockerHost, "rmi", "--force", reference], timeout: TimeSpan.FromMinutes(2));

        // The helper's credential pulls through the real dockerd.
        await RemoveImageAsync();
        var first = await pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true);
        Assert.True(first.Pulled);
        Assert.Equal(ResolutionOutcome.Authenticated, first.Resolution!.Outcome);
        Assert.Equal(CredentialSource.CredentialHelper("pass"), first.Resolution.Source);
        Assert.Equal(services.User, first.Resolution.Username);

        // Rotated in pass to a wrong secret: the cached value still serves until a refresh; after it, the engine gets the
        // new (wrong) one and the registry refuses it; back to the right one and a refresh, pulls work again.
        await StoreAsync(services.User, Canary, services.Registry);
        await RemoveImageAsync();
        Assert.True((await pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true)).Pulled);
        Assert.True(await registries.RefreshRegistryAsync(environment.Id, entry.Id));
        await RemoveImageAsync();
        var refused = await Assert.ThrowsAsync<ImagePullException>(() => pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true).AsTask());
        Assert.Equal(ImagePullError.Unauthorized, refused.Error);
        Assert.DoesNotContain(Canary, refused.ToString(), StringComparison.Ordinal);
        await StoreAsync(services.User, services.Password, services.Registry);
        await registries.RefreshRegistryAsync(environment.Id, entry.Id);
        Assert.True((await pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true)).Pulled);

        // Erased from pass: Unavailable with the helper's answer, and no pull (never anonymous).
        await RunAsync(Path.Combine(Helpers, "docker-credential-pass"), ["erase"], services.Registry);
        await registries.RefreshRegistryAsync(environment.Id, entry.Id);
        var erased = await registries.ResolveAsync(environment.Id, image);
        Assert.Equal(ResolutionOutcome.Unavailable, erased.Outcome);
        Assert.Contains("no credential", erased.Reason, StringComparison.Ordinal);
        await RemoveImageAsync();
        var unavailable = await Assert.ThrowsAsync<ImagePullException>(() => pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true).AsTask());
        Assert.Equal(ImagePullError.CredentialUnavailable, unavailable.Error);

        // Deactivated: Denied, and the helper never runs again.
        await StoreAsync(services.User, services.Password, services.Registry);
        await registries.DeactivateRegistryAsync(environment.Id, entry.Id);
        var calls = CallCount;
        Assert.Equal(ResolutionOutcome.Denied, (await registries.ResolveAsync(environment.Id, image)).Outcome);
        var denied = await Assert.ThrowsAsync<ImagePullException>(() => pulls.EnsureImageAsync(environment.Id, image, alwaysPull: true).AsTask());
        Assert.Equal(ImagePullError.Denied, denied.Error);
        Assert.Equal(calls, CallCount);
    }

    [Fact]
    public async Task Pass_StoredChangedRemoved_FetchedRefetchedThenNone()
    {
        var source = Source();
        var request = DockerCredentialHelperSourceTests.Request("pass", Server, Server + "/team/app:1");
        await StoreAsync("deploy", Canary);

        var first = await source.FetchAsync(request, default);
        Assert.NotNull(first);
        Assert.Equal("deploy", first.Username);
        Assert.Equal(Canary, first.Secret.Reveal());
        Assert.Null(first.ExpiresAt);
        Assert.DoesNotContain(Canary, first.ToString(), StringComparison.Ordinal);

        await StoreAsync("deploy", Canary + "-rotated");
        var second = await source.FetchAsync(request, default);
        Assert.Equal(Canary + "-rotated", second!.Secret.Reveal());

        await RunAsync(Path.Combine(Helpers, "docker-credential-pass"), ["erase"], Server);
        Assert.Null(await source.FetchAsync(request, default));
    }

    [Fact]
    public async Task Pass_UnknownServer_None()
    {
        await StoreAsync("deploy", Canary);

        Assert.Null(await Source().FetchAsync(DockerCredentialHelperSourceTests.Request("pass", "other.example"), default));
    }

    [Fact]
    public async Task Pass_StoreCannotDecrypt_FailureWithoutTheSecret()
    {
        await StoreAsync("deploy", Canary);
        await RunAsync("gpgconf", ["--kill", "gpg-agent"]);
        Directory.Move(GnupgHome, GnupgHome + ".gone");
        try
        {
            var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source().FetchAsync(DockerCredentialHelperSourceTests.Request("pass", Server), default));

            Assert.Contains("docker-credential-pass failed for " + Server, ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Move(GnupgHome + ".gone", GnupgHome);
        }
    }

    // ecr-login answers "credentials not found in native keychain" for every failure (its reason is in its own log): the
    // source reports that as "no credential", which a resolution turns into Unavailable, never into an anonymous pull.
    [Fact]
    public async Task EcrLogin_Offline_NoCredentialAndItsLogSaysWhy()
    {
        var ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

        var credential = await Source().FetchAsync(DockerCredentialHelperSourceTests.Request("ecr-login", ecr, ecr + "/app:1"), default);

        Assert.Null(credential);
        var log = await File.ReadAllTextAsync(Path.Combine(_state, ".ecr", "log", "ecr-login.log"));
        Assert.Contains("network is unreachable", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcrLogin_NotAnEcrRegistry_NoCredential()
    {
        Assert.Null(await Source().FetchAsync(DockerCredentialHelperSourceTests.Request("ecr-login", "docker.io", "ubuntu"), default));
        var log = await File.ReadAllTextAsync(Path.Combine(_state, ".ecr", "log", "ecr-login.log"));
        Assert.Contains("https://index.docker.io/v1/", log, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? input = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GNUPGHOME"] = GnupgHome;
        start.Environment["PASSWORD_STORE_DIR"] = Store;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }
}
