namespace Registries.Core.Benchmarks;

/// <summary>What the parsers answer on the <see cref="MixedWorkload"/>, and whether ours still answers as recorded.</summary>
internal static class MixedWorkloadCheck
{
    /// <summary>Prints the workload's make-up and checks the fingerprint of the parser's outcomes.</summary>
    /// <param name="output">Where the report goes.</param>
    /// <returns>The failures (empty when the parser answers every reference as recorded).</returns>
    public static IReadOnlyList<string> Report(TextWriter output)
    {
        var (fingerprint, valid) = MixedWorkload.Fingerprint();
        var texts = MixedWorkload.Texts;
        var disagreements = 0;
        foreach (var text in texts)
        {
            if (ImageReference.TryParse(text, out _) != ParseAgreement.TestcontainersAccepts(text))
            {
                disagreements++;
            }
        }

        output.WriteLine($"// MixedWorkload: {texts.Length} references from {MixedWorkload.Seeds.Count} seeds (seed {MixedWorkload.Seed}), {valid} accepted, {texts.Length - valid} refused.");
        output.WriteLine($"// MixedWorkload: Testcontainers DockerImage answers differently on {disagreements}.");
        output.WriteLine($"// MixedWorkload: outcome fingerprint {fingerprint}.");
        var failures = new List<string>();
        if (!string.Equals(fingerprint, MixedWorkload.ExpectedFingerprint, StringComparison.Ordinal))
        {
            failures.Add($"The parser's outcomes on the mixed workload changed: fingerprint {fingerprint}, recorded {MixedWorkload.ExpectedFingerprint}.");
        }

        return failures;
    }
}
