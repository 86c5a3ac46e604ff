using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Registries.Core.FileStore.Tests;

public sealed class FileRegistryStoreTests : IDisposable
{
    private const string Canary = "canary-Pa55w0rd-\u00e9\u00df\"'\\:+/=";
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ListEnvironmentsAsync_NoFileYet_EmptyAndCreatesNothing()
    {
        var store = FileRegistryStore.Open(_folder.Combine("sub/store.json"));

        Assert.Empty(await store.ListEnvironmentsAsync());
        Assert.Empty(await store.ListRegistriesAsync("1a1"));
        Assert.False(Directory.Exists(_folder.Combine("sub")));
    }

    [Fact]
    public async Task AddRegistryAsync_CanaryPassword_NeverOnDiskInClearOrBase64()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", Canary));
        await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));

        Assert.Equal(Canary, (await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, added.Registry.Id))?.Password?.Reveal());
        var forbidden = new[]
        {
            Encoding.UTF8.GetBytes(Canary),
            Encoding.Unicode.GetBytes(Canary),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + Canary))),
            Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(Canary))[..16]),
        };
        var files = Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories);
        Assert.Contains(path, files);
        Assert.Contains(path + ".key", files);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var pattern in forbidden)
            {
                Assert.True(bytes.AsSpan().IndexOf(pattern) < 0, $"'{file}' contains the password or an encoding of it.");
            }
        }

        // The JSON escapes of the password are not there either.
        var text = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain("canary", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UpdateRegistryAsync_Removed_CiphertextGoneFromFile()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", Canary));
        var kept = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops2", "other-password"));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));
        var ciphertext = ProtectedPasswordOf(await File.ReadAllTextAsync(path), added.Registry.Id);
        var keptCiphertext = ProtectedPasswordOf(await File.ReadAllTextAsync(path), kept.Registry.Id);
        Assert.NotNull(ciphertext);

        await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        var after = await File.ReadAllTextAsync(path);
        Assert.DoesNotContain(ciphertext, after, StringComparison.Ordinal);
        Assert.Null(ProtectedPasswordOf(after, added.Registry.Id));
        Assert.Equal(keptCiphertext, ProtectedPasswordOf(after, kept.Registry.Id));

        // No temporary copy of the old document is left behind either.
        foreach (var file in Directory.GetFiles(_folder.Path))
        {
            Assert.DoesNotContain(ciphertext, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task UpdateRegistryAsync_PasswordUnchanged_KeepsCiphertext()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "pw"));
        var before = ProtectedPasswordOf(await File.ReadAllTextAsync(path), added.Registry.Id);

        var read = await store.GetRegistryAsync(environment.Id, added.Registry.Id);
        await store.UpdateRegistryAsync(new StoredRegistry(read!.Registry.WithState(RegistryState.Inactive), read.Password));

        Assert.Equal(before, ProtectedPasswordOf(await File.ReadAllTextAsync(path), added.Registry.Id));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NewFile_DocumentHasFormatVersionSequenceAndOwnerOnlyMode()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("REGISTRY.example.com:5000")), new RegistryCredential("ops@example.com", "ops", "pw"));
        var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));
        await store.UpdateRegistryAsync(new StoredRegistry(inactive.Registry.WithState(RegistryState.Removed), null));

        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;

        Assert.Equal(1, (int)document["formatVersion"]!);
        Assert.Equal(2, (long)document["sequence"]!);
        var environmentNode = document["environments"]![0]!;
        Assert.Equal("1a1", (string)environmentNode["id"]!);
        Assert.Equal("prod", (string)environmentNode["name"]!);
        Assert.Equal("Cattle", (string)environmentNode["orchestration"]!);
        Assert.Equal("Owner", (string)environmentNode["members"]!["alice"]!);
        var registryNode = document["registries"]![0]!.AsObject();
        Assert.Equal("REGISTRY.example.com:5000", (string)registryNode["address"]!);
        Assert.Equal("Removed", (string)registryNode["state"]!);
        Assert.Equal(3, (long)registryNode["version"]!);
        Assert.False(registryNode.ContainsKey("protectedPassword"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"formatVersion\":1,\"sequence\":3,\"environments\":[")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"sequence\":1,\"environments\":[],\"registries\":[]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":1,\"environments\":[{\"id\":\"1a1\",\"name\":\"a\",\"orchestration\":\"Cattle\",\"members\":{},\"version\":1}]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":1,\"environments\":[{\"id\":\"1a1\",\"name\":\"a\",\"orchestration\":\"Nomad\",\"members\":{},\"version\":1}],\"registries\":[]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":2,\"environments\":[],\"registries\":[{\"id\":\"1r2\",\"environmentId\":\"1a1\",\"address\":\"r.example.com\",\"state\":\"Removed\",\"email\":\"a@b.c\",\"username\":\"u\",\"sequence\":2,\"version\":1}]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":2,\"environments\":[{\"id\":\"1a1\",\"name\":\"a\",\"orchestration\":\"Cattle\",\"members\":{},\"version\":1}],\"registries\":[{\"id\":\"1r2\",\"environmentId\":\"1a1\",\"address\":\"https://r.example.com\",\"state\":\"Removed\",\"email\":\"a@b.c\",\"username\":\"u\",\"sequence\":2,\"version\":1}]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":2,\"environments\":[{\"id\":\"1a1\",\"name\":\"a\",\"orchestration\":\"Cattle\",\"members\":{},\"version\":1}],\"registries\":[{\"id\":\"1r2\",\"environmentId\":\"1a1\",\"address\":\"r.example.com\",\"state\":\"Active\",\"email\":\"a@b.c\",\"username\":\"u\",\"sequence\":2,\"version\":1}]}")]
    [InlineData("{\"formatVersion\":1,\"sequence\":1,\"environments\":[{\"id\":\"1a1\",\"name\":\"a\",\"orchestration\":\"Cattle\",\"members\":{},\"version\":1},{\"id\":\"1a1\",\"name\":\"b\",\"orchestration\":\"Cattle\",\"members\":{},\"version\":1}],\"registries\":[]}")]
    public async Task AllOperations_DamagedFile_ThrowRegistryStoreExceptionNamingFileAndLeaveItUnchanged(string content)
    {
        var path = _folder.Combine("store.json");
        await File.WriteAllTextAsync(path, content);
        var before = await File.ReadAllBytesAsync(path);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));
        await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListRegistriesByAddressAsync("1a1", Example));

        Assert.Contains(path, read.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", read.Message, StringComparison.Ordinal);
        Assert.Contains(path, write.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal(["store.json", "store.json.lock"], Directory.GetFiles(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ListEnvironmentsAsync_NewerFormatVersion_ClearErrorAndFileUnchanged()
    {
        var path = _folder.Combine("store.json");
        const string Content = "{\"formatVersion\":5,\"sequence\":0,\"environments\":[],\"registries\":[],\"somethingNew\":{}}";
        await File.WriteAllTextAsync(path, Content);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains(path, read.Message, StringComparison.Ordinal);
        Assert.Contains("format version 5", read.Message, StringComparison.Ordinal);
        Assert.Contains("newer release", read.Message, StringComparison.Ordinal);
        Assert.Equal(Content, await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task AddRegistryAsync_ScopedEntry_FileBecomesFormatTwoWhichAnOlderReleaseRefuses()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", Canary));
        Assert.Contains("\"formatVersion\": 1", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

        var team = await store.AddRegistryAsync(environment.Id, RegistryScope.Create(Example, "team"), new RegistryCredential("ops@example.com", "robot", Canary));

        var content = await File.ReadAllTextAsync(path);
        Assert.Contains("\"formatVersion\": 2", content, StringComparison.Ordinal);
        Assert.Contains("\"path\": \"team\"", content, StringComparison.Ordinal);
        Assert.Equal("team", (await FileRegistryStore.Open(path).GetRegistryAsync(environment.Id, team.Registry.Id))?.Registry.Path);
    }

    [Fact]
    public async Task ListRegistriesAsync_FormatOneFileWithAPath_RefusedAsDamagedNotWidened()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Create(Example, "team"), new RegistryCredential("ops@example.com", "robot", Canary));
        var content = (await File.ReadAllTextAsync(path)).Replace("\"formatVersion\": 2", "\"formatVersion\": 1", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, content);

        var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).ListRegistriesAsync(environment.Id));

        Assert.Contains("has a path, which format version 1 does not have", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRegistryAsync_WrongKeyFile_ClearErrorNamingBothFiles()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", Canary));
        var before = await File.ReadAllBytesAsync(path);
        var otherKey = _folder.Combine("other.key");
        new KeyFileSecretProtector(otherKey).Protect(new RegistrySecret("creates the other key"), TestContexts.Entry);

        var wrong = FileStores.Over(path, new KeyFileSecretProtector(otherKey));
        var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await wrong.ListRegistriesAsync(environment.Id));
        await Assert.ThrowsAsync<RegistryStoreException>(async () => await wrong.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("a@example.com", "a", "b")));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(otherKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task ListRegistriesAsync_KeyFileMissing_ClearErrorAndNoNewKey()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "pw"));
        File.Delete(path + ".key");

        var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).ListRegistriesAsync(environment.Id));

        Assert.Contains(path + ".key", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path + ".key"));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LockHeldByAnotherHolder_WaitsThenFailsClearly()
    {
        var path = _folder.Combine("store.json");
        var store = FileStores.Over(path, new KeyFileSecretProtector(path + ".key"), lockTimeout: TimeSpan.FromMilliseconds(300));

        // The lock is the same FileShare.None (flock) that every writer takes, here held by "another process".
        using (new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));
            Assert.Contains(store.LockPath, error.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(path));
        }

        // Released: the next write goes through.
        Assert.Equal(1, (await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())).Version);
    }

    [Fact]
    public async Task AddRegistryAsync_LockHeld_WaitsOnTheGivenClockLogsTheWaitAndTimesOut()
    {
        var path = _folder.Combine("store.json");
        var clock = new FakeTimeProvider();
        var collector = new FakeLogCollector();
        using var logging = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        var store = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path, LockTimeout = TimeSpan.FromSeconds(30) }), new KeyFileSecretProtector(path + ".key"), clock, logging);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        using var holder = new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var write = store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", Canary)).AsTask();

        // Time stands still on the fake clock: the write waits, whatever the real time.
        await Task.Delay(200);
        Assert.False(write.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<RegistryStoreException>(() => write.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Contains("more than 30 s", error.Message, StringComparison.Ordinal);
        var wait = Assert.Single(collector.GetSnapshot(), r => r.Id.Name == "WaitingForLock");
        Assert.Equal(LogLevel.Debug, wait.Level);
        Assert.Contains(store.LockPath, wait.Message, StringComparison.Ordinal);
        Assert.All(collector.GetSnapshot(), r => Assert.DoesNotContain("canary", r.Message + r.Exception, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(await store.ListRegistriesAsync(environment.Id));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LockReleasedWhileWaiting_Proceeds()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var holder = new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var write = store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()).AsTask();
        await Task.Delay(100);
        Assert.False(write.IsCompleted);
        await holder.DisposeAsync();

        Assert.Equal("x", (await write).Name);
    }

    [Fact]
    public async Task CreateEnvironmentAsync_CancelledWhileWaitingForLock_ThrowsAndWritesNothing()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        using var holder = new FileStream(store.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>(), cancellation.Token));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LeftoverTemporaryFiles_RemovedByTheNextWrite()
    {
        var path = _folder.Combine("store.json");
        var leftover = _folder.Combine(".store.json." + Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllTextAsync(leftover, "half a document from a killed writer");
        var unrelated = _folder.Combine("notes.tmp");
        await File.WriteAllTextAsync(unrelated, "not ours");
        var keyInProgress = _folder.Combine(".store.json.key." + Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllTextAsync(keyInProgress, "another process may be creating the key right now");

        await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.False(File.Exists(leftover));
        Assert.True(File.Exists(unrelated));
        Assert.True(File.Exists(keyInProgress));
    }

    [Fact]
    public async Task UpdateRegistryAsync_FileChangedByAnotherInstance_ReadsFreshState()
    {
        var path = _folder.Combine("store.json");
        var first = FileRegistryStore.Open(path);
        var second = FileRegistryStore.Open(path);
        var environment = await first.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var added = await first.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "pw"));
        Assert.Single(await first.ListRegistriesAsync(environment.Id));

        // Same length, same second: only the content tells the versions apart.
        await second.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity("ops@example.com", "opz"), added.Password));

        Assert.Equal("opz", Assert.Single(await first.ListRegistriesAsync(environment.Id)).Registry.Username);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(async () => await first.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password)));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_FileLockingDisabled_RefusedAndNothingWritten()
    {
        var path = _folder.Combine("store.json");
        var store = new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), new KeyFileSecretProtector(path + ".key")) { IsFileLockingDisabled = () => true };

        var error = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains("DOTNET_SYSTEM_IO_DISABLEFILELOCKING", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));

        // This test process runs with locking on, as it must for the other tests.
        Assert.False(FileRegistryStore.IsFileLockingDisabledInProcess());
    }

    [Fact]
    public void FileShareNone_SecondOpenOfTheLockFile_RefusedWhileTheFirstIsOpen()
    {
        // The mechanism the store relies on: on Linux .NET maps FileShare.None to flock(LOCK_EX | LOCK_NB), which
        // also excludes a second open file description in the same process, and which the kernel drops on exit.
        var lockPath = _folder.Combine("store.json.lock");
        using (new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Throws<IOException>(() => new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }

        using var again = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        Assert.True(again.CanWrite);
    }

    [Fact]
    public void Open_FolderOrEmptyPath_Refused()
    {
        var error = Assert.Throws<OptionsValidationException>(() => FileRegistryStore.Open(_folder.Path + Path.DirectorySeparatorChar));

        Assert.Contains("names a folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("registries.json", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => FileRegistryStore.Open(" "));
        Assert.Throws<ArgumentNullException>(() => new FileRegistryStore(Options.Create(new FileStoreOptions { Path = _folder.Combine("s.json") }), null!));
    }

    private static string? ProtectedPasswordOf(string json, string registryId)
    {
        var registries = JsonNode.Parse(json)!["registries"]!.AsArray();
        var node = registries.Single(r => (string)r!["id"]! == registryId)!.AsObject();
        return node.TryGetPropertyValue("protectedPassword", out var value) ? (string?)value : null;
    }
}
