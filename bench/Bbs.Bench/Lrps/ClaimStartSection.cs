using Bbs.Bench.Measure;
using Bbs.Bench.RawEtcd;
using Bbs.Bench.Report;
using Bbs.Client;
using Bbs.Etcd;
using Bbs.Models;
using Bbs.Models.Rules;

namespace Bbs.Bench.Lrps;

/// <summary>
/// Section 2a: N cells claiming and starting distinct instances at once, as reps do after an auction. Every instance
/// costs two BBS lifecycle writes (claim, start), each one guarded etcd transaction; their rate is compared with the
/// raw guarded-transaction rate at the same concurrency.
/// </summary>
public sealed class ClaimStartSection(BbsClient client, EtcdClient etcd, int serverPid, BenchOptions options, ResultTable table, Baselines baselines)
{
    private const string Section = "2a claim+start";
    private const string Domain = "bench-claim";
    private const double Target = 0.6;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        int cells = options.Cells;

        // Untimed: the server's first claims and starts pay for JIT and connection set-up. Enough rounds for
        // tiered compilation to promote the hot paths, then a pause for its background re-JIT to finish
        // (profiling showed the JIT at ~40% of the server's CPU in a measurement that followed a short warm-up).
        await ClaimAndStartAsync(await DesireAsync("warmup", 10, cells, cancellationToken).ConfigureAwait(false), cells, cancellationToken).ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

        var instances = await DesireAsync("run", options.ClaimProcessGuids, options.ClaimInstancesPerGuid, cancellationToken).ConfigureAwait(false);
        var cpu = CpuSplit.Start(serverPid);
        var load = await ClaimAndStartAsync(instances, cells, cancellationToken).ConfigureAwait(false);
        var cpuUse = cpu.Stop();
        await VerifyRunningAsync(instances, cancellationToken).ConfigureAwait(false);

        double instancesPerSecond = load.OpsPerSecond;
        double writesPerSecond = 2 * instancesPerSecond;
        table.Add(
            Section,
            $"claim+start, {cells} cells, {Format.Count(instances.Count)} instances ({options.ClaimProcessGuids}x{options.ClaimInstancesPerGuid})",
            Format.PerSecond(instancesPerSecond, "instances"),
            $"{Format.PerSecond(writesPerSecond, "writes")} in {Format.Duration(load.Elapsed)}; claim+start pair p50 {Format.Ms(load.Latency.P50Ms)}, p99 {Format.Ms(load.Latency.P99Ms)}");
        table.Add(Section, "server CPU per instance (claim+start)", Format.Ms(1000 * cpuUse.Server / instances.Count ?? double.NaN), cpuUse.ToString());

        double raw = baselines.GuardedTxn64 ??= await RawEtcdSection.MeasureGuardedTxn64Async(etcd, options, table, cancellationToken).ConfigureAwait(false);
        double ratio = writesPerSecond / raw;
        table.Add(
            Section,
            "BBS lifecycle writes/s ÷ raw guarded txn/s @64",
            Format.Ratio(ratio),
            options.Store == "etcd"
                ? $"{(ratio >= Target ? "meets" : "MISSES")} target >= {Target:0.0}x ({Format.PerSecond(writesPerSecond, "writes")} vs {Format.PerSecond(raw, "txns")})"
                : "not comparable: the server runs on the embedded store, not etcd");
    }

    /// <summary>Desires the LRPs of one phase and returns their instances, index-major so concurrent cells hit different LRPs.</summary>
    private async Task<IReadOnlyList<(string Guid, int Index)>> DesireAsync(string phase, int lrps, int instancesEach, CancellationToken cancellationToken)
    {
        var guids = Enumerable.Range(0, lrps).Select(i => $"{Domain}-{phase}-{i:D4}").ToList();
        await LrpFixtures.DesireAllAsync(client, guids, Domain, instancesEach, parallel: 16, cancellationToken).ConfigureAwait(false);
        return [.. Enumerable.Range(0, instancesEach).SelectMany(index => guids.Select(guid => (guid, index)))];
    }

    /// <summary><paramref name="cells"/> workers take the next unclaimed instance each, claim it as their cell and start it.</summary>
    private Task<LoadResult> ClaimAndStartAsync(IReadOnlyList<(string Guid, int Index)> instances, int cells, CancellationToken cancellationToken) =>
        LoadRunner.ForCountAsync(
            cells,
            instances.Count,
            async (cell, item, ct) =>
            {
                var (guid, index) = instances[(int)item];
                var instanceKey = new ActualLRPInstanceKey { CellId = $"bench-cell-{cell:D3}", InstanceGuid = $"ig-{guid}-{index}" };
                await client.ClaimActualLrpAsync(guid, index, instanceKey, cancellationToken: ct).ConfigureAwait(false);
                await client.StartActualLrpAsync(LrpFixtures.Key(guid, index, Domain), instanceKey, LrpFixtures.NetInfo(cell, index), cancellationToken: ct).ConfigureAwait(false);
            },
            cancellationToken);

    /// <summary>Untimed check that every instance the run claimed and started is RUNNING on the server.</summary>
    private async Task VerifyRunningAsync(IReadOnlyList<(string Guid, int Index)> instances, CancellationToken cancellationToken)
    {
        var guids = instances.Select(i => i.Guid).ToHashSet();
        var actual = await client.ActualLrpsAsync(new ActualLrpFilter(Domain: Domain), cancellationToken: cancellationToken).ConfigureAwait(false);
        int running = actual.Count(a => guids.Contains(a.ActualLrpKey.ProcessGuid) && a.State == ActualLrpStates.Running);
        if (running != instances.Count)
        {
            throw new InvalidOperationException($"after claim+start, {running} of {instances.Count} instances are RUNNING");
        }
    }
}
