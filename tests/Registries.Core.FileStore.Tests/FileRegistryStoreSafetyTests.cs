using System.Runtime.Versioning;

namespace Registries.Core.FileStore.Tests;

/// <summary>The store and its key trust only regular files of their own user, keep them private, and refuse hostile
/// paths (pipes, devices, folders, huge files) without blocking and without changing anything stored.</summary>
/// <remarks>Linux, as root: the tests give files to another user (chown), make named pipes and mount file systems.</remarks>
[SupportedOSPlatform("linux")]
public sealed class FileRegistryStoreSafetyTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = OwnerOnly | UnixFileMode.UserExecute;
    private static readonly RegistryAddress Example = RegistryAddress.Parse("registry.example.com:5000");
    private readonly TestDirectory _folder = new("registries-filestore-");

    public FileRegistryStoreSafetyTests() => SystemCommands.RequireRoot();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AllOperations_StoreOwnedByAnotherUser_RefusedWithChownAdviceAndUnchanged()
    {
        var path = await SeedAsync();
        await SystemCommands.ChownToOtherUserAsync(path);
        var before = await File.ReadAllBytesAsync(path);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        foreach (var error in new[] { read, write })
        {
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains("another user (uid 65534)", error.Message, StringComparison.Ordinal);
            Assert.Contains("chown", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task AllOperations_KeyFileOwnedByAnotherUser_RefusedAndNothingChanged()
    {
        // The attack: another user plants a key (0600, theirs) beside root's store, so that root encrypts with it.
        var path = await SeedAsync();
        var keyPath = path + ".key";
        await SystemCommands.ChownToOtherUserAsync(keyPath);
        var before = await File.ReadAllBytesAsync(path);
        var key = await File.ReadAllBytesAsync(keyPath);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListRegistriesAsync("1a1"));
        var protect = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains(keyPath, read.Message, StringComparison.Ordinal);
        Assert.Contains("another user (uid 65534)", protect.Message, StringComparison.Ordinal);
        Assert.Contains("chown", protect.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal(key, await File.ReadAllBytesAsync(keyPath));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherWrite)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task AllOperations_StoreWritableByOthers_RefusedWithChmodAdviceAndUnchanged(UnixFileMode extra)
    {
        var path = await SeedAsync();
        File.SetUnixFileMode(path, OwnerOnly | extra);
        var before = await File.ReadAllBytesAsync(path);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains("writable by other users", read.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600 " + path, write.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal(OwnerOnly | extra, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_StoreWasReadableByOthers_RewrittenOwnerOnly()
    {
        var path = await SeedAsync();
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var store = FileRegistryStore.Open(path);

        Assert.Single(await store.ListEnvironmentsAsync());
        await store.CreateEnvironmentAsync("second", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(2, (await FileRegistryStore.Open(path).ListEnvironmentsAsync()).Count);
    }

    [Theory]
    [InlineData(UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserExecute | UnixFileMode.OtherExecute)]
    public void Protect_KeyFileOpenToOthers_Refused(UnixFileMode extra)
    {
        var keyPath = _folder.Combine("k");
        new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        var key = File.ReadAllBytes(keyPath);
        File.SetUnixFileMode(keyPath, OwnerOnly | extra);

        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains("open to other users", error.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600 " + keyPath, error.Message, StringComparison.Ordinal);
        Assert.Equal(key, File.ReadAllBytes(keyPath));
    }

    [Theory]
    [InlineData("000")]
    [InlineData("022")]
    [InlineData("777")]
    public async Task Worker_AnyUmask_FoldersPrivateAndFilesOwnerOnly(string umask)
    {
        var path = _folder.Combine("a/b/store.json");

        var result = await Worker.RunAsync(["create", path], umask: umask);
        Assert.True(result.ExitCode == 0, $"The worker failed with {result.ExitCode}: {result.Error}{result.Output}");
        Assert.Equal(string.Empty, result.Error);

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(_folder.Combine("a")));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(_folder.Combine("a/b")));
        foreach (var file in new[] { path, path + ".key", path + ".lock" })
        {
            Assert.True(OwnerOnly == File.GetUnixFileMode(file), $"{file} has mode {File.GetUnixFileMode(file)} under umask {umask}.");
        }

        Assert.Single(await FileRegistryStore.Open(path).ListRegistriesAsync("1a1"));
    }

    [Fact]
    public async Task Worker_NonRootUserAndStoreOfRoot_RefusedAsAnotherUsersFile()
    {
        // Root's store, readable by everyone: a non-root user still does not take it as theirs.
        var path = await SeedAsync();
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(_folder.Path, PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var before = await File.ReadAllBytesAsync(path);

        var (exitCode, output, errors) = await Worker.RunAsync(["list", path], userId: SystemCommands.OtherUser);
        var lines = Worker.Lines(output);

        Assert.True(exitCode == 3, $"The worker exited with {exitCode}: {string.Join('\n', lines)} {errors}");
        var refused = Assert.Single(lines);
        Assert.Contains("belongs to another user (uid 0)", refused, StringComparison.Ordinal);
        Assert.Contains("(uid 65534)", refused, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Worker_NonRootUserInRootsFolder_PermissionDeniedAtOnce()
    {
        // The folder is root's (0755): the user may read it but not create the lock file; no 30 s wait.
        File.SetUnixFileMode(_folder.Path, PrivateFolder | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var path = _folder.Combine("store.json");
        var started = DateTime.UtcNow;

        var (exitCode, output, errors) = await Worker.RunAsync(["create", path], userId: SystemCommands.OtherUser, timeout: TimeSpan.FromSeconds(25));
        var lines = Worker.Lines(output);

        Assert.True(exitCode == 3, $"The worker exited with {exitCode}: {string.Join('\n', lines)} {errors}");
        var refused = Assert.Single(lines);
        Assert.Contains(path + ".lock", refused, StringComparison.Ordinal);
        Assert.Contains("Permission denied", refused, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "The write waited instead of failing at once.");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Writes_StoreIsSymbolicLink_LinkKeptAndTargetReplacedPrivately()
    {
        var targetFolder = _folder.Combine("data");
        Directory.CreateDirectory(targetFolder);
        var target = Path.Combine(targetFolder, "real.json");
        var middle = _folder.Combine("middle.json");
        var link = _folder.Combine("store.json");
        File.CreateSymbolicLink(middle, "data/real.json");
        File.CreateSymbolicLink(link, "middle.json");
        var store = FileStores.Over(link, new KeyFileSecretProtector(_folder.Combine("store.key")));

        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("a@example.com", "a", "pw"));
        File.SetUnixFileMode(target, OwnerOnly | UnixFileMode.GroupRead);
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("b@example.com", "b", "pw"));

        Assert.Equal("middle.json", new FileInfo(link).LinkTarget);
        Assert.Equal("data/real.json", new FileInfo(middle).LinkTarget);
        Assert.Null(new FileInfo(target).LinkTarget);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(target));
        Assert.Equal(target + ".lock", store.LockPath);
        Assert.True(File.Exists(target + ".lock"));
        Assert.False(File.Exists(link + ".lock"));
        Assert.Empty(Directory.GetFiles(targetFolder, "*.tmp"));
        var key = new KeyFileSecretProtector(_folder.Combine("store.key"));
        Assert.Equal(2, (await FileStores.Over(target, key).ListRegistriesAsync(environment.Id)).Count);
        Assert.Equal(2, (await FileStores.Over(link, key).ListRegistriesAsync(environment.Id)).Count);
    }

    [Fact]
    public async Task CreateEnvironmentAsync_StoreIsDanglingLink_TargetCreatedLinkKept()
    {
        var link = _folder.Combine("store.json");
        File.CreateSymbolicLink(link, "elsewhere/store.json");

        await FileRegistryStore.Open(link).CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Equal("elsewhere/store.json", new FileInfo(link).LinkTarget);
        Assert.True(File.Exists(_folder.Combine("elsewhere/store.json")));
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(_folder.Combine("elsewhere")));
        Assert.Single(await FileRegistryStore.Open(link).ListEnvironmentsAsync());
    }

    [Fact]
    public void Protect_KeyFileIsLink_ReadThroughAndCreatedAtTarget()
    {
        var existing = _folder.Combine("keys/real.key");
        var existingLink = _folder.Combine("existing.key");
        var value = new KeyFileSecretProtector(existing).Protect(new RegistrySecret("pw"), TestContexts.Entry);
        File.CreateSymbolicLink(existingLink, existing);
        var dangling = _folder.Combine("new.key");
        File.CreateSymbolicLink(dangling, "keys/new-target.key");

        Assert.Equal("pw", new KeyFileSecretProtector(existingLink).Unprotect(value, TestContexts.Entry).Reveal());
        var created = new KeyFileSecretProtector(dangling).Protect(new RegistrySecret("pw2"), TestContexts.Entry);

        Assert.Equal("keys/new-target.key", new FileInfo(dangling).LinkTarget);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(_folder.Combine("keys/new-target.key")));
        Assert.Equal("pw2", new KeyFileSecretProtector(_folder.Combine("keys/new-target.key")).Unprotect(created, TestContexts.Entry).Reveal());
    }

    [Fact]
    public async Task AllOperations_StoreIsNamedPipe_RefusedAtOnce()
    {
        var path = _folder.Combine("store.json");
        await SystemCommands.MakeFifoAsync(path);
        var store = FileRegistryStore.Open(path);

        var read = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync()));
        var write = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())));

        Assert.Contains(path + "' is a named pipe (FIFO)", read.Message, StringComparison.Ordinal);
        Assert.Contains("named pipe", write.Message, StringComparison.Ordinal);
        Assert.Equal(["store.json"], Directory.GetFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task AllOperations_KeyFileIsNamedPipe_RefusedAtOnceAndStoreUnchanged()
    {
        var path = await SeedAsync();
        File.Delete(path + ".key");
        await SystemCommands.MakeFifoAsync(path + ".key");
        var before = await File.ReadAllBytesAsync(path);
        var store = FileRegistryStore.Open(path);

        var read = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListRegistriesAsync("1a1")));
        var protect = await SystemCommands.WithinSecondsAsync(() => Task.FromResult(Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(path + ".key").Protect(new RegistrySecret("pw"), TestContexts.Entry))));

        Assert.Contains(path + ".key' is a named pipe", read.Message, StringComparison.Ordinal);
        Assert.Contains("named pipe", protect.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task AllOperations_StoreIsDevice_RefusedWithoutReadingOrCreatingFiles()
    {
        var link = _folder.Combine("store.json");
        File.CreateSymbolicLink(link, "/dev/zero");
        var direct = FileRegistryStore.Open("/dev/zero");

        var read = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await direct.ListEnvironmentsAsync()));
        var write = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await direct.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())));
        var linked = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(link).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())));

        Assert.Contains("'/dev/zero' is a device", read.Message, StringComparison.Ordinal);
        Assert.Contains("is a device", write.Message, StringComparison.Ordinal);
        Assert.Contains("is a device", linked.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("/dev/zero.lock"));
        Assert.Equal("/dev/zero", new FileInfo(link).LinkTarget);
    }

    [Fact]
    public async Task AllOperations_HugeStoreFile_RefusedWithoutReadingIt()
    {
        var path = _folder.Combine("store.json");
        await using (var huge = File.Create(path))
        {
            // Sparse: 64 MiB and one byte on the file system's word, no disk used.
            huge.SetLength(FileRegistryStore.MaxFileLength + 1L);
        }

        File.SetUnixFileMode(path, OwnerOnly);
        var store = FileRegistryStore.Open(path);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains("larger", read.Message, StringComparison.Ordinal);
        Assert.Contains(path, read.Message, StringComparison.Ordinal);
        Assert.Equal(FileRegistryStore.MaxFileLength + 1L, new FileInfo(path).Length);
    }

    [Fact]
    public async Task ProtectAndUnprotect_KeyFileIsDevice_RefusedAtOnce()
    {
        var protect = await SystemCommands.WithinSecondsAsync(() => Task.FromResult(Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector("/dev/zero").Protect(new RegistrySecret("pw"), TestContexts.Entry))));
        var unprotect = await SystemCommands.WithinSecondsAsync(() => Task.FromResult(Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector("/dev/zero").Unprotect("v1.00000000." + Convert.ToBase64String(new byte[40]), TestContexts.Entry))));

        Assert.Contains("'/dev/zero' is a device", protect.Message, StringComparison.Ordinal);
        Assert.Contains("is a device", unprotect.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_HugeKeyFile_Refused()
    {
        var keyPath = _folder.Combine("k");
        File.WriteAllText(keyPath, "registries-core-key v1 " + new string('A', 8192));
        File.SetUnixFileMode(keyPath, OwnerOnly);

        var error = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyPath).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains("larger", error.Message, StringComparison.Ordinal);
        Assert.Contains(keyPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AllOperations_StoreOrKeyIsDirectory_SaysIsADirectory()
    {
        var storeFolder = _folder.Combine("store.json");
        Directory.CreateDirectory(storeFolder);
        var store = FileRegistryStore.Open(storeFolder);
        var keyFolder = _folder.Combine("folder.key");
        Directory.CreateDirectory(keyFolder);

        var read = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.ListEnvironmentsAsync());
        var write = await Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));
        var protect = Assert.Throws<RegistryStoreException>(() => new KeyFileSecretProtector(keyFolder).Protect(new RegistrySecret("pw"), TestContexts.Entry));

        Assert.Contains(storeFolder + "' is a directory", read.Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", write.Message, StringComparison.Ordinal);
        Assert.Contains(keyFolder + "' is a directory", protect.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", read.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFileSystemEntries(storeFolder));
        Assert.Empty(Directory.GetFileSystemEntries(keyFolder));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_NewLockFile_OwnerOnly()
    {
        var path = _folder.Combine("store.json");

        await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path + ".lock"));
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)]
    public async Task CreateEnvironmentAsync_OwnLockFileOpenToOthers_MadePrivateAndWriteProceeds(UnixFileMode extra)
    {
        var path = _folder.Combine("store.json");
        await File.WriteAllBytesAsync(path + ".lock", []);
        File.SetUnixFileMode(path + ".lock", OwnerOnly | extra);

        await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());

        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path + ".lock"));
        Assert.Single(await FileRegistryStore.Open(path).ListEnvironmentsAsync());
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LockFileOfAnotherUser_RefusedAtOnceAndStoreUnchanged()
    {
        var path = await SeedAsync();
        var lockPath = path + ".lock";
        await SystemCommands.ChownToOtherUserAsync(lockPath);
        File.SetUnixFileMode(lockPath, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var before = await File.ReadAllBytesAsync(path);

        // Held by "the other user" too: the refusal must not wait for it.
        using var holder = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None);
        var error = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())), seconds: 5);

        Assert.Contains(lockPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("another user (uid 65534)", error.Message, StringComparison.Ordinal);
        Assert.Contains("remove it", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task CreateEnvironmentAsync_LockFileIsLinkOrFolder_Refused()
    {
        var path = await SeedAsync();
        var before = await File.ReadAllBytesAsync(path);
        var elsewhere = _folder.Combine("elsewhere");
        File.Delete(path + ".lock");
        File.CreateSymbolicLink(path + ".lock", elsewhere);

        var link = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));
        File.Delete(path + ".lock");
        Directory.CreateDirectory(path + ".lock");
        var folder = await Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>()));

        Assert.Contains("symbolic link", link.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(elsewhere));
        Assert.Contains("is a directory", folder.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task Writes_ReadOnlyFileSystem_ReportedAtOnceReadsStillWork()
    {
        await using var mount = await TmpfsMount.MountAsync(_folder.Combine("ro"), "1m");
        var path = Path.Combine(mount.Path, "store.json");
        var seeded = await SeedStoreAsync(path);
        var before = await File.ReadAllBytesAsync(path);
        await mount.RemountReadOnlyAsync();

        // The default 30 s lock timeout: a write that waits for it fails this bound.
        var store = FileRegistryStore.Open(path);
        var error = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await store.CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())), seconds: 5);

        Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
        Assert.Contains(mount.Path, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("another process", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Single(await store.ListRegistriesAsync(seeded));
    }

    [Fact]
    public async Task Writes_ReadOnlyFileSystemWithoutLockFile_ReportedAtOnce()
    {
        await using var mount = await TmpfsMount.MountAsync(_folder.Combine("ro"), "1m");
        var path = Path.Combine(mount.Path, "store.json");
        await SeedStoreAsync(path);
        File.Delete(path + ".lock");
        await mount.RemountReadOnlyAsync();

        var error = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).CreateEnvironmentAsync("x", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())), seconds: 5);

        Assert.Contains("Read-only file system", error.Message, StringComparison.Ordinal);
        Assert.Contains(path + ".lock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_FileSystemFull_ReportedAtOnceAndStoreUnchanged()
    {
        await using var mount = await TmpfsMount.MountAsync(_folder.Combine("full"), "256k");
        var path = Path.Combine(mount.Path, "store.json");
        await SeedStoreAsync(path);
        var before = await File.ReadAllBytesAsync(path);
        await FillAsync(Path.Combine(mount.Path, "filler"));

        var error = await SystemCommands.WithinSecondsAsync(() => Assert.ThrowsAsync<RegistryStoreException>(async () => await FileRegistryStore.Open(path).CreateEnvironmentAsync(new string('x', 4000), OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>())), seconds: 5);

        Assert.Contains("No space left on device", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.GetFiles(mount.Path, "*.tmp"));
    }

    private static async Task FillAsync(string path)
    {
        await using var filler = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[4096];
        try
        {
            // A 256 KiB file system: at most 64 blocks; bounded anyway.
            for (var i = 0; i < 1024; i++)
            {
                await filler.WriteAsync(block);
            }
        }
        catch (IOException)
        {
            // Full, as wanted.
            return;
        }

        Assert.Fail("The small file system never filled up.");
    }

    // A store with environment 1a1 and one registry; returns the store's path.
    private async Task<string> SeedAsync()
    {
        var path = _folder.Combine("store.json");
        await SeedStoreAsync(path);
        return path;
    }

    // Returns the environment's id.
    private static async Task<string> SeedStoreAsync(string path)
    {
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(Example), new RegistryCredential("ops@example.com", "ops", "pw"));
        return environment.Id;
    }

    /// <summary>A small tmpfs of its own, mounted for one test and unmounted afterwards.</summary>
    private sealed class TmpfsMount : IAsyncDisposable
    {
        private TmpfsMount(string path) => Path = path;

        public string Path { get; }

        public static async Task<TmpfsMount> MountAsync(string path, string size)
        {
            Directory.CreateDirectory(path);
            await SystemCommands.RunAsync("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0700", "tmpfs", path);
            return new TmpfsMount(path);
        }

        public Task RemountReadOnlyAsync() => SystemCommands.RunAsync("mount", "-o", "remount,ro", Path);

        public async ValueTask DisposeAsync() => await SystemCommands.RunAsync("umount", "-l", Path);
    }
}
