using System.Globalization;
using System.Text;
using Bbs.Faults.Workload;

namespace Bbs.Faults;

/// <summary>What one fault did: when it was injected, when its window ended, the takeover it caused, and what went wrong.</summary>
public sealed record FaultOutcome(string Name, string Action, TimeSpan Injected, TimeSpan End, TimeSpan? Takeover, string TakeoverWhat, IReadOnlyList<string> Problems);

/// <summary>One row of the report: a window's request figures.</summary>
public sealed record FaultRow(string Fault, string Action, int Sent, int Acknowledged, string FailedByKind, double SecondsWithoutService, int LostWrites, string Takeover);

/// <summary>The figures of a fault run and every problem found; a run passes when <see cref="Problems"/> is empty.</summary>
public sealed class FaultReport
{
    public FaultReport(
        FaultOptions options,
        IReadOnlyList<FaultOutcome> faults,
        RequestLog log,
        IReadOnlyList<(Journal.Entry Entry, string Problem)> lost,
        IReadOnlyList<string> impossible,
        IReadOnlyList<string> eventProblems,
        IReadOnlyList<EventReader> readers,
        (TimeSpan Start, TimeSpan End) steady,
        TimeSpan wall)
    {
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(lost);
        ArgumentNullException.ThrowIfNull(readers);
        Options = options;
        Wall = wall;
        var records = log.Records;
        var rows = new List<FaultRow> { Row("steady load", "no fault", 0, records, steady.Start, steady.End, lost, takeover: "-") };
        for (int i = 0; i < faults.Count; i++)
        {
            var fault = faults[i];
            string takeover = fault.Takeover is { } t ? $"{t.TotalSeconds:0.00} s ({fault.TakeoverWhat})" : "-";
            rows.Add(Row(fault.Name, fault.Action, i + 1, records, fault.Injected, fault.End, lost, takeover));
        }

        Rows = rows;
        Lost = lost;
        Impossible = impossible;
        EventProblems = eventProblems;
        Readers = [.. readers.Select(r => $"{r.Name}: {r.Events.Count} events, {r.Resumes} resumed on another server, {r.Reconnects} reconnects, {r.Resyncs} resyncs")];
        Problems = [.. faults.SelectMany(f => f.Problems.Select(p => $"{f.Name}: {p}")),
            .. log.UnexpectedFailures.Select(u => "the client failed with something other than a BbsException: " + u),
            .. lost.Select(l => $"lost write (window {l.Entry.Window}, {l.Entry.Op}): {l.Problem}"),
            .. impossible.Select(p => "impossible state: " + p),
            .. eventProblems.Select(p => "events: " + p)];
    }

    public FaultOptions Options { get; }

    public TimeSpan Wall { get; }

    public IReadOnlyList<FaultRow> Rows { get; }

    public IReadOnlyList<(Journal.Entry Entry, string Problem)> Lost { get; }

    public IReadOnlyList<string> Impossible { get; }

    public IReadOnlyList<string> EventProblems { get; }

    public IReadOnlyList<string> Readers { get; }

    public IReadOnlyList<string> Problems { get; }

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"fault run: {Options.Servers} Bbs servers on 3 etcd members, lock_ttl {Options.LockTtl.TotalSeconds:0.#} s, lock_retry_interval {Options.LockRetryInterval.TotalSeconds:0.#} s, " +
            $"{Options.LrpWriters} LRP + {Options.TaskWriters} task writers + cell heartbeats, {Options.LrpReaders + Options.TaskReaders} SSE readers, phase {Options.Phase.TotalSeconds:0.#} s, hold {Options.Hold.TotalSeconds:0.#} s, wall {Wall.TotalSeconds:0} s");
        string[] header = ["fault", "action", "sent", "acked", "failed by kind", "s without service", "lost writes", "takeover"];
        var cells = Rows.Select(r => new[]
        {
            r.Fault, r.Action, r.Sent.ToString(CultureInfo.InvariantCulture), r.Acknowledged.ToString(CultureInfo.InvariantCulture), r.FailedByKind,
            r.SecondsWithoutService.ToString("0.00", CultureInfo.InvariantCulture), r.LostWrites.ToString(CultureInfo.InvariantCulture), r.Takeover,
        }).ToList();
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in cells)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        text.AppendLine();
        foreach (string reader in Readers)
        {
            text.AppendLine("reader " + reader);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"checks: {Lost.Count} lost writes, {Impossible.Count} impossible states, {EventProblems.Count} event-stream problems");
        text.AppendLine(Problems.Count == 0 ? "RESULT: PASS" : $"RESULT: FAIL ({Problems.Count} problems)");
        foreach (string problem in Problems.Take(40))
        {
            text.AppendLine("  " + problem);
        }

        return text.ToString();
    }

    private static FaultRow Row(string name, string action, int window, IReadOnlyList<RequestRecord> all, TimeSpan from, TimeSpan to, IReadOnlyList<(Journal.Entry Entry, string Problem)> lost, string takeover)
    {
        var records = all.Where(r => r.Window == window).ToList();
        var failed = records.Where(r => !r.Acknowledged).GroupBy(r => r.Outcome).OrderByDescending(g => g.Count())
            .Select(g => $"{g.Key} {g.Count()} ({string.Join(", ", g.Select(r => r.Op).Distinct().Order(StringComparer.Ordinal))})");
        string failedText = string.Join(", ", failed);

        // The longest stretch from the injection to the window's end in which no write was acknowledged.
        var acks = all.Where(r => r.Acknowledged && r.Ended >= from && r.Ended <= to).Select(r => r.Ended).Order().ToList();
        var previous = from;
        var longest = TimeSpan.Zero;
        foreach (var ack in acks.Append(to))
        {
            longest = ack - previous > longest ? ack - previous : longest;
            previous = ack;
        }

        return new FaultRow(name, action, records.Count, records.Count(r => r.Acknowledged), failedText.Length == 0 ? "-" : failedText,
            longest.TotalSeconds, lost.Count(l => l.Entry.Window == window), takeover);
    }
}
