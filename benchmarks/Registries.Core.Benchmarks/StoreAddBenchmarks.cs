using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;
using Registries.Core.FileStore;
using Registries.Core.PostgreSql;
using Registries.Core.Storage;

namespace Registries.Core.Benchmarks;

/// <summary>Adds per second from 1 and from 8 store instances adding at once to one environment: PostgreSQL against
/// the file store (issue 15).</summary>
/// <remarks>
/// <para>One invocation is <see cref="AddsPerInvocation"/> adds, spread evenly over the instances, each instance adding
/// its share one after the other, all instances at once. The mean is per add (OperationsPerInvoke) and the
/// <c>Op/s</c> column is adds per second.</para>
/// <para>PostgreSQL: each instance is its own <see cref="PostgreSqlRegistryStore"/> with its own data source (its own
/// connection pool), as separate application instances would be; one add is two statements on one connection (the
/// id from the sequence, then the INSERT). The file store: each instance is its own <see cref="FileRegistryStore"/>
/// over one file; writers take an OS lock (<c>flock</c>) on the lock file, and instances in one process also share
/// one in-process gate per file, so adds are serialized whichever way.</para>
/// <para>Every iteration starts afresh (a new environment on PostgreSQL, a new file for the file store), so the file
/// store's whole-file rewrite does not grow from one iteration to the next, and checks afterwards that exactly the
/// adds it made are there. Both use a key-file protector (AES-GCM).</para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(AddsPerSecond))]
[InvocationCount(1)]
public class StoreAddBenchmarks
{
    /// <summary>Adds per invocation: enough to average over, few enough that a file store run finishes in minutes.</summary>
    public const int AddsPerInvocation = 200;

    private static readonly Dictionary<string, EnvironmentRole> Members = new(StringComparer.Ordinal) { ["owner"] = EnvironmentRole.Owner };
    private static readonly RegistryCredential Credential = new("ops@example.com", "ops", "add-benchmark-password");

    private BenchmarkPostgreSql? _database;
    private PostgreSqlRegistryStore[] _postgreSql = [];
    private string _fileDirectory = string.Empty;
    private KeyFileSecretProtector? _fileProtector;
    private FileRegistryStore[] _files = [];
    private int _iteration;
    private IRegistryStore[] _stores = [];
    private string _environmentId = string.Empty;
    private bool _added;
    private string _case = string.Empty;

    [Params(1, 8)]
    public int Instances { get; set; }

    [GlobalSetup(Target = nameof(PostgreSql))]
    public async Task SetupPostgreSqlAsync()
    {
        _database = await BenchmarkPostgreSql.CreateAsync();
        _postgreSql = Enumerable.Range(0, Instances).Select(_ => _database.CreateStore(cache: false)).ToArray();

        // Open each pool before measuring (a connection, the schema check): what is measured is the steady state.
        foreach (var store in _postgreSql)
        {
            _ = await store.ListEnvironmentsAsync();
        }
    }

    [GlobalSetup(Target = nameof(FileStore))]
    public void SetupFileStore()
    {
        _fileDirectory = Path.Combine(Path.GetTempPath(), "registries-benchmarks-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_fileDirectory);
        _fileProtector = new KeyFileSecretProtector(Path.Combine(_fileDirectory, "store.key"));
    }

    [IterationSetup(Target = nameof(PostgreSql))]
    public void StartPostgreSqlIteration()
    {
        _stores = _postgreSql;
        _case = nameof(PostgreSql) + "/" + Instances.ToString(CultureInfo.InvariantCulture);
        _environmentId = _postgreSql[0].CreateEnvironmentAsync("adds-" + NextIteration(), OrchestrationKind.Cattle, Members).AsTask().GetAwaiter().GetResult().Id;
        _added = false;
    }

    [IterationSetup(Target = nameof(FileStore))]
    public void StartFileStoreIteration()
    {
        var path = Path.Combine(_fileDirectory, "store-" + NextIteration() + ".json");
        _files = Enumerable.Range(0, Instances).Select(_ => new FileRegistryStore(Options.Create(new FileStoreOptions { Path = path }), _fileProtector!)).ToArray();
        _stores = _files;
        _case = nameof(FileStore) + "/" + Instances.ToString(CultureInfo.InvariantCulture);
        _environmentId = _files[0].CreateEnvironmentAsync("adds", OrchestrationKind.Cattle, Members).AsTask().GetAwaiter().GetResult().Id;
        _added = false;
    }

    // A benchmark that added fewer entries, or into the wrong place, would prove nothing: count them (not measured).
    [IterationCleanup]
    public void CheckIteration()
    {
        if (!_added)
        {
            return;
        }

        var stored = _stores[0].ListRegistriesAsync(_environmentId).AsTask().GetAwaiter().GetResult();
        if (stored.Count != AddsPerInvocation || stored.Select(r => r.Registry.Id).Distinct(StringComparer.Ordinal).Count() != AddsPerInvocation)
        {
            throw new InvalidOperationException($"Expected {AddsPerInvocation} distinct entries in {_environmentId} after the adds of {Instances} instances, found {stored.Count}.");
        }

        lock (CheckedCases)
        {
            CheckedCases.Add(_case);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        foreach (var store in _postgreSql)
        {
            await store.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_fileDirectory.Length > 0)
        {
            Directory.Delete(_fileDirectory, recursive: true);
        }
    }

    /// <summary>Gets the cases (method/instances) whose adds an iteration check has counted in this process (the smoke run asks).</summary>
    internal static HashSet<string> CheckedCases { get; } = new(StringComparer.Ordinal);

    /// <summary>Adds to PostgreSQL.</summary>
    /// <returns>A task that completes when every instance has added its share.</returns>
    [Benchmark(OperationsPerInvoke = AddsPerInvocation)]
    public Task PostgreSql() => AddAsync();

    /// <summary>Adds to the file store.</summary>
    /// <returns>A task that completes when every instance has added its share.</returns>
    [Benchmark(OperationsPerInvoke = AddsPerInvocation)]
    public Task FileStore() => AddAsync();

    private async Task AddAsync()
    {
        _added = true;
        var share = AddsPerInvocation / _stores.Length;
        await Task.WhenAll(_stores.Select((store, instance) => Task.Run(async () =>
        {
            for (var i = 0; i < share; i++)
            {
                var n = ((instance * share) + i).ToString(CultureInfo.InvariantCulture);
                await store.AddRegistryAsync(_environmentId, RegistryAddress.Parse("registry-" + n + ".example.com"), Credential);
            }
        })));
    }

    private string NextIteration() => (++_iteration).ToString(CultureInfo.InvariantCulture);

    /// <summary>Adds the adds-per-second column.</summary>
    private sealed class AddsPerSecond : ManualConfig
    {
        public AddsPerSecond() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
