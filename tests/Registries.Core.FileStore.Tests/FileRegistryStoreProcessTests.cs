using System.Globalization;

namespace Registries.Core.FileStore.Tests;

/// <summary>Several real processes on one store file: concurrent writers, and writers killed mid-write.</summary>
public sealed class FileRegistryStoreProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _folder = new("registries-filestore-");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ConcurrentProcesses_AddAndEdit_EveryChangeKeptIdsDistinctNewestEffective()
    {
        const int Workers = 3;
        const int PerWorker = 15;
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("shared", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole> { ["alice"] = EnvironmentRole.Owner });
        var counter = await store.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("counter.example.com")), new RegistryCredential("c@example.com", "counter0", "counter-password"));

        // All at once: each worker runs to its end, and its lines are what it saw acknowledged.
        var outputs = await Task.WhenAll(Enumerable.Range(0, Workers)
            .Select(w => Worker.RunSuccessfullyAsync("mixed", path, environment.Id, w.ToString(CultureInfo.InvariantCulture), PerWorker.ToString(CultureInfo.InvariantCulture), counter.Registry.Id)));

        var reader = FileRegistryStore.Open(path);
        var adds = outputs.SelectMany((lines, w) => lines.Where(l => l.StartsWith("ADD ", StringComparison.Ordinal)).Select(l => (Worker: w, Parts: l.Split(' ')))).ToList();
        Assert.Equal(Workers * PerWorker, adds.Count);
        Assert.Equal(adds.Count, adds.Select(a => a.Parts[1]).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(adds.Count, adds.Select(a => long.Parse(a.Parts[2], CultureInfo.InvariantCulture)).Distinct().Count());
        foreach (var perWorker in adds.GroupBy(a => a.Worker))
        {
            var sequences = perWorker.Select(a => long.Parse(a.Parts[2], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequences.Order(), sequences);
        }

        // Every acknowledged add and edit is in the file.
        var edited = outputs.SelectMany(lines => lines.Where(l => l.StartsWith("EDIT ", StringComparison.Ordinal)).Select(l => l.Split(' ')[1])).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(Workers * (PerWorker / 3), edited.Count);
        foreach (var (worker, parts) in adds)
        {
            var record = await reader.GetRegistryAsync(environment.Id, parts[1]);
            Assert.NotNull(record);
            var username = parts[4];
            var index = username[(username.IndexOf('n', StringComparison.Ordinal) + 1)..];
            if (edited.Contains(parts[1]))
            {
                Assert.Equal(username + "-edited", record.Registry.Username);
                Assert.Equal(2, record.Registry.Version);
                Assert.Equal($"pw-{worker}-{index}-edited", record.Password?.Reveal());
            }
            else
            {
                Assert.Equal(username, record.Registry.Username);
                Assert.Equal(1, record.Registry.Version);
                Assert.Equal($"pw-{worker}-{index}", record.Password?.Reveal());
            }
        }

        Assert.Equal(1 + adds.Count, (await reader.ListRegistriesAsync(environment.Id)).Count);

        // Read-modify-write from many processes on one entry: no increment lost.
        var bumps = outputs.Sum(lines => lines.Count(l => l.StartsWith("COUNTER ", StringComparison.Ordinal)));
        Assert.Equal(Workers * (PerWorker / 3), bumps);
        var finalCounter = await reader.GetRegistryAsync(environment.Id, counter.Registry.Id);
        Assert.Equal("counter" + bumps.ToString(CultureInfo.InvariantCulture), finalCounter!.Registry.Username);
        Assert.Equal(1 + bumps, finalCounter.Registry.Version);

        var finalEnvironment = await reader.GetEnvironmentAsync(environment.Id);
        Assert.Equal(1 + Workers, finalEnvironment!.Version);
        Assert.Equal(["alice", .. Enumerable.Range(0, Workers).Select(w => "worker" + w)], finalEnvironment.Members.Keys.Order(StringComparer.Ordinal));

        // The newest entry per address (highest store-assigned sequence) is the effective one.
        foreach (var byAddress in adds.GroupBy(a => a.Parts[3]))
        {
            var newest = byAddress.MaxBy(a => long.Parse(a.Parts[2], CultureInfo.InvariantCulture)).Parts[1];
            var entries = await reader.ListRegistriesByAddressAsync(environment.Id, RegistryAddress.Parse(byAddress.Key));
            Assert.Equal(byAddress.Count(), entries.Count);
            Assert.Equal(newest, StoreRules.SelectEffective(entries)?.Registry.Id);
        }
    }

    [Fact]
    public async Task KilledWriters_Repeatedly_FileAlwaysLoadsWithEveryAcknowledgedChange()
    {
        const int Rounds = 5;
        var path = _folder.Combine("store.json");
        var store = FileRegistryStore.Open(path);
        var environment = await store.CreateEnvironmentAsync("crash", OrchestrationKind.Cattle, new Dictionary<string, EnvironmentRole>());
        var random = new Random(4242);
        var acknowledged = new List<string>();

        for (var round = 0; round < Rounds; round++)
        {
            // Two writers at once, killed (SIGKILL) at different moments while they keep writing.
            await using var first = Worker.Start("crash", path, environment.Id, (2 * round).ToString(CultureInfo.InvariantCulture));
            await using var second = Worker.Start("crash", path, environment.Id, ((2 * round) + 1).ToString(CultureInfo.InvariantCulture));
            await first.WaitForLinesAsync(random.Next(3, 12), Timeout);
            await first.KillAsync();
            await second.WaitForLinesAsync(random.Next(3, 12), Timeout);
            await second.KillAsync();
            acknowledged.AddRange(first.Lines);
            acknowledged.AddRange(second.Lines);

            // The kernel dropped the dead writers' lock at once.
            using (new FileStream(path + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
            }

            await AssertAcknowledgedAsync(FileRegistryStore.Open(path), environment.Id, acknowledged);
        }

        // The store still takes writes after all the kills, and the next write clears the killed writers' temp files.
        var after = FileRegistryStore.Open(path);
        var added = await after.AddRegistryAsync(environment.Id, RegistryScope.Of(RegistryAddress.Parse("after.example.com")), new RegistryCredential("a@example.com", "after", "pw"));
        Assert.True(added.Registry.Sequence > (await after.ListRegistriesAsync(environment.Id)).Where(r => r.Registry.Id != added.Registry.Id).Max(r => r.Registry.Sequence));
        Assert.Empty(Directory.GetFiles(_folder.Path, ".store.json.*.tmp"));
    }

    private static async Task AssertAcknowledgedAsync(FileRegistryStore store, string environmentId, IReadOnlyList<string> acknowledged)
    {
        var all = await store.ListRegistriesAsync(environmentId);
        var byId = all.ToDictionary(r => r.Registry.Id, StringComparer.Ordinal);
        Assert.Equal(byId.Count, all.Select(r => r.Registry.Sequence).Distinct().Count());
        foreach (var line in acknowledged)
        {
            var parts = line.Split(' ');
            Assert.True(byId.TryGetValue(parts[1], out var record), $"Acknowledged '{line}' is missing after a kill.");
            switch (parts[0])
            {
                case "ADD":
                    Assert.Equal(long.Parse(parts[2], CultureInfo.InvariantCulture), record.Registry.Sequence);
                    Assert.Equal(parts[4], record.Registry.Username);
                    Assert.Equal("pw-" + parts[4], record.Password?.Reveal());
                    break;
                case "DEACTIVATE":
                    Assert.Equal(RegistryState.Inactive, record.Registry.State);
                    Assert.Equal(long.Parse(parts[2], CultureInfo.InvariantCulture), record.Registry.Version);
                    break;
                default:
                    Assert.Fail("Unexpected worker line: " + line);
                    break;
            }
        }
    }
}
