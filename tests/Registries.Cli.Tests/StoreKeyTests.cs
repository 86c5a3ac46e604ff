using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Registries.Cli.Tests;

/// <summary><c>store keys</c>, <c>store rotate-key</c>, <c>store reprotect</c> and <c>store remove-key</c>: the same
/// answers and exit codes on every kind of store; each derived class runs them on one.</summary>
public abstract partial class StoreKeyTests : IAsyncLifetime
{
    /// <summary>A password with quotes, a backslash and characters outside ASCII, which must survive every move.</summary>
    protected const string Canary = "Canary-Keys-\"q\"-'s'-\\-Zürich€-😀";

    private protected RegistriesCli Cli { get; } = new();

    /// <summary>Gets the key file the tests give with --key-file.</summary>
    protected string KeyPath => Cli.Combine("keys", "store.key");

    /// <summary>Gets the --store (and --key-file) arguments of the store under test.</summary>
    protected abstract string[] Store { get; }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync()
    {
        Cli.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RotateThenReprotect_EveryPasswordStillResolves_AndOnlyThenTheOldKeyIsRemoved()
    {
        await SeedAsync();
        var first = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]));
        Assert.Equal([2], first.Select(k => k.Entries));
        var oldKey = first[0].Id;

        var rotated = JsonDocument.Parse(await Cli.SucceedAsync(["store", "rotate-key", "--json", .. Store])).RootElement;
        var newKey = rotated.GetProperty("key").GetString()!;
        var afterRotation = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]));
        Assert.Equal([(oldKey, false, 2), (newKey, true, 0)], afterRotation.Select(k => (k.Id, k.Current, k.Entries)));
        await AssertPasswordsAsync();

        // Before the re-protect the old key still protects both passwords: refused, and nothing changes.
        var keyFileBefore = await File.ReadAllBytesAsync(KeyPath);
        var storeBefore = await StoredTextAsync();
        var refused = await Cli.RunAsync(["store", "remove-key", oldKey, .. Store]);
        var line = refused.AssertOneLineError(3);
        Assert.Contains("store reprotect", line, StringComparison.Ordinal);
        Assert.Contains(oldKey, line, StringComparison.Ordinal);
        Assert.Equal(keyFileBefore, await File.ReadAllBytesAsync(KeyPath));
        Assert.Equal(storeBefore, await StoredTextAsync());

        var reprotected = JsonDocument.Parse(await Cli.SucceedAsync(["store", "reprotect", "--json", .. Store])).RootElement;
        Assert.Equal(2, reprotected.GetProperty("reprotected").GetInt32());
        Assert.Equal(newKey, reprotected.GetProperty("key").GetString());
        Assert.Equal([(oldKey, 0), (newKey, 2)], Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store])).Select(k => (k.Id, k.Entries)));

        var removed = await Cli.SucceedAsync(["store", "remove-key", oldKey, .. Store]);
        Assert.Contains("Removed key " + oldKey, removed, StringComparison.Ordinal);
        Assert.Equal([(newKey, true, 2)], Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store])).Select(k => (k.Id, k.Current, k.Entries)));
        await AssertPasswordsAsync();
        await AssertNoCanaryAsync();
    }

    [Fact]
    public async Task RotateKey_WithReprotect_MovesEveryEntryAtOnce()
    {
        await SeedAsync();
        var oldKey = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]))[0].Id;

        var rotated = JsonDocument.Parse(await Cli.SucceedAsync(["store", "rotate-key", "--reprotect", "--json", .. Store])).RootElement;

        Assert.Equal(2, rotated.GetProperty("reprotected").GetInt32());
        var newKey = rotated.GetProperty("key").GetString()!;
        Assert.Equal([(oldKey, 0), (newKey, 2)], Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store])).Select(k => (k.Id, k.Entries)));
        await Cli.SucceedAsync(["store", "remove-key", oldKey, .. Store]);
        await AssertPasswordsAsync();
    }

    [Fact]
    public async Task Keys_Json_HasTheKeyFileAndEachKeyWithItsRoleAndCount()
    {
        await SeedAsync();
        await Cli.SucceedAsync(["store", "rotate-key", .. Store]);

        var document = JsonDocument.Parse(await Cli.SucceedAsync(["store", "keys", "--json", .. Store])).RootElement;

        Assert.Equal(["keyFile", "keys"], document.EnumerateObject().Select(p => p.Name));
        Assert.Equal(KeyPath, document.GetProperty("keyFile").GetString());
        var keys = document.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, k =>
        {
            Assert.Equal(["id", "current", "entries"], k.EnumerateObject().Select(p => p.Name));
            Assert.Matches(KeyId(), k.GetProperty("id").GetString()!);
        });
        Assert.Equal([false, true], keys.Select(k => k.GetProperty("current").GetBoolean()));
        Assert.Equal([2, 0], keys.Select(k => k.GetProperty("entries").GetInt32()));

        var text = await Cli.SucceedAsync(["store", "keys", .. Store]);
        Assert.Contains("encrypts", text, StringComparison.Ordinal);
        Assert.Contains("decrypts only", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveKey_TheNewestKey_IsRefusedAndNothingChanges()
    {
        await SeedAsync();
        var key = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]))[0].Id;
        var before = await File.ReadAllBytesAsync(KeyPath);

        var result = await Cli.RunAsync(["store", "remove-key", key, .. Store]);

        Assert.Contains("rotate-key", result.AssertOneLineError(3), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(KeyPath));
    }

    [Fact]
    public async Task RemoveKey_UnknownKey_IsBadInputListingTheKeys()
    {
        await SeedAsync();
        var key = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]))[0].Id;

        var result = await Cli.RunAsync(["store", "remove-key", "00000000", .. Store]);

        Assert.Contains(key, result.AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_MissingKeyFile_FailInOneLineAndCreateNoKey()
    {
        await SeedAsync();
        File.Move(KeyPath, KeyPath + ".moved");

        foreach (var command in new[] { "keys", "rotate-key", "reprotect" })
        {
            var result = await Cli.RunAsync(["store", command, .. Store]);
            Assert.Contains("does not exist", result.AssertOneLineError(4), StringComparison.Ordinal);
            Assert.False(File.Exists(KeyPath), $"store {command} created a key file beside a store whose passwords it cannot read");
        }

        Assert.Contains("no key file", (await Cli.RunAsync(["store", "remove-key", "00000000", .. Store])).AssertOneLineError(2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_WrongKeyFile_FailInOneLineNamingTheKeyTheStoreNeeds()
    {
        await SeedAsync();
        var needed = Keys(await Cli.SucceedAsync(["store", "keys", "--json", .. Store]))[0].Id;

        // Another store's key file: a valid key, but not the one these passwords were protected with.
        var otherStore = Cli.Combine("other.json");
        var otherKey = Cli.Combine("other.key");
        await Cli.SucceedAsync("env", "create", "other", "--store", otherStore, "--key-file", otherKey);
        await Cli.SucceedAsync("store", "rotate-key", "--store", otherStore, "--key-file", otherKey);
        var otherBefore = await File.ReadAllBytesAsync(otherKey);
        string[] wrong = [.. Store[..^1], otherKey];

        foreach (var command in new[] { "keys", "rotate-key", "reprotect" })
        {
            var result = await Cli.RunAsync(["store", command, .. wrong]);
            var line = result.AssertOneLineError(4);
            Assert.Contains(needed, line, StringComparison.Ordinal);
            Assert.DoesNotContain(Canary, result.Stdout + result.Stderr, StringComparison.Ordinal);
        }

        Assert.Equal(otherBefore, await File.ReadAllBytesAsync(otherKey));
    }

    [Fact]
    public async Task Help_SaysWhoMayRunTheKeyCommands()
    {
        foreach (var command in new[] { "keys", "rotate-key", "reprotect", "remove-key" })
        {
            // The help is wrapped to the terminal's width: compared with its line breaks as spaces.
            var help = Whitespace().Replace(await Cli.SucceedAsync("store", command, "--help"), " ");
            Assert.Contains("whoever can read and write the store", help, StringComparison.Ordinal);
        }
    }

    /// <summary>Returns everything the store holds, as text (the store file, or a dump of the database).</summary>
    protected abstract Task<string> StoredTextAsync();

    // An environment with two live entries (one edited) and a removed one, each password a variant of the canary.
    private async Task SeedAsync()
    {
        await Cli.SucceedAsync(["env", "create", "prod", .. Store]);
        await Cli.SucceedWithInputAsync(Canary + "-a", ["registry", "add", "prod", "--address", "a.example.com:5000", "--email", "a@example.com", "--username", "ua", "--password-stdin", .. Store]);
        var b = JsonDocument.Parse(await Cli.SucceedWithInputAsync("first", ["registry", "add", "prod", "--address", "b.example.com", "--email", "b@example.com", "--username", "ub", "--password-stdin", "--json", .. Store])).RootElement.GetProperty("id").GetString()!;
        await Cli.SucceedWithInputAsync(Canary + "-b", ["registry", "edit", "prod", b, "--email", "b@example.com", "--username", "ub", "--password-stdin", .. Store]);
        var c = JsonDocument.Parse(await Cli.SucceedWithInputAsync(Canary + "-c", ["registry", "add", "prod", "--address", "c.example.com", "--email", "c@example.com", "--username", "uc", "--password-stdin", "--json", .. Store])).RootElement.GetProperty("id").GetString()!;
        await Cli.SucceedAsync(["registry", "deactivate", "prod", c, .. Store]);
        await Cli.SucceedAsync(["registry", "delete", "prod", c, .. Store]);
        Assert.True(File.Exists(KeyPath));
    }

    // docker-config prints the passwords themselves: the one way to see that each one survived as it was written.
    private async Task AssertPasswordsAsync()
    {
        var auths = JsonDocument.Parse(await Cli.SucceedAsync(["docker-config", "prod", .. Store])).RootElement.GetProperty("auths");
        Assert.Equal("ua:" + Canary + "-a", Decode(auths.GetProperty("a.example.com:5000")));
        Assert.Equal("ub:" + Canary + "-b", Decode(auths.GetProperty("b.example.com")));
        Assert.False(auths.TryGetProperty("c.example.com", out _));
        Assert.Contains("authenticated as ua", await Cli.SucceedAsync(["resolve", "prod", "a.example.com:5000/team/app", .. Store]), StringComparison.Ordinal);
    }

    private async Task AssertNoCanaryAsync()
    {
        var stored = await StoredTextAsync();
        var key = Encoding.Latin1.GetString(await File.ReadAllBytesAsync(KeyPath));
        foreach (var (form, text) in Forms("Canary-Keys-"))
        {
            Assert.False(stored.Contains(text, StringComparison.Ordinal), $"The store holds the password as {form}.");
            Assert.False(key.Contains(text, StringComparison.Ordinal), $"The key file holds the password as {form}.");
        }
    }

    // The start of the password in clear, and in the reversible encodings a careless store would use (base64 of UTF-8
    // and UTF-16 at each of the three alignments, UTF-16 itself).
    private static IEnumerable<(string Form, string Text)> Forms(string secret)
    {
        yield return ("clear text", secret);
        yield return ("UTF-16LE", Encoding.Latin1.GetString(Encoding.Unicode.GetBytes(secret)));
        foreach (var (encoding, bytes) in new[] { ("UTF-8", Encoding.UTF8.GetBytes(secret)), ("UTF-16LE", Encoding.Unicode.GetBytes(secret)) })
        {
            for (var offset = 0; offset < 3; offset++)
            {
                var encoded = Convert.ToBase64String([.. new byte[offset], .. bytes]);
                yield return ($"base64 of {encoding} at offset {offset}", encoded[(offset == 0 ? 0 : 4)..^4]);
            }
        }
    }

    private static string Decode(JsonElement auth) => Encoding.UTF8.GetString(Convert.FromBase64String(auth.GetProperty("auth").GetString()!));

    private static List<(string Id, bool Current, int Entries)> Keys(string json)
        => [.. JsonDocument.Parse(json).RootElement.GetProperty("keys").EnumerateArray().Select(k => (k.GetProperty("id").GetString()!, k.GetProperty("current").GetBoolean(), k.GetProperty("entries").GetInt32()))];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex("^[0-9a-f]{8}$")]
    private static partial Regex KeyId();
}
