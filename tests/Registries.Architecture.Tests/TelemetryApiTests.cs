using System.Diagnostics.Metrics;
using System.Text;
using Registries.Core.Diagnostics;
using Registries.Testing;

namespace Registries.Architecture.Tests;

/// <summary>The telemetry's names are public API: the instruments (name, kind, unit, description, tags) and the spans
/// (name, tags) are approved in PublicApi/Registries.Core.telemetry.approved.txt, and the meter publishes exactly the
/// instruments the catalog lists.</summary>
public sealed class TelemetryApiTests
{
    [Fact]
    public void Telemetry_MatchesTheApprovedFile()
    {
        var published = PublishedInstruments();
        var text = new StringBuilder();
        text.Append("meter ").Append(RegistriesTelemetry.Name).Append('\n');
        text.Append("activity source ").Append(RegistriesTelemetry.Name).Append('\n');
        foreach (var (kind, name, unit, tags) in TelemetryNames.Catalog)
        {
            text.Append(kind).Append(' ').Append(name);
            if (unit.Length > 0)
            {
                text.Append(" [").Append(unit).Append(']');
            }

            text.Append(" tags: ").Append(tags.Length == 0 ? "(none)" : string.Join(", ", tags)).Append('\n');
            if (published.TryGetValue(name, out var description))
            {
                text.Append("  ").Append(description).Append('\n');
            }
        }

        var actual = text.ToString();
        var approvedPath = RepositoryPaths.Combine("tests", "Registries.Architecture.Tests", "PublicApi", "Registries.Core.telemetry.approved.txt");
        if (Environment.GetEnvironmentVariable("REGISTRIES_ACCEPT_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : string.Empty;
        Assert.True(
            approved == actual,
            $"The telemetry's names changed. Review the difference with {approvedPath} and docs/operating.md; if it is deliberate, run the tests once with REGISTRIES_ACCEPT_API=1.\n{actual}");
    }

    [Fact]
    public void Meter_PublishesExactlyTheCatalogsInstruments_WithTheirUnits()
    {
        var published = PublishedInstrumentUnits();
        var catalog = TelemetryNames.Catalog.Where(c => c.Kind != "span").ToDictionary(c => c.Name, c => c.Unit);

        Assert.Equal(catalog.OrderBy(p => p.Key), published.OrderBy(p => p.Key));
    }

    private static Dictionary<string, string> PublishedInstruments()
        => Publish(i => i.Description ?? string.Empty);

    private static Dictionary<string, string> PublishedInstrumentUnits()
        => Publish(i => i.Unit ?? string.Empty);

    // A meter of its own (no factory), seen by a listener that picks it out by reference among meters of the same name.
    private static Dictionary<string, string> Publish(Func<Instrument, string> read)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        using var telemetry = new RegistriesTelemetry();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == RegistriesTelemetry.Name)
            {
                lock (seen)
                {
                    seen[instrument.Name] = read(instrument);
                }
            }
        };
        listener.Start();
        return seen;
    }
}
