using System.Globalization;
using Registries.Core;
using Registries.Core.FileStore;
using Registries.Core.Storage;

// Usage:
//   mixed STORE ENV WORKER COUNT SHARED   adds COUNT entries, edits every third one, bumps the shared entry's
//                                         counter COUNT/3 times and adds itself as a member (retrying conflicts)
//   crash STORE ENV WORKER                adds and deactivates entries until it is killed
//   create STORE                          creates an environment and a registry (folder, store, key and lock
//                                         files), for the tests that run it under another umask or user
//   list STORE                            prints ENVIRONMENTS n
//   rotate STORE                          rotates the key of STORE.key and re-protects every entry, until it is
//                                         killed; prints ROTATED keyid after each rotation and REPROTECTED n keyid
//                                         after each re-protection
// A refusal by the store prints REFUSED and its message, and exits with 3.
// Each acknowledged write prints one line: ADD id sequence address username | EDIT id version | COUNTER n |
// MEMBER user | DEACTIVATE id version. The parent trusts nothing that was not printed.
var mode = args[0];
var store = FileRegistryStore.Open(args[1]);

try
{
    return await RunAsync(mode, store, args);
}
catch (RegistryStoreException e)
{
    Console.WriteLine("REFUSED " + e.Message);
    return 3;
}

static async Task<int> RunAsync(string mode, FileRegistryStore store, string[] args)
{
    switch (mode)
    {
        case "mixed":
            await RunMixedAsync(store, args[2], int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture), args[5]);
            return 0;
        case "crash":
            await RunUntilKilledAsync(store, args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
            return 0;
        case "create":
            var environment = await store.CreateEnvironmentAsync("umask", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
            var added = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("umask.example.com")), new RegistryCredential("u@example.com", "u", "pw-umask"));
            Console.WriteLine($"ADD {added.Registry.Id} {added.Registry.Sequence} {added.Registry.Address} u");
            return 0;
        case "rotate":
            await RotateUntilKilledAsync(store, new KeyFileSecretProtector(store.FilePath + ".key"));
            return 0;
        case "list":
            Console.WriteLine("ENVIRONMENTS " + (await store.ListEnvironmentsAsync()).Count.ToString(CultureInfo.InvariantCulture));
            return 0;
        default:
            await Console.Error.WriteLineAsync("unknown mode " + mode);
            return 2;
    }
}

static async Task RunMixedAsync(FileRegistryStore store, string environmentId, int worker, int count, string sharedId)
{
    for (var i = 0; i < count; i++)
    {
        var address = RegistryAddress.Parse($"reg{i % 4}.example.com");
        var username = $"w{worker}n{i}";
        var added = await store.AddRegistryAsync(environmentId, RegistryScope.Of(address), new RegistryCredential(username + "@example.com", username, $"pw-{worker}-{i}"));
        Console.WriteLine($"ADD {added.Registry.Id} {added.Registry.Sequence} {address} {username}");

        if (i % 3 == 2)
        {
            var edited = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithIdentity(username + "@example.org", username + "-edited"), new RegistrySecret($"pw-{worker}-{i}-edited")));
            Console.WriteLine($"EDIT {edited.Registry.Id} {edited.Registry.Version}");
            await BumpSharedCounterAsync(store, environmentId, sharedId);
        }
    }

    while (true)
    {
        var environment = await store.GetEnvironmentAsync(environmentId) ?? throw new InvalidOperationException("environment vanished");
        try
        {
            await store.UpdateEnvironmentAsync(environment.WithMember("worker" + worker, EnvironmentRole.Member));
            Console.WriteLine("MEMBER worker" + worker);
            return;
        }
        catch (ConcurrencyConflictException)
        {
            // Another process changed it first: read it again and retry, as the documentation says.
        }
    }
}

static async Task BumpSharedCounterAsync(FileRegistryStore store, string environmentId, string sharedId)
{
    while (true)
    {
        var current = await store.GetRegistryAsync(environmentId, sharedId) ?? throw new InvalidOperationException("shared entry vanished");
        var next = int.Parse(current.Registry.Username["counter".Length..], CultureInfo.InvariantCulture) + 1;
        try
        {
            await store.UpdateRegistryAsync(new StoredRegistry(current.Registry.WithIdentity(current.Registry.Email, "counter" + next.ToString(CultureInfo.InvariantCulture)), current.Password));
            Console.WriteLine("COUNTER " + next.ToString(CultureInfo.InvariantCulture));
            return;
        }
        catch (ConcurrencyConflictException)
        {
            // Lost the race for this version: read again.
        }
    }
}

static async Task RunUntilKilledAsync(FileRegistryStore store, string environmentId, int worker)
{
    for (var i = 0; ; i++)
    {
        var username = $"c{worker}n{i}";
        var added = await store.AddRegistryAsync(environmentId, RegistryScope.Of(RegistryAddress.Parse($"crash{i % 3}.example.com:5000")), new RegistryCredential(username + "@example.com", username, "pw-" + username));
        Console.WriteLine($"ADD {added.Registry.Id} {added.Registry.Sequence} {added.Registry.Address} {username}");
        if (i % 2 == 1)
        {
            var inactive = await store.UpdateRegistryAsync(new StoredRegistry(added.Registry.WithState(RegistryState.Inactive), added.Password));
            Console.WriteLine($"DEACTIVATE {inactive.Registry.Id} {inactive.Registry.Version}");
        }
    }
}

static async Task RotateUntilKilledAsync(FileRegistryStore store, KeyFileSecretProtector keys)
{
    while (true)
    {
        var keyId = await keys.RotateKeyAsync();
        Console.WriteLine("ROTATED " + keyId);
        var moved = await store.ReprotectAsync();
        Console.WriteLine($"REPROTECTED {moved.ToString(CultureInfo.InvariantCulture)} {keyId}");
    }
}
