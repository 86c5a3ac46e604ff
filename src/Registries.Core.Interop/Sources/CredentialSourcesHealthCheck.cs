using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registries.Core.Sources;

namespace Registries.Core.Interop;

/// <summary>The credential sources of this package that are registered: every allowed credential helper is found in the
/// helper folders and may run (<see cref="TrustedProgram"/>'s rules), the kubelet config still parses and each of its
/// providers' binaries is in the bin folder and may run. Healthy when neither source is registered.</summary>
/// <remarks>Reads files and their owners and modes only: no helper or plugin is run, so no secret is ever read. The
/// answer names what to fix and is bounded in length.</remarks>
internal sealed class CredentialSourcesHealthCheck(IEnumerable<ICredentialSource> sources) : IHealthCheck
{
    private const int MaxDescription = 2048;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var helpers = sources.OfType<DockerCredentialHelperSource>().ToArray();
        var plugins = sources.OfType<KubeletPluginSource>().ToArray();
        if (helpers.Length == 0 && plugins.Length == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("No credential helper or kubelet plugin source is configured."));
        }

        var problems = helpers.SelectMany(h => h.Problems()).Concat(plugins.SelectMany(p => p.Problems())).Distinct(StringComparer.Ordinal).ToArray();
        if (problems.Length == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Every configured credential helper and kubelet plugin is present and may run."));
        }

        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, Describe(problems)));
    }

    // One line per problem, cut (with how many were left off) so that a long list never floods a probe's answer.
    internal static string Describe(IReadOnlyList<string> problems)
    {
        var text = new System.Text.StringBuilder();
        var shown = 0;
        foreach (var problem in problems)
        {
            var line = Printable(problem);
            if (shown > 0 && text.Length + line.Length + 2 > MaxDescription)
            {
                break;
            }

            if (shown > 0)
            {
                text.Append("; ");
            }

            text.Append(line.Length > MaxDescription ? line[..(MaxDescription - 1)] + "…" : line);
            shown++;
        }

        if (shown < problems.Count)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $" (and {problems.Count - shown} more)");
        }

        return text.ToString();
    }

    // A folder or file name from the operator's configuration could hold a control character: never on the probe's line.
    private static string Printable(string text)
        => string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
