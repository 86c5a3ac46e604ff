using System.Text;
using System.Text.Json;
using Npgsql;
using Registries.Testing;

namespace Registries.Cli.Tests;

/// <summary><c>registries store copy</c>: a whole store into an empty one, file to file and file to PostgreSQL and back,
/// after which every command answers on the copy as on the original (ids aside), with the target's key only.</summary>
public sealed class StoreCopyTests : IDisposable
{
    private const string Canary = "Canary-Copy-7e3a!";

    private static readonly string[] Images =
    [
        "registry.example.com:5000/team/app:1",
        "quay.io/org/app:2",
        "gone.example.com/team/app",
        "ubuntu:22.04",
        "other.example.com/x",
    ];

    private readonly RegistriesCli _cli = new();

    [Fact]
    public async Task Copy_FileToFile_SameListingsAndResolutionsWithTheTargetKeyOnly()
    {
        var source = await SeedAsync();
        var target = new StoreAt(_cli.Combine("copy", "store.json"), _cli.Combine("keys", "copy.key"));

        var map = await CopyAsync(source, target);

        await AssertSameAnswersAsync(source, target, map);
        Assert.Equal(2, map.Environments.Count);
        Assert.Equal(7, map.Registries.Count);
        Assert.True(File.Exists(target.Key));
        Assert.DoesNotContain(Canary, await File.ReadAllTextAsync(target.Store), StringComparison.Ordinal);

        // The copy's passwords are protected with its own key: the source's key cannot read it, and it needs nothing of the source.
        var wrongKey = await _cli.RunAsync(["resolve", "prod", Images[0], "--store", target.Store, "--key-file", source.Key]);
        wrongKey.AssertOneLineError(4);
        File.Delete(source.Store);
        File.Delete(source.Key);
        Assert.Equal(Canary, await ExportedPasswordAsync(target));
    }

    [Fact]
    public async Task Copy_Text_PrintsOneSummaryLineWithoutAnySecret()
    {
        var source = await SeedAsync();
        var target = _cli.Combine("copy.json");

        var result = await _cli.RunAsync("store", "copy", "--from", source.Store, "--from-key-file", source.Key, "--to", target, "--to-key-file", _cli.Combine("copy.key"));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(string.Empty, result.Stderr);
        Assert.StartsWith("Copied 2 environment(s) and 7 registry entries; verified", result.Stdout, StringComparison.Ordinal);
        Assert.Single(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_SaysItIsAnOperatorActionWithoutAUser()
    {
        var help = await _cli.SucceedAsync("store", "copy", "--help");

        Assert.Contains("operator action on the whole store", help, StringComparison.Ordinal);
        Assert.Contains("--as is not used", help, StringComparison.Ordinal);
        Assert.Contains("--to-key-file", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_TargetNotEmpty_IsRefusedWithExit3AndChangesNothing()
    {
        var source = await SeedAsync();
        using var other = new RegistriesCli();
        await other.SucceedAsync("env", "create", "already-here");
        var before = other.StoreBytes();

        var result = await _cli.RunAsync(["store", "copy", "--from", source.Store, "--from-key-file", source.Key, "--to", other.StorePath]);

        var line = result.AssertOneLineError(3);
        Assert.Contains("not empty", line, StringComparison.Ordinal);
        Assert.Equal(before, other.StoreBytes());
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_SourceFileMissing_IsBadInput()
    {
        var result = await _cli.RunAsync("store", "copy", "--from", _cli.Combine("missing.json"), "--to", _cli.Combine("copy.json"));

        var line = result.AssertOneLineError(2);
        Assert.Contains("--from", line, StringComparison.Ordinal);
        Assert.False(File.Exists(_cli.Combine("copy.json")));
    }

    [Fact]
    public async Task Copy_TargetUriWithAPassword_IsBadInputWithoutShowingIt()
    {
        var source = await SeedAsync();

        var result = await _cli.RunAsync("store", "copy", "--from", source.Store, "--from-key-file", source.Key, "--to", "postgresql://registries:" + Canary + "@127.0.0.1:5432/registries");

        result.AssertOneLineError(2);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_TargetUnreachable_IsAnOutsideFailure()
    {
        var source = await SeedAsync();
        var unreachable = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = ClosedPort(), Username = "registries", Database = "registries", Timeout = 5 };

        var result = await _cli.RunAsync("store", "copy", "--from", source.Store, "--from-key-file", source.Key, "--to", unreachable.ConnectionString, "--to-key-file", _cli.Combine("pg.key"));

        result.AssertOneLineError(4);
        Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copy_WithoutFromOrTo_IsBadUsage()
    {
        var result = await _cli.RunAsync("store", "copy", "--from", _cli.Combine("a.json"));

        var line = result.AssertOneLineError(2);
        Assert.Contains("--to", line, StringComparison.Ordinal);
    }

    public void Dispose() => _cli.Dispose();

    /// <summary>Builds a file store with two environments whose entries interleave in the store's order: an overridden
    /// entry and the newest for one address, an inactive Quay entry, a removed one, and Docker Hub in both.</summary>
    internal async Task<StoreAt> SeedAsync()
    {
        var store = new StoreAt(_cli.Combine("source", "store.json"), _cli.Combine("keys", "source.key"));
        await _cli.SucceedAsync(["env", "create", "prod", .. store.Args]);
        await _cli.SucceedAsync(["env", "member", "add", "prod", "bob", "--role", "member", .. store.Args]);
        await _cli.SucceedAsync(["env", "member", "add", "prod", "rita", "--role", "readonly", .. store.Args]);
        await AddAsync(store, "prod", "old", "--address", "registry.example.com:5000");
        await _cli.SucceedAsync(["env", "create", "staging", .. store.Args]);
        await AddAsync(store, "staging", "hub-staging", "--dockerhub");
        var quay = await AddAsync(store, "prod", "quay", "--quay");
        await _cli.SucceedAsync(["registry", "deactivate", "prod", quay, .. store.Args]);
        var gone = await AddAsync(store, "prod", "gone", "--address", "gone.example.com");
        await _cli.SucceedAsync(["registry", "deactivate", "prod", gone, .. store.Args]);
        await _cli.SucceedAsync(["registry", "delete", "prod", gone, .. store.Args]);
        await AddAsync(store, "prod", "new", "--address", "Registry.Example.com:5000");
        await AddAsync(store, "prod", "hub-prod", "--dockerhub");
        await AddAsync(store, "staging", "staging-example", "--address", "registry.example.com:5000");
        return store;
    }

    /// <summary>Runs the copy, text and then (on a second, refused run) nothing more; returns the id map of --json.</summary>
    internal async Task<IdMap> CopyAsync(StoreAt source, StoreAt target)
    {
        var result = await _cli.RunAsync(["store", "copy", "--from", source.Store, "--from-key-file", source.Key, "--to", target.Store, "--to-key-file", target.Key, "--json"]);
        Assert.True(result.ExitCode == 0, $"store copy exited with {result.ExitCode}: {result.Stderr}");
        Assert.Equal(string.Empty, result.Stderr);
        Assert.DoesNotContain(Canary, result.Stdout, StringComparison.Ordinal);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.True(json.GetProperty("verified").GetBoolean());
        var map = new IdMap(Map(json.GetProperty("environmentIds")), Map(json.GetProperty("registryIds")));
        Assert.Equal(map.Environments.Count, json.GetProperty("environments").GetInt32());
        Assert.Equal(map.Registries.Count, json.GetProperty("registries").GetInt32());
        return map;
    }

    /// <summary>Every listing and resolution of <paramref name="copy"/> is the one of <paramref name="original"/>, its ids
    /// translated through <paramref name="map"/>.</summary>
    internal async Task AssertSameAnswersAsync(StoreAt original, StoreAt copy, IdMap map)
    {
        foreach (var user in new[] { "alice", "bob", "rita" })
        {
            _cli.User = user;
            try
            {
                Assert.Equal(await EnvironmentsAsync(original, map), await EnvironmentsAsync(copy, null));
            }
            finally
            {
                _cli.User = "alice";
            }
        }

        foreach (var environment in new[] { "prod", "staging" })
        {
            var expected = await ListAsync(original, environment, map);
            Assert.Equal(expected, await ListAsync(copy, environment, null));
            foreach (var image in Images)
            {
                Assert.Equal(await ResolveAsync(original, environment, image, map), await ResolveAsync(copy, environment, image, null));
            }
        }

        Assert.Equal(await ExportedPasswordAsync(original), await ExportedPasswordAsync(copy));
    }

    private async Task<string> AddAsync(StoreAt store, string environment, string username, params string[] address)
    {
        var added = await _cli.SucceedWithInputAsync(Canary, ["registry", "add", environment, .. address, "--email", "ops@example.com", "--username", username, "--password-stdin", "--json", .. store.Args]);
        return JsonDocument.Parse(added).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> EnvironmentsAsync(StoreAt store, IdMap? map)
    {
        var listed = JsonDocument.Parse(await _cli.SucceedAsync(["env", "list", "--json", .. store.Args])).RootElement;
        return string.Join('\n', listed.EnumerateArray().Select(e => Translate(e.GetProperty("id").GetString()!, map?.Environments) + " " + Without(e, "id")));
    }

    // registry list --json: every field, ids through the map; the sequence only by the order of the list (the target numbers its own).
    private async Task<string> ListAsync(StoreAt store, string environment, IdMap? map)
    {
        var listed = JsonDocument.Parse(await _cli.SucceedAsync(["registry", "list", environment, "--json", .. store.Args])).RootElement;
        return string.Join('\n', listed.EnumerateArray().Select(e =>
            Translate(e.GetProperty("id").GetString()!, map?.Registries) + " "
            + Translate(e.GetProperty("environmentId").GetString()!, map?.Environments) + " "
            + Without(e, "id", "environmentId", "sequence")));
    }

    private async Task<string> ResolveAsync(StoreAt store, string environment, string image, IdMap? map)
    {
        var result = await _cli.RunAsync(["resolve", environment, image, "--json", .. store.Args]);
        Assert.True(result.ExitCode is 0 or 3, $"resolve {image} exited with {result.ExitCode}: {result.Stderr}");
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        var registryId = json.TryGetProperty("registryId", out var id) ? Translate(id.GetString()!, map?.Registries) : "-";
        var reason = json.TryGetProperty("reason", out var why) ? why.GetString()! : "-";
        if (map is not null)
        {
            // One pass, so that an id mapped to another source id is not translated twice.
            reason = System.Text.RegularExpressions.Regex.Replace(reason, "[A-Za-z0-9_-]+", m => map.Registries.TryGetValue(m.Value, out var to) ? to : m.Value);
        }

        return $"{result.ExitCode} {registryId} {Without(json, "registryId", "reason")} {reason}";
    }

    // The password that docker-config writes for registry.example.com:5000 in prod: the one way the CLI hands it out.
    private async Task<string> ExportedPasswordAsync(StoreAt store)
    {
        var output = _cli.Combine("export-" + Guid.NewGuid().ToString("N") + ".json");
        await _cli.SucceedAsync(["docker-config", "prod", "--output", output, .. store.Args]);
        var auth = JsonDocument.Parse(await File.ReadAllTextAsync(output)).RootElement.GetProperty("auths").EnumerateObject()
            .Single(a => a.Name.Equals("registry.example.com:5000", StringComparison.OrdinalIgnoreCase)).Value.GetProperty("auth").GetString()!;
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
        Assert.StartsWith("new:", decoded, StringComparison.Ordinal);
        return decoded["new:".Length..];
    }

    private static string Translate(string id, IReadOnlyDictionary<string, string>? map)
        => map is null ? id : map.TryGetValue(id, out var copy) ? copy : "unmapped:" + id;

    private static string Without(JsonElement element, params string[] names)
        => string.Join(',', element.EnumerateObject().Where(p => !names.Contains(p.Name)).Select(p => p.Name + "=" + p.Value.GetRawText()));

    private static Dictionary<string, string> Map(JsonElement element)
        => element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);

    internal static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A store location and its key file, as the CLI's options.</summary>
internal sealed record StoreAt(string Store, string Key)
{
    public string[] Args => ["--store", Store, "--key-file", Key];
}

/// <summary>What <c>store copy --json</c> maps: source ids to target ids.</summary>
internal sealed record IdMap(IReadOnlyDictionary<string, string> Environments, IReadOnlyDictionary<string, string> Registries);

/// <summary>The copy through a real PostgreSQL database (a fresh one per test) and back to a file.</summary>
[Trait("Category", "Integration")]
public sealed class StoreCopyPostgreSqlTests : IAsyncLifetime
{
    private readonly TestPostgreSql _server = TestServices.RequirePostgreSql();
    private readonly StoreCopyTests _file = new();
    private readonly RegistriesCli _cli = new();
    private FreshDatabase? _database;

    private string ConnectionString => _database!.ConnectionString;

    public async Task InitializeAsync() => _database = await FreshDatabase.CreateAsync(_server, "copy_");

    public async Task DisposeAsync()
    {
        _file.Dispose();
        _cli.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Copy_FileToPostgreSqlAndBack_SameAnswersEverywhere()
    {
        var original = await _file.SeedAsync();
        var database = new StoreAt(ConnectionString, _cli.Combine("pg.key"));
        var back = new StoreAt(_cli.Combine("back", "store.json"), _cli.Combine("back.key"));

        var up = await _file.CopyAsync(original, database);
        await _file.AssertSameAnswersAsync(original, database, up);
        var down = await _file.CopyAsync(database, back);
        await _file.AssertSameAnswersAsync(database, back, down);

        // The database is no longer empty: a second copy into it is refused and changes nothing.
        var again = await _cli.RunAsync(["store", "copy", "--from", original.Store, "--from-key-file", original.Key, "--to", database.Store, "--to-key-file", database.Key]);
        again.AssertOneLineError(3);
        await _file.AssertSameAnswersAsync(original, database, up);

        // The database's copy is read with its own key only.
        var wrongKey = await _cli.RunAsync(["resolve", "prod", "registry.example.com:5000/team/app:1", .. new StoreAt(database.Store, original.Key).Args]);
        wrongKey.AssertOneLineError(4);
    }
}
