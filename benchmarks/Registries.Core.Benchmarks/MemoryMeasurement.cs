using System.Globalization;
using System.Runtime;

namespace Registries.Core.Benchmarks;

/// <summary>Bytes per stored registry entry in the in-memory store (<c>-- memory [ENTRIES]</c>).</summary>
/// <remarks>
/// GC.GetTotalMemory(true) before and after filling the store, divided by the number of entries. Two fills: with
/// distinct inputs (every entry has its own address, e-mail, username and password, as real entries do) and with
/// shared inputs (one address object per position and one credential), which leaves what the store itself adds.
/// </remarks>
internal static class MemoryMeasurement
{
    public const int DefaultEntries = 1_000_000;

    public const long Budget = 1024;

    public static async Task<int> RunAsync(int entries, TextWriter output)
    {
        output.WriteLine($"In-memory store, {entries:N0} registry entries over {Math.Max(1, entries / StoreFiller.PerEnvironment):N0} environments ({Describe()}).");
        var distinct = await MeasureAsync(entries, sharedInputs: false);
        var shared = await MeasureAsync(entries, sharedInputs: true);
        output.WriteLine($"| Inputs   | Bytes per entry | Total MiB | Fill time |");
        output.WriteLine($"|----------|----------------:|----------:|----------:|");
        Row(output, "distinct", distinct, entries);
        Row(output, "shared", shared, entries);
        output.WriteLine($"The store's own share is {shared.Bytes / (double)entries:F0} B per entry; the inputs it keeps (address, e-mail, username, password and the secret wrapper) are the remaining {(distinct.Bytes - shared.Bytes) / (double)entries:F0} B.");

        var perEntry = distinct.Bytes / (double)entries;
        if (perEntry > Budget)
        {
            output.WriteLine($"OVER BUDGET: {perEntry:F0} B per entry is more than {Budget} B.");
            return 1;
        }

        output.WriteLine($"Within budget: {perEntry:F0} B per entry (budget {Budget} B).");
        return 0;
    }

    private static async Task<Measurement> MeasureAsync(int entries, bool sharedInputs)
    {
        var before = Settle();
        var filled = await StoreFiller.FillAsync(entries, sharedInputs);
        var after = Settle();
        GC.KeepAlive(filled.Store);
        return new Measurement(after - before, filled.Elapsed);
    }

    private static long Settle()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static void Row(TextWriter output, string name, Measurement m, int entries)
        => output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name,-8} | {m.Bytes / (double)entries,15:F0} | {m.Bytes / 1048576.0,9:F1} | {m.Elapsed.TotalSeconds,7:F2} s |"));

    private static string Describe()
        => $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC";

    private sealed record Measurement(long Bytes, TimeSpan Elapsed);
}
