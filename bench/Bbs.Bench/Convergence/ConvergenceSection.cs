using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bbs.Bench.Lrps;
using Bbs.Bench.Measure;
using Bbs.Bench.Report;
using Bbs.Bench.Server;
using Bbs.Client;
using Bbs.Db;
using Bbs.Etcd;
using Bbs.Models;

namespace Bbs.Bench.Convergence;

/// <summary>
/// Section 2e: one LRP convergence pass (POST /v1/lrps/converge) over at least 100k actual LRPs — section 2b's if
/// they are there — in a healthy state: every instance RUNNING on a registered cell, except a few hundred whose
/// records were deleted in etcd, which the pass must recreate and auction. The server runs without an auctioneer,
/// so it logs and counts the auctions; the count is read from its "LRP convergence done" log line (info level).
/// </summary>
public sealed partial class ConvergenceSection(BbsClient client, EtcdClient etcd, ServerProcess server, BenchOptions options, ResultTable table)
{
    private const string Section = "2e converge";
    private const string Domain = "bench-converge";
    private const int InstancesPerLrp = 1_000;
    private const string DoneMessage = "LRP convergence done";

    /// <summary>Diego's published scale figure (2016): the convergence gather alone took 27 s at 200,000 LRPs.</summary>
    private const int DiegoLrps = 200_000;
    private const double DiegoGatherSeconds = 27;

    private static readonly TimeSpan CellTtl = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan LogLineTimeout = TimeSpan.FromSeconds(10);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var records = new ActualRecords(etcd, options.PageSize);
        long setUpStarted = Clock.Now;
        int desiredHere = await DesireShortfallAsync(records, cancellationToken).ConfigureAwait(false);

        // Cells for every instance the bench placed (2a, 2d) and will place here; the address refuses connections at once.
        var cells = Enumerable.Range(0, options.Cells).Select(c => $"bench-cell-{c:D3}").ToList();
        foreach (string cell in cells)
        {
            var presence = new CellPresence { CellId = cell, RepAddress = "http://127.0.0.1:9", Zone = "z1" };
            await client.UpsertCellAsync(presence, CellTtl, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var (keys, started) = await records.StartUnclaimedAsync(cells, cancellationToken).ConfigureAwait(false);
        var deleted = await records.DeleteSpreadAsync(keys, options.ConvergeMissing, cancellationToken).ConfigureAwait(false);
        double setUpMs = Clock.MsSince(setUpStarted);

        // The server's event hub maps every change the set-up made (and etcd streams them to it); the pass is timed once that is done.
        var quiet = await CpuSplit.WaitForQuietAsync(server.Pid, cores: 0.1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        long desiredLrps = await records.CountAsync(Keys.SchedulingInfoPrefix, cancellationToken).ConfigureAwait(false);
        table.Add(
            Section,
            "data set: actual LRPs, all RUNNING on registered cells",
            Format.Count(keys.Count),
            $"{Format.Count(desiredLrps)} desired LRPs ({(desiredHere > 0 ? $"{desiredHere} desired here" : "2a, 2b and 2d's")}); {Format.Count(started)} UNCLAIMED set RUNNING and {Format.Count(deleted.Count)} deleted directly in etcd on {cells.Count} cells; set-up {Format.Ms(setUpMs)}, server and etcd quiet after {Format.Duration(quiet)} more");

        bool peakReset = MemorySample.TryResetPeak(server.Pid);
        var first = await ConvergeAsync(cancellationToken).ConfigureAwait(false);
        long restored = await records.CountAsync(cancellationToken).ConfigureAwait(false);
        table.Add(
            Section,
            $"convergence pass, {Format.Count(keys.Count)} instances, {Format.Count(deleted.Count)} missing",
            Format.Duration(first.Elapsed),
            $"POST /v1/lrps/converge; server log: {first.Tally}; {first.Cpu}");
        table.Add(
            Section,
            "instances auctioned by the pass (server log)",
            first.Auctioned is { } auctioned ? Format.Count(auctioned) : "n/a",
            $"{(first.Auctioned == deleted.Count ? "as expected" : "EXPECTED " + Format.Count(deleted.Count))}: the deleted ones, recreated UNCLAIMED ({Format.Count(restored)} records after the pass, {Format.Count(keys.Count)} before the deletes); logged, not sent: no auctioneer");

        var second = await ConvergeAsync(cancellationToken).ConfigureAwait(false);
        var memory = server.Memory();
        table.Add(
            Section,
            "second pass, nothing to repair",
            Format.Duration(second.Elapsed),
            $"server log: {second.Tally}; {second.Cpu}");
        table.Add(
            Section,
            "server peak RSS during the two passes (VmHWM)",
            Format.MiB(memory.PeakKib),
            $"{(peakReset ? "reset before the first pass" : "since the server started")}; VmRSS after: {Format.MiB(memory.RssKib)}");

        double ours = keys.Count / first.Elapsed.TotalSeconds;
        double diego = DiegoLrps / DiegoGatherSeconds;
        table.Add(
            Section,
            "scale: Diego 2016, convergence gather at 200k LRPs",
            $"{DiegoGatherSeconds:0} s",
            $"{Format.PerSecond(diego, "LRPs")} (gather alone); ours {Format.PerSecond(ours, "LRPs")} for the whole pass ({Format.Count(keys.Count)} in {Format.Duration(first.Elapsed)}), {ours / diego:0}x the rate");
    }

    /// <summary>Desires LRPs of <see cref="InstancesPerLrp"/> until the store holds the configured number of actual LRPs.</summary>
    private async Task<int> DesireShortfallAsync(ActualRecords records, CancellationToken cancellationToken)
    {
        long existing = await records.CountAsync(cancellationToken).ConfigureAwait(false);
        long shortfall = options.ConvergeInstances - existing;
        if (shortfall <= 0)
        {
            return 0;
        }

        int lrps = (int)((shortfall + InstancesPerLrp - 1) / InstancesPerLrp);
        var guids = Enumerable.Range(0, lrps).Select(i => $"{Domain}-{i:D4}").ToList();
        await LrpFixtures.DesireAllAsync(client, guids, Domain, InstancesPerLrp, parallel: 8, cancellationToken).ConfigureAwait(false);
        return lrps;
    }

    /// <summary>One timed pass, with the server's log line about it and the CPU it took.</summary>
    private async Task<Pass> ConvergeAsync(CancellationToken cancellationToken)
    {
        var logged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var observer = server.ObserveOutput(line =>
        {
            if (line.Contains(DoneMessage, StringComparison.Ordinal))
            {
                logged.TrySetResult(RenderedMessage(line));
            }
        });

        var cpu = CpuSplit.Start(server.Pid);
        long t0 = Clock.Now;
        await client.ConvergeLrpsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var elapsed = TimeSpan.FromMilliseconds(Clock.MsSince(t0));
        var cpuUse = cpu.Stop();

        string? message = null;
        try
        {
            message = await logged.Task.WaitAsync(LogLineTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Progress.Say($"{Section}: no '{DoneMessage}' line from the server within {LogLineTimeout.TotalSeconds:0} s (is its log level info?)");
        }

        var auctioned = message is not null && AuctionedPattern().Match(message) is { Success: true } match
            ? int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)
            : (int?)null;
        string tally = message is null ? "no log line" : message.Replace(DoneMessage, "done", StringComparison.Ordinal);
        return new Pass(elapsed, auctioned, tally, cpuUse);
    }

    /// <summary>The message of one of the server's JSON log lines (the line itself if it is not one).</summary>
    private static string RenderedMessage(string line)
    {
        try
        {
            using var json = JsonDocument.Parse(line);
            return ClefLine.Message(json.RootElement) ?? line;
        }
        catch (JsonException)
        {
            return line;
        }
    }

    [GeneratedRegex(@"instances auctioned (\d+)")]
    private static partial Regex AuctionedPattern();

    private sealed record Pass(TimeSpan Elapsed, int? Auctioned, string Tally, CpuUse Cpu);
}
