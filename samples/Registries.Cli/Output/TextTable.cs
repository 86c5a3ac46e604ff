namespace Registries.Cli.Output;

// Plain aligned columns: readable on a terminal, stable when piped to grep or awk. Every cell is escaped
// (TerminalText): a name holding a newline or an escape sequence cannot add a fake row or rewrite one.
internal static class TextTable
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Select(r => (IReadOnlyList<string>)r.Select(TerminalText.Escape).ToArray()).ToList();
        var widths = headers.Select((h, i) => all.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteRow(writer, headers, widths);
        foreach (var row in all)
        {
            WriteRow(writer, row, widths);
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, int[] widths)
    {
        var line = string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i])));
        writer.WriteLine(line.TrimEnd());
    }
}
