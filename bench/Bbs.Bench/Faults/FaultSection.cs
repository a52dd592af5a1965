using Bbs.Bench.Report;
using Bbs.Faults;

namespace Bbs.Bench.Faults;

/// <summary>
/// Section 3 (only with <c>--only faults</c>): the fault harness of <c>tests/Bbs.Faults</c> at full length, on its
/// own 3-member etcd cluster and <see cref="BenchOptions.FaultServers"/> server processes. Its per-fault table goes
/// to stdout before the run's table; a run that loses a write, leaves an impossible state, breaks an event stream's
/// exactly-once order or takes over too slowly fails the section.
/// </summary>
public sealed class FaultSection(string serverDll, BenchOptions options, ResultTable table)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var faultOptions = new FaultOptions
        {
            Servers = options.FaultServers,
            Phase = options.FaultPhase,
            Hold = options.FaultPhase,
        };
        var run = new FaultRun(serverDll, faultOptions, Progress.Say);
        FaultReport report;
        try
        {
            report = await run.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"the fault run failed: {ex}\n{run.Diagnostics()}", ex);
        }

        Console.WriteLine(report.Render());
        foreach (var row in report.Rows)
        {
            table.Add("3 faults", row.Fault, $"{row.LostWrites} lost", $"{row.Acknowledged}/{row.Sent} acked, {row.SecondsWithoutService:0.00} s without service, takeover {row.Takeover}");
        }

        if (report.Problems.Count > 0)
        {
            throw new InvalidOperationException($"{report.Problems.Count} problems, first: {report.Problems[0]}");
        }
    }
}
