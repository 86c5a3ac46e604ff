using DotNet.Testcontainers.Images;

namespace Registries.Core.Benchmarks;

/// <summary>Checks what each parser answers on the <see cref="ReferenceSet"/> and what TryParse allocates.</summary>
/// <remarks>
/// A speed comparison is only fair when both parsers do the same work, so the benchmark prints where either one
/// disagrees with Docker's own answer. The allocation figures are exact (GC.GetAllocatedBytesForCurrentThread).
/// </remarks>
internal static class ParseAgreement
{
    public static Findings Report(TextWriter output)
    {
        var ours = new List<string>();
        var theirs = new List<string>();
        foreach (var c in ReferenceSet.Cases)
        {
            if (ImageReference.TryParse(c.Text, out _) != c.Valid)
            {
                ours.Add(c.ToString());
            }

            if (TestcontainersAccepts(c.Text) != c.Valid)
            {
                theirs.Add(c.ToString());
            }
        }

        output.WriteLine($"// ReferenceSet: {ReferenceSet.Count} references, {ReferenceSet.Cases.Count(c => c.Valid)} valid.");
        output.WriteLine($"// ImageReference.TryParse disagrees with Docker on {ours.Count}: {Quote(ours)}");
        output.WriteLine($"// Testcontainers DockerImage disagrees with Docker on {theirs.Count}: {Quote(theirs)}");

        var invalidBytes = MeasureAllocations(ReferenceSet.Cases.Where(c => !c.Valid));
        var validBytes = MeasureAllocations(ReferenceSet.Cases.Where(c => c.Valid));
        output.WriteLine($"// TryParse allocations: {invalidBytes.Total} B over {invalidBytes.Count} invalid references ({Quote(invalidBytes.Allocating)} allocate), {validBytes.Total} B over {validBytes.Count} valid ones ({(double)validBytes.Total / validBytes.Count:F0} B each).");
        return new Findings(ours, theirs, invalidBytes, validBytes);
    }

    // Testcontainers' verdict: its constructor throws for a reference it refuses.
    internal static bool TestcontainersAccepts(string text)
    {
        try
        {
            _ = new DockerImage(text);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static Allocations MeasureAllocations(IEnumerable<ReferenceSet.Case> cases)
    {
        var list = cases.ToList();
        var allocating = new List<string>();
        long total = 0;
        foreach (var c in list)
        {
            // Warm up first so that JIT and static initialisation are not counted.
            for (var i = 0; i < 3; i++)
            {
                _ = ImageReference.TryParse(c.Text, out _);
            }

            var before = GC.GetAllocatedBytesForCurrentThread();
            _ = ImageReference.TryParse(c.Text, out var result);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(result);
            total += bytes;
            if (bytes > 0 && !c.Valid)
            {
                allocating.Add($"{c} ({bytes} B)");
            }
        }

        return new Allocations(list.Count, total, allocating);
    }

    private static string Quote(IReadOnlyCollection<string> items)
        => items.Count == 0 ? "none" : string.Join(", ", items.Select(i => "'" + i + "'"));

    internal sealed record Allocations(int Count, long Total, IReadOnlyList<string> Allocating);

    internal sealed record Findings(IReadOnlyList<string> OursDisagree, IReadOnlyList<string> TheirsDisagree, Allocations Invalid, Allocations Valid);
}
