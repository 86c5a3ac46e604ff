using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Registries.Core.PostgreSql.Tests;

/// <summary>Eight worker processes, each with its own store and connection pool over one schema, run mixed operations
/// through <see cref="RegistryService"/> on three shared addresses while a reader with its own pool lists and resolves.</summary>
[Trait("Category", "Integration")]
public sealed partial class PostgreSqlLoadTests(ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int OperationsPerWorker = 50;
    private static readonly RegistryAddress[] Addresses = [.. Enumerable.Range(0, 3).Select(i => RegistryAddress.Parse($"load{i}.example.com"))];

    [Fact]
    public async Task EightProcesses_MixedOperationsOnSharedAddresses_LoseNothingKeepOneEffectiveEntryPerAddressAndTheReaderSeesNoTornState()
    {
        await using var database = new PostgreSqlTestDatabase();
        var key = RandomNumberGenerator.GetBytes(32);
        var protector = new TestSecretProtector(key);
        var schema = database.NewSchema();
        var store = database.OpenStore(schema, protector: protector);
        var owner = new RegistryService(store).As("owner");
        var environment = await owner.CreateEnvironmentAsync("load");
        foreach (var member in Enumerable.Range(0, Workers).Select(w => "w" + w.ToString(CultureInfo.InvariantCulture)).Append("reader"))
        {
            await owner.SetMemberAsync(environment.Id, member, EnvironmentRole.Member);
        }

        var seed = RandomNumberGenerator.GetInt32(1_000_000);
        output.WriteLine($"seed {seed} (worker w runs with seed + w)");

        // The reader: its own store (its own pool), watching while the workers write; it records what it saw and
        // checks each snapshot for a torn state on the spot.
        var readerStore = database.OpenStore(schema, protector: protector);
        var reader = new RegistryService(readerStore).As("reader");
        var seen = new ConcurrentQueue<(string Id, string Password)>();
        var torn = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var watching = Task.Run(async () =>
        {
            var rounds = 0;

            // Bounded: at most 5,000 rounds, whatever the workers do.
            for (; rounds < 5000 && !stop.IsCancellationRequested; rounds++)
            {
                foreach (var record in await readerStore.ListRegistriesAsync(environment.Id))
                {
                    var password = record.Password?.Reveal();
                    if ((record.Registry.State == RegistryState.Removed) != (password is null))
                    {
                        torn.Enqueue($"{record.Registry.Id} is {record.Registry.State} with{(password is null ? "out" : string.Empty)} a password");
                    }
                    else if (password is not null)
                    {
                        seen.Enqueue((record.Registry.Id, password));
                    }
                }

                foreach (var address in (await reader.ListRegistriesAsync(environment.Id)).GroupBy(e => e.Registry.Address))
                {
                    var effective = address.Where(e => e.IsEffective).ToList();
                    var newest = address.Where(e => e.Registry.State != RegistryState.Removed).MaxBy(e => e.Registry.Sequence);
                    if (effective.Count > 1 || effective.FirstOrDefault()?.Registry.Id != newest?.Registry.Id)
                    {
                        torn.Enqueue($"{address.Key}: effective [{string.Join(", ", effective.Select(e => e.Registry.Id))}], newest not removed {newest?.Registry.Id}");
                    }
                }

                foreach (var address in Addresses)
                {
                    var resolution = await reader.ResolveAsync(environment.Id, address);
                    var matched = resolution.MatchedRegistry;
                    var consistent = resolution.Outcome switch
                    {
                        ResolutionOutcome.Authenticated => matched!.State == RegistryState.Active && matched.Address == address,
                        ResolutionOutcome.Denied => matched!.State == RegistryState.Inactive && resolution.Password is null,
                        _ => matched is null && resolution.Password is null,
                    };
                    if (!consistent)
                    {
                        torn.Enqueue($"{address}: {resolution.Outcome} with {matched?.Id} in state {matched?.State}");
                    }

                    if (resolution.Outcome == ResolutionOutcome.Authenticated)
                    {
                        seen.Enqueue((matched!.Id, resolution.Password!.Reveal()));
                    }
                }

                await Task.Delay(5);
            }

            return rounds;
        });

        var variables = Worker.Environment(database.ConnectionString, key);
        var results = await Task.WhenAll(Enumerable.Range(0, Workers).Select(w => Worker.RunAsync(
            variables,
            ["mixed", schema, environment.Id, Text(w), Text(OperationsPerWorker), Text(seed + w)],
            TimeSpan.FromSeconds(60))));
        await stop.CancelAsync();
        var rounds = await watching.WaitAsync(TimeSpan.FromSeconds(20));

        var log = new WorkerLog();
        foreach (var (result, w) in results.Select((r, w) => (r, w)))
        {
            Assert.True(result.ExitCode == 0, $"Worker {w} failed with {result.ExitCode}: {result.Error}{result.Output}");
            Assert.Equal(string.Empty, result.Error);
            var lines = Worker.Lines(result.Output);
            Assert.Equal("DONE", lines[^1]);
            Assert.Equal(OperationsPerWorker, lines.Count - 1);
            log.Read(lines);
        }

        var counts = results.SelectMany(r => Worker.Lines(r.Output)).GroupBy(l => l.Split(' ')[0]).Select(g => $"{g.Key} {g.Count()}");
        output.WriteLine($"lines: {string.Join(", ", counts)}; reader rounds {rounds}, observations {seen.Count}");

        // The reader ran alongside and never saw a torn state.
        Assert.True(rounds >= 3, $"The reader ran only {rounds} rounds.");
        Assert.Empty(torn);

        // Nothing lost, nothing extra: the rows are exactly the reported adds, ids and sequences unique, and each
        // entry is what replaying its reported writes in version order gives (every version acknowledged once).
        var listed = await store.ListRegistriesAsync(environment.Id);
        Assert.Equal(log.Adds.Keys.Order(StringComparer.Ordinal), listed.Select(r => r.Registry.Id).Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Select(r => r.Registry.Sequence).Distinct().Count());
        Assert.All(listed, record =>
        {
            var added = log.Adds[record.Registry.Id];
            Assert.Equal("1r" + Text(record.Registry.Sequence), record.Registry.Id);
            Assert.Equal(added.Sequence, record.Registry.Sequence);
            Assert.Equal(added.Address, record.Registry.Address);
            Assert.Equal(log.LastVersionOf(record.Registry.Id), record.Registry.Version);
            var (state, password) = log.Replay(record.Registry.Id);
            Assert.Equal(state, record.Registry.State);
            Assert.Equal(password, record.Password?.Reveal());
        });

        // Per address exactly one effective entry, the newest not removed, and the service agrees with the rule.
        var entries = await owner.ListRegistriesAsync(environment.Id);
        foreach (var address in Addresses)
        {
            var forAddress = listed.Where(r => r.Registry.Address == address).ToList();
            var newest = forAddress.Where(r => r.Registry.State != RegistryState.Removed).MaxBy(r => r.Registry.Sequence);
            Assert.NotNull(newest);
            Assert.Equal(newest.Registry.Id, StoreRules.SelectEffective(forAddress)?.Registry.Id);
            Assert.Equal([newest.Registry.Id], entries.Where(e => e.Registry.Address == address && e.IsEffective).Select(e => e.Registry.Id));
            Assert.Equal(newest.Registry.Id, (await owner.GetEffectiveRegistryAsync(environment.Id, address))?.Registry.Id);
            var resolution = await owner.ResolveAsync(environment.Id, address);
            Assert.Equal(newest.Registry.Id, resolution.RegistryId);
            Assert.Equal(newest.Registry.State == RegistryState.Active ? ResolutionOutcome.Authenticated : ResolutionOutcome.Denied, resolution.Outcome);
            Assert.Equal(newest.Password?.Reveal() is { } p && newest.Registry.State == RegistryState.Active ? p : null, resolution.Password?.Reveal());
        }

        // Every password the reader saw (in a listing or a resolution) was written for that very entry.
        Assert.All(seen, s =>
        {
            Assert.Matches(TokenPattern(), s.Password);
            Assert.Contains(s.Password, log.PasswordsOf(s.Id));
        });
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("^w[0-7]-[0-9]+$")]
    private static partial Regex TokenPattern();
}
