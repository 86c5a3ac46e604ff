using CsCheck;
using Registries.Core;
using Registries.Core.FileStore;
using Registries.Core.Storage;
using Registries.Testing;

namespace Registries.Reliability.Tests;

/// <summary>Model-based concurrency: operations run in parallel must leave a state that some serial order of the same
/// operations also produces (linearizability), with newest-wins intact and no update lost.</summary>
public sealed class StoreConcurrencyTests
{
    [Fact]
    public void InMemoryStore_ParallelRegistryOperations_AreLinearizable()
        => CheckLinearizable(() => new InMemoryRegistryStore());

    [Fact]
    public void FileStore_ParallelRegistryOperations_AreLinearizable()
    {
        // Every write of the file store is fsynced (~30 writes/s), so fewer, shorter samples; each on a file of its own.
        using var root = new TestDirectory("registries-linearizable-");
        CheckLinearizable(() => FileRegistryStore.Open(root.Combine(Guid.NewGuid().ToString("N") + ".json")), iterations: 6, maxSequential: 2, maxParallel: 3);
    }

    /// <summary>Runs the parallel model check against stores made by <paramref name="storeFactory"/>.</summary>
    /// <param name="storeFactory">Makes a fresh, empty store.</param>
    /// <param name="iterations">How many initial states to try.</param>
    /// <param name="maxSequential">The most operations run one by one before the parallel ones.</param>
    /// <param name="maxParallel">The most operations run in parallel.</param>
    internal static void CheckLinearizable(Func<IRegistryStore> storeFactory, long iterations = 200, int maxSequential = 5, int maxParallel = 4)
    {
        var users = Gen.OneOfConst("ann", "ben", "cat");
        var slot = Gen.Int[0, 3];
        Check.SampleParallel(
            Gen.Const(() => new Subject(storeFactory())),
            Gen.Select(Gen.Int[0, 1], users).Operation<Subject>(a => $"add {Subject.Addresses[a.Item1]} {a.Item2}", (s, a) => { s.Add(a.Item1, a.Item2); }),
            Gen.Select(slot, users).Operation<Subject>(a => $"edit {a.Item1} {a.Item2}", (s, a) => s.Edit(a.Item1, a.Item2)),
            slot.Operation<Subject>(i => $"deactivate {i}", (s, i) => s.Deactivate(i)),
            slot.Operation<Subject>(i => $"activate {i}", (s, i) => s.Activate(i)),
            slot.Operation<Subject>(i => $"delete {i}", (s, i) => s.Delete(i)),
            equal: (a, b) => a.Canonical() == b.Canonical(),
            maxSequentialOperations: maxSequential,
            maxParallelOperations: maxParallel,
            iter: iterations,
            threads: 1,
            print: s => s.Canonical());
    }

    /// <summary>One environment with four entries on two addresses, driven through <see cref="RegistryService"/>.</summary>
    internal sealed class Subject
    {
        public static readonly string[] Addresses = ["registry.example.com:5000", "quay.io"];
        private const string Owner = "owner";
        private readonly IRegistryStore _store;
        private readonly RegistryService _service;
        private readonly string _environmentId;
        private readonly string[] _ids;

        public Subject(IRegistryStore store)
        {
            _store = store;
            // The most the options allow: a conflict means another operation committed, and at most a few run at once,
            // so a conflict is never reported here and every refusal the model sees is a rule's.
            var options = new RegistriesOptions { ConcurrencyRetries = 100 };
            _service = new RegistryService(store, options).As(Owner);
            _environmentId = _service.CreateEnvironmentAsync("env").AsTask().GetAwaiter().GetResult().Id;
            _ids = Enumerable.Range(0, 4)
                .Select(i => Add(i % 2, "seed" + i))
                .ToArray();
        }

        public string Add(int address, string user)
            => _service.AddRegistryAsync(_environmentId, RegistryAddress.Parse(Addresses[address]), new RegistryCredential(user + "@example.com", user, "pw-" + user))
                .AsTask().GetAwaiter().GetResult().Id;

        public void Edit(int slot, string user)
            => Try(() => _service.EditRegistryAsync(_environmentId, _ids[slot], new RegistryCredential(user + "@example.com", user, "edited-" + user)).AsTask());

        public void Deactivate(int slot) => Try(() => _service.DeactivateRegistryAsync(_environmentId, _ids[slot]).AsTask());

        public void Activate(int slot) => Try(() => _service.ActivateRegistryAsync(_environmentId, _ids[slot]).AsTask());

        public void Delete(int slot) => Try(() => _service.DeleteRegistryAsync(_environmentId, _ids[slot]).AsTask());

        // The observable state: every entry in store order with its credential and state, and the answer the
        // resolver gives for each address (newest-wins must agree with the entries).
        public string Canonical()
        {
            var records = _store.ListRegistriesAsync(_environmentId).AsTask().GetAwaiter().GetResult();
            var entries = records.Select(r => $"{r.Registry.Address}|{r.Registry.Username}|{r.Password?.Reveal()}|{r.Registry.State}");
            var resolver = new LaunchResolver(_store);
            var answers = Addresses.Select(a =>
            {
                var resolution = resolver.ResolveAsync(_environmentId, ImageReference.Parse(a + "/app")).AsTask().GetAwaiter().GetResult();
                var expected = StoreRules.SelectEffective(records.Where(r => r.Registry.Address == resolution.Address).ToArray());
                Assert.Equal(expected?.Registry.Id, resolution.RegistryId);
                return $"{a}=>{resolution.Outcome}:{resolution.Username}";
            });
            return string.Join("\n", entries.Concat(answers));
        }

        private static void Try(Func<Task> operation)
        {
            try
            {
                operation().GetAwaiter().GetResult();
            }
            catch (InvalidRegistryStateException)
            {
                // A refused transition is a legitimate outcome of an operation; it must not change anything.
            }
        }
    }
}
