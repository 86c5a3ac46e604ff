using Microsoft.Extensions.Options;
using Registries.Core.Sources;

namespace Registries.Core.Interop.Tests.Sources;

/// <summary>The Docker credential helper source over helpers the test writes (the protocol's shapes and the hostile cases);
/// the real helpers are in <see cref="RealCredentialHelperTests"/>.</summary>
public sealed class DockerCredentialHelperSourceTests : IDisposable
{
    private const string Canary = "CANARY-helper-s3cret-7f1e";
    private readonly ProgramFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    internal static CredentialSourceRequest Request(string helper, string address, string? image = null)
    {
        var parsedAddress = RegistryAddress.Parse(address);
        var registry = new Registry("1r1", "1a1", parsedAddress, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.CredentialHelper(helper));
        return new CredentialSourceRequest(registry, parsedAddress, image is null ? null : ImageReference.Parse(image), null);
    }

    private DockerCredentialHelperSource Source(TimeSpan? timeout = null, params string[] allowed)
    {
        var options = new CredentialHelperSourceOptions { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        options.HelperDirectories.Add(_folder.Path);
        foreach (var name in allowed)
        {
            options.AllowedHelpers.Add(name);
        }

        return new DockerCredentialHelperSource(Options.Create(options));
    }

    // Answers with the server it was asked for as the username, so the test sees what docker would have asked.
    private void WriteEcho(string name = "echo") => _folder.Write("docker-credential-" + name, $$"""
        #!/bin/sh
        [ "$1" = get ] || { echo "unsupported action: $1"; exit 1; }
        read -r server
        printf '{"ServerURL":"%s","Username":"asked %s","Secret":"{{Canary}}"}\n' "$server" "$server"
        """);

    [Fact]
    public async Task FetchAsync_StoredCredential_ReturnsItWithoutExpiry()
    {
        WriteEcho();
        var credential = await Source(null, "echo").FetchAsync(Request("echo", "registry.example:5000", "registry.example:5000/team/app:1"), default);

        Assert.NotNull(credential);
        Assert.Equal("asked registry.example:5000", credential.Username);
        Assert.Equal(Canary, credential.Secret.Reveal());
        Assert.Equal(CredentialSecretKind.Password, credential.SecretKind);
        Assert.Null(credential.ExpiresAt);
        Assert.Equal(CredentialCacheScope.Registry, credential.CacheScope);
        Assert.DoesNotContain(Canary, credential.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_DockerHub_AsksForDockersLegacyKey()
    {
        WriteEcho();
        var credential = await Source(null, "echo").FetchAsync(Request("echo", "docker.io", "ubuntu:22.04"), default);

        Assert.Equal("asked https://index.docker.io/v1/", credential!.Username);
        Assert.Equal("https://index.docker.io/v1/", DockerCredentialHelperSource.ServerFor(RegistryAddress.DockerHub));
    }

    [Fact]
    public async Task FetchAsync_TokenUsername_IsAnIdentityToken()
    {
        _folder.Write("docker-credential-tok", """
            #!/bin/sh
            read -r server
            echo '{"ServerURL":"x","Username":"<token>","Secret":"refresh-token-value"}'
            """);
        var credential = await Source(null, "tok").FetchAsync(Request("tok", "registry.example"), default);

        Assert.Equal(CredentialSecretKind.IdentityToken, credential!.SecretKind);
        Assert.Equal("<token>", credential.Username);
    }

    [Theory]
    [InlineData("echo 'credentials not found in native keychain'; exit 1")]
    [InlineData("echo '{\"ServerURL\":\"\",\"Username\":\"\",\"Secret\":\"\"}'")]
    public async Task FetchAsync_HelperHasNone_ReturnsNull(string answer)
    {
        _folder.Write("docker-credential-none", "#!/bin/sh\nread -r server\n" + answer + "\n");

        Assert.Null(await Source(null, "none").FetchAsync(Request("none", "registry.example"), default));
    }

    [Fact]
    public async Task FetchAsync_NotAllowed_RefusesWithoutRunningIt()
    {
        var marker = _folder.File_("ran");
        _folder.Write("docker-credential-other", $"#!/bin/sh\ntouch {marker}\necho '{{}}'\n");

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "echo").FetchAsync(Request("other", "registry.example"), default));

        Assert.Contains("'other' is not allowed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("echo", ex.Message, StringComparison.Ordinal);
        Assert.Equal(CredentialSource.CredentialHelper("other"), ex.CredentialSource);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task FetchAsync_NoneAllowedByDefault_Refuses()
    {
        WriteEcho();
        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null).FetchAsync(Request("echo", "registry.example"), default));

        Assert.Contains("allows no helper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_NotFound_SaysWhereItLooked()
    {
        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "missing").FetchAsync(Request("missing", "registry.example"), default));

        Assert.Contains("docker-credential-missing was not found in " + _folder.Path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("777", null)]
    [InlineData("775", null)]
    [InlineData(null, "777")]
    public async Task FetchAsync_WritableByOthers_Refused(string? fileMode, string? folderMode)
    {
        var marker = _folder.File_("ran");
        var helper = _folder.Write("docker-credential-loose", $"#!/bin/sh\ntouch {marker}\n");
        if (fileMode is not null)
        {
            File.SetUnixFileMode(helper, (UnixFileMode)Convert.ToInt32(fileMode, 8));
        }

        if (folderMode is not null)
        {
            File.SetUnixFileMode(_folder.Path, (UnixFileMode)Convert.ToInt32(folderMode, 8));
        }

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "loose").FetchAsync(Request("loose", "registry.example"), default));

        Assert.Contains("writable by other users", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chmod go-w", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task FetchAsync_OwnedByAnotherUser_Refused()
    {
        Assert.True(Environment.UserName == "root", "The ownership test changes a file's owner, which needs root (the test machine runs tests as root).");
        var marker = _folder.File_("ran");
        var helper = _folder.Write("docker-credential-foreign", $"#!/bin/sh\ntouch {marker}\n");
        Assert.Equal(0, Chown(helper, 65534, 65534));

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "foreign").FetchAsync(Request("foreign", "registry.example"), default));

        Assert.Contains("owned by uid 65534", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task FetchAsync_Hangs_KilledWithWhatItStartedAfterTheTimeout()
    {
        var pidFile = _folder.File_("child.pid");
        _folder.Write("docker-credential-hang", $"#!/bin/sh\nsleep 300 &\necho $! > {pidFile}\nsleep 300\n");
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(TimeSpan.FromSeconds(1), "hang").FetchAsync(Request("hang", "registry.example"), default));

        Assert.Contains("did not answer within 1 s and was stopped", ex.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        Assert.False(await ProgramFolder.StillAliveAsync(pidFile), "the helper's child outlived the timeout");
    }

    [Fact]
    public async Task FetchAsync_FloodsStdout_StoppedAtTheBound()
    {
        _folder.Write("docker-credential-flood", "#!/bin/sh\nexec cat /dev/zero\n");

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(TimeSpan.FromSeconds(30), "flood").FetchAsync(Request("flood", "registry.example"), default));

        Assert.Contains("wrote more than 1024 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_PrintsTheSecretInAFailure_Masked()
    {
        _folder.Write("docker-credential-leak", $$"""
            #!/bin/sh
            read -r server
            echo '{"Username":"leaky","Secret":"{{Canary}}"} failed for {{Canary}}'
            echo 'stderr {{Canary}}' >&2
            exit 3
            """);

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "leak").FetchAsync(Request("leak", "registry.example"), default));

        Assert.Contains("exit code 3", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_JsonCredentialThenFailure_SecretMasked()
    {
        _folder.Write("docker-credential-leak2", $$"""
            #!/bin/sh
            read -r server
            echo '{"Username":"leaky","Secret":"{{Canary}}"}'
            exit 1
            """);

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "leak2").FetchAsync(Request("leak2", "registry.example"), default));

        Assert.DoesNotContain(Canary, ex.Message, StringComparison.Ordinal);
        Assert.Contains("***", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo 'not json'", "not the protocol's JSON object")]
    [InlineData("echo '{\"Username\":\"u\",\"Secret\":\"\"}'", "a Username but no Secret")]
    [InlineData("echo '{\"Username\":\"\",\"Secret\":\"s\"}'", "no Username")]
    [InlineData("echo 'some failure'; exit 2", "failed for registry.example (exit code 2): some failure")]
    public async Task FetchAsync_BadAnswers_FailWithTheReason(string answer, string expected)
    {
        _folder.Write("docker-credential-bad", "#!/bin/sh\nread -r server\n" + answer + "\n");

        var ex = await Assert.ThrowsAsync<CredentialSourceException>(async () => await Source(null, "bad").FetchAsync(Request("bad", "registry.example"), default));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_Cancelled_Throws()
    {
        _folder.Write("docker-credential-slow", "#!/bin/sh\nsleep 300\n");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Source(null, "slow").FetchAsync(Request("slow", "registry.example"), cancel.Token));
    }

    [Fact]
    public async Task FetchAsync_OtherKind_ArgumentException()
    {
        var address = RegistryAddress.Parse("registry.example");
        var registry = new Registry("1r1", "1a1", address, RegistryState.Active, "ops@example.com", string.Empty, 1, 1, CredentialSource.KubeletPlugin("echo"));

        await Assert.ThrowsAsync<ArgumentException>(async () => await Source(null, "echo").FetchAsync(new CredentialSourceRequest(registry, address, null, null), default));
    }

    [Theory]
    [InlineData("../evil", null, 10)]
    [InlineData("ok", "relative/bin", 10)]
    [InlineData("ok", null, 0)]
    [InlineData("ok", null, 700)]
    public void Constructor_InvalidOptions_OptionsValidationException(string helper, string? folder, int timeoutSeconds)
    {
        var options = new CredentialHelperSourceOptions { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        options.AllowedHelpers.Add(helper);
        if (folder is not null)
        {
            options.HelperDirectories.Add(folder);
        }

        var ex = Assert.Throws<OptionsValidationException>(() => new DockerCredentialHelperSource(Options.Create(options)));
        Assert.Contains("CredentialHelperSourceOptions.", ex.Message, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, int owner, int group);
}
