using CsCheck;

namespace Registries.Reliability.Tests;

/// <summary>Shared inputs for the fuzz targets: generated strings and mutations of valid inputs.</summary>
internal static class Fuzz
{
    /// <summary>Gets the number of cases per fuzz target: REGISTRIES_FUZZ_ITERATIONS, else 5,000.</summary>
    public static long Iterations { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("REGISTRIES_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 5_000;

    /// <summary>Gets the time one fuzz target may take before it counts as a hang: a bound for a hang, not a speed goal,
    /// so it holds on a loaded machine (5,000 daemon.json cases, each written and synced twice, took over a minute on
    /// two cores at load 40).</summary>
    public static TimeSpan Budget { get; } = TimeSpan.FromSeconds(Math.Max(600, Iterations / 10));

    private static readonly Gen<char> InterestingChar = Gen.OneOf(
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"],
        Gen.Char["ABCXYZ"],
        Gen.Char["./:-_@[]%+= \t\n\\\"'{},"],
        Gen.Char['\u00C0', '\u024F'],
        Gen.Char['\u0000', '\u001F'],
        Gen.Char['\uD800', '\uDFFF'],
        Gen.Char['\u2000', '\u206F']);

    /// <summary>Gets strings made of characters that matter to the grammars, up to 300 long.</summary>
    public static Gen<string> Strings { get; } = Gen.String[InterestingChar, 0, 300];

    /// <summary>Returns mutations of the seeds: characters inserted, deleted, replaced and duplicated.</summary>
    /// <param name="seeds">Valid inputs to mutate.</param>
    /// <returns>The generator.</returns>
    public static Gen<string> Mutations(params string[] seeds)
        => Gen.Select(Gen.OneOfConst(seeds), Gen.Int[1, 6].SelectMany(k => Gen.Select(Gen.Int[0, 3], Gen.Int[0, 1000], InterestingChar).Array[k]))
            .Select(t =>
            {
                var text = new System.Text.StringBuilder(t.Item1);
                foreach (var (kind, position, c) in t.Item2)
                {
                    var at = text.Length == 0 ? 0 : position % (text.Length + 1);
                    switch (kind)
                    {
                        case 0:
                            text.Insert(at, c);
                            break;
                        case 1 when text.Length > 0:
                            text.Remove(Math.Min(at, text.Length - 1), 1);
                            break;
                        case 2 when text.Length > 0:
                            text[Math.Min(at, text.Length - 1)] = c;
                            break;
                        default:
                            text.Insert(at, text.ToString(0, Math.Min(at, text.Length)));
                            break;
                    }
                }

                return text.ToString();
            });

    /// <summary>Gets generated strings and mutations of the seeds, half and half.</summary>
    /// <param name="seeds">Valid inputs to mutate.</param>
    /// <returns>The generator.</returns>
    public static Gen<string> Inputs(params string[] seeds) => Gen.OneOf(Strings, Mutations(seeds));

    /// <summary>Runs a fuzz target over the inputs within <see cref="Budget"/>.</summary>
    /// <param name="inputs">The inputs.</param>
    /// <param name="target">Checks one input; throws (an assertion) when the input breaks a rule.</param>
    /// <returns>A task that completes when every case passed.</returns>
    public static Task RunAsync(Gen<string> inputs, Action<string> target)
        => Task.Run(() => inputs.Sample(target, iter: Iterations, threads: 1)).WaitAsync(Budget);
}
