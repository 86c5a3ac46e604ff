using Microsoft.Extensions.Options;

namespace Registries.Core.FileStore.Tests;

/// <summary>The rules of <see cref="FileStoreOptions"/>, as the constructors apply them (DI applies the same validator at start).</summary>
public sealed class FileStoreOptionsTests : IDisposable
{
    private readonly TestDirectory _folder = new("registries-filestore-options-");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string?, string?, double, string> InvalidOptions => new()
    {
        { null, null, 30, "FileStoreOptions.Path is not set" },
        { "", null, 30, "FileStoreOptions.Path is not set" },
        { "  ", null, 30, "FileStoreOptions.Path is not set" },
        { "/var/lib/registries/", null, 30, "FileStoreOptions.Path '/var/lib/registries/' names a folder; give a file in it, such as '/var/lib/registries/registries.json'" },
        { "/srv/a\0b.json", null, 30, "FileStoreOptions.Path is not a valid path" },
        { "/srv/store.json", " ", 30, "FileStoreOptions.KeyPath is empty" },
        { "/srv/store.json", "/srv/keys/", 30, "FileStoreOptions.KeyPath '/srv/keys/' names a folder" },
        { "/srv/store.json", "/srv/./store.json", 30, "FileStoreOptions.KeyPath is the store file itself ('/srv/store.json')" },
        { "/srv/store.json", null, 0, "FileStoreOptions.LockTimeout is 00:00:00" },
        { "/srv/store.json", null, -1, "FileStoreOptions.LockTimeout is -00:00:01" },
        { "/srv/store.json", null, 3601, "FileStoreOptions.LockTimeout is 01:00:01; give a wait between a millisecond and 1 hour" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Constructor_InvalidOptions_ThrowsOptionsValidationExceptionWithTheValidatorsMessage(string? path, string? keyPath, double lockTimeoutSeconds, string expected)
    {
        var options = new FileStoreOptions { Path = path, KeyPath = keyPath, LockTimeout = TimeSpan.FromSeconds(lockTimeoutSeconds) };

        var error = Assert.Throws<OptionsValidationException>(() => new FileRegistryStore(Options.Create(options), new KeyFileSecretProtector(_folder.Combine("k"))));

        Assert.Equal(typeof(FileStoreOptions), error.OptionsType);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(new FileStoreOptionsValidator().Validate(Options.DefaultName, options).Failures, error.Failures);
    }

    [Fact]
    public void Validate_Defaults_OnlyThePathIsMissing()
    {
        var options = new FileStoreOptions();

        Assert.Null(options.KeyPath);
        Assert.Equal(TimeSpan.FromSeconds(30), options.LockTimeout);
        Assert.Equal(["FileStoreOptions.Path is not set; give the store file, for example '/var/lib/registries/registries.json'."], new FileStoreOptionsValidator().Validate(null, options).Failures);
        options.Path = "store.json";
        Assert.True(new FileStoreOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Constructor_ValidOptions_ReadOnceAndRelativePathMadeAbsolute()
    {
        var options = new FileStoreOptions { Path = "relative/store.json", LockTimeout = TimeSpan.FromSeconds(5) };

        var store = new FileRegistryStore(Options.Create(options), new KeyFileSecretProtector(_folder.Combine("k")));
        options.Path = _folder.Combine("elsewhere.json");
        options.LockTimeout = TimeSpan.FromSeconds(1);

        Assert.Equal(Path.GetFullPath("relative/store.json"), store.FilePath);
        Assert.Equal(TimeSpan.FromSeconds(5), store.LockTimeout);
        Assert.Same(TimeProvider.System, store.TimeProvider);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        var protector = new KeyFileSecretProtector(_folder.Combine("k"));

        Assert.Throws<ArgumentNullException>("options", () => new FileRegistryStore(null!, protector));
        Assert.Throws<ArgumentNullException>("options", () => new FileRegistryStore(Options.Create<FileStoreOptions>(null!), protector));
        Assert.Throws<ArgumentNullException>("protector", () => new FileRegistryStore(Options.Create(new FileStoreOptions { Path = _folder.Combine("s.json") }), null!));
    }

    [Fact]
    public async Task Open_Path_KeyFileBesideIt()
    {
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("prod", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("r.example.com")), new RegistryCredential("o@example.com", "o", "pw"));

        Assert.Equal(path, store.FilePath);
        Assert.Equal(FileStoreOptions.DefaultLockTimeout, store.LockTimeout);
        Assert.True(File.Exists(path + ".key"));
        Assert.Equal("pw", (await FileStores.Over(path, new KeyFileSecretProtector(path + ".key")).ListRegistriesAsync(environment.Id))[0].Password?.Reveal());
    }
}
