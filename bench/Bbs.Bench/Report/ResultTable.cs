using System.Text;

namespace Bbs.Bench.Report;

/// <summary>One line of the result table.</summary>
public sealed record ResultRow(string Section, string Measurement, string Result, string Detail);

/// <summary>
/// The rows of a run, printed as a plain-text table at the end. Rows are also echoed to stderr as they are added,
/// so a long run shows progress while stdout carries only the table.
/// </summary>
public sealed class ResultTable
{
    private static readonly string[] Headers = ["Section", "Measurement", "Result", "Detail"];
    private readonly List<ResultRow> _rows = [];
    private readonly Lock _gate = new();

    public void Add(string section, string measurement, string result, string detail = "")
    {
        var row = new ResultRow(section, measurement, result, detail);
        lock (_gate)
        {
            _rows.Add(row);
        }

        Progress.Say($"{section} | {measurement}: {result}{(detail.Length > 0 ? "  (" + detail + ")" : string.Empty)}");
    }

    public string Render()
    {
        ResultRow[] rows;
        lock (_gate)
        {
            rows = [.. _rows];
        }

        var cells = rows.Select(r => new[] { r.Section, r.Measurement, r.Result, r.Detail }).Prepend(Headers).ToList();
        int[] widths = [.. Enumerable.Range(0, Headers.Length).Select(c => cells.Max(row => row[c].Length))];
        var text = new StringBuilder();
        for (int i = 0; i < cells.Count; i++)
        {
            text.AppendLine(string.Join("  ", cells[i].Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (i == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        return text.ToString();
    }
}

/// <summary>Progress messages on stderr, stamped with the time since the run started.</summary>
public static class Progress
{
    private static readonly long Start = Measure.Clock.Now;

    public static void Say(string message) =>
        Console.Error.WriteLine($"[{Measure.Clock.MsSince(Start) / 1000,6:0.0}s] {message}");
}
