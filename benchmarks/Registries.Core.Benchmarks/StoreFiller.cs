using System.Diagnostics;
using System.Globalization;
using Registries.Core.Storage;

namespace Registries.Core.Benchmarks;

/// <summary>Fills an <see cref="InMemoryRegistryStore"/> with many registry entries, through its public port.</summary>
/// <remarks>
/// Environments hold up to <see cref="PerEnvironment"/> entries each, with distinct addresses
/// (<c>registry-N.example.com</c>); one of them is always <see cref="TargetHost"/>, the address the resolution
/// benchmarks ask for. Every entry gets its own e-mail, username and password strings and its own parsed address,
/// as entries typed in by users would.
/// </remarks>
internal static class StoreFiller
{
    public const int PerEnvironment = 100;

    public const string TargetHost = "registry-42.example.com";

    private static readonly Dictionary<string, EnvironmentRole> Members = new(StringComparer.Ordinal) { ["owner"] = EnvironmentRole.Owner };

    public static async Task<Filled> FillAsync(int registries, bool sharedInputs = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(registries, 1);
        var store = new InMemoryRegistryStore();
        var environments = Math.Max(1, registries / PerEnvironment);
        var perEnvironment = registries / environments;
        if (perEnvironment * environments != registries)
        {
            throw new ArgumentException($"{registries} registries do not spread evenly over environments of up to {PerEnvironment}.", nameof(registries));
        }

        // Addresses registry-{first}..registry-{first + perEnvironment - 1} always include registry-42.
        var first = Math.Max(0, 43 - perEnvironment);
        var sharedAddresses = sharedInputs ? Enumerable.Range(first, perEnvironment).Select(AddressOf).ToArray() : null;
        var sharedCredential = sharedInputs ? new RegistryCredential("ops@example.com", "ops", "canary-password") : null;

        var stopwatch = Stopwatch.StartNew();
        var ids = new string[environments];
        long n = 0;
        for (var e = 0; e < environments; e++)
        {
            var environment = await store.CreateEnvironmentAsync("env-" + e.ToString(CultureInfo.InvariantCulture), OrchestrationKind.Cattle, Members);
            ids[e] = environment.Id;
            for (var i = 0; i < perEnvironment; i++)
            {
                n++;
                var address = sharedAddresses?[i] ?? AddressOf(first + i);
                var credential = sharedCredential ?? new RegistryCredential(
                    "user" + n.ToString(CultureInfo.InvariantCulture) + "@example.com",
                    "user" + n.ToString(CultureInfo.InvariantCulture),
                    "password-" + n.ToString(CultureInfo.InvariantCulture));
                await store.AddRegistryAsync(environment.Id, RegistryScope.Of(address), credential);
            }
        }

        stopwatch.Stop();
        return new Filled(store, ids[environments / 2], environments, stopwatch.Elapsed);
    }

    private static RegistryAddress AddressOf(int index) => RegistryAddress.Parse("registry-" + index.ToString(CultureInfo.InvariantCulture) + ".example.com");

    /// <summary>A filled store and the environment in the middle of it, which the benchmarks resolve in.</summary>
    internal sealed record Filled(InMemoryRegistryStore Store, string TargetEnvironmentId, int Environments, TimeSpan Elapsed);
}
