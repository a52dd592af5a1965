using Bbs.Bench.Measure;
using Bbs.Bench.Report;
using Bbs.Etcd;

namespace Bbs.Bench.RawEtcd;

/// <summary>Section 1: etcd through our <see cref="EtcdClient"/>, the ceiling the server is held against.</summary>
public sealed class RawEtcdSection(EtcdClient etcd, Etcdctl? etcdctl, BenchOptions options, ResultTable table, Baselines baselines)
{
    private const string Section = "1 etcd";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var puts = new PutBenchmarks(etcd);
        var latency = await puts.SequentialLatencyAsync(options.SequentialPuts, cancellationToken).ConfigureAwait(false);
        table.Add(Section, $"put latency, sequential ({Format.Count(options.SequentialPuts)} puts)", $"p50 {Format.Ms(latency.P50Ms)}", $"p99 {Format.Ms(latency.P99Ms)}, mean {Format.Ms(latency.MeanMs)}");

        foreach (int callers in options.Concurrency)
        {
            var load = await puts.ThroughputAsync(callers, options.ThroughputDuration, cancellationToken).ConfigureAwait(false);
            table.Add(Section, $"put throughput, {Format.Plural(callers, "caller")}", Format.PerSecond(load.OpsPerSecond), Describe(load));
        }

        var txns = new GuardedTxnBenchmark(etcd);
        foreach (int callers in options.Concurrency)
        {
            var load = await txns.ThroughputAsync(callers, options.ThroughputDuration, cancellationToken).ConfigureAwait(false);
            table.Add(Section, $"guarded txn (CAS) throughput, {Format.Plural(callers, "caller")}", Format.PerSecond(load.OpsPerSecond), Describe(load));
            if (callers == 64)
            {
                baselines.GuardedTxn64 = load.OpsPerSecond;
            }
        }

        // What EtcdDb does per lifecycle write: read the record, then write it guarded on the revision read.
        var readThenCas = await txns.ThroughputAsync(64, options.ThroughputDuration, cancellationToken, readFirst: true).ConfigureAwait(false);
        table.Add(Section, "get + guarded txn (read-then-CAS), 64 callers", Format.PerSecond(readThenCas.OpsPerSecond, "writes"), Describe(readThenCas));

        var range = new RangeBenchmark(etcd, options.PageSize);
        foreach (int count in new[] { options.RangeKeys, options.RangeKeysLarge })
        {
            string prefix = $"{BenchKeys.Root}range{count}/";
            await range.LoadAsync(prefix, count, cancellationToken).ConfigureAwait(false);
            var (time, keys) = await range.ReadAsync(prefix, options.RangeRuns, cancellationToken).ConfigureAwait(false);
            table.Add(
                Section,
                $"prefix range of {Format.Count(keys)} keys (RangeAllAsync)",
                Format.Ms(time.MeanMs),
                $"mean of {time.Count} reads, pages of {Format.Count(options.PageSize)}, {BenchKeys.ValueSize} B values; {Format.PerSecond(keys / (time.MeanMs / 1000), "keys")}");
            if (etcdctl is null)
            {
                table.Add(Section, $"etcdctl get --prefix of {Format.Count(keys)} keys", "n/a", "etcdctl is not installed (Debian's etcd-client)");
                continue;
            }

            var ctl = await etcdctl.GetPrefixAsync(prefix, options.RangeRuns, (long)keys * BenchKeys.ValueSize, cancellationToken).ConfigureAwait(false);
            table.Add(
                Section,
                $"etcdctl get --prefix of {Format.Count(keys)} keys",
                Format.Ms(ctl.MeanMs),
                $"mean of {ctl.Count}, one unpaged range, process start included; ours ÷ etcdctl {Format.Ratio(time.MeanMs / ctl.MeanMs)}");
        }

        if (etcdctl is not null && options.CheckPerf)
        {
            Progress.Say("etcdctl check perf --load=l (60 s)");
            string perf = await etcdctl.CheckPerfAsync("l", BenchKeys.Root + "check-perf/", cancellationToken).ConfigureAwait(false);
            table.Add(Section, "etcdctl check perf --load=l", perf.Contains("FAIL", StringComparison.Ordinal) ? "FAIL" : "PASS", perf);
        }

        baselines.WatchDelivery = await MeasureWatchAsync(etcd, options, table, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The watch delivery latency row; also run alone for a run that skips section 1 but needs it.</summary>
    public static async Task<LatencySummary> MeasureWatchAsync(EtcdClient etcd, BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var watch = await new WatchLatencyBenchmark(etcd).RunAsync(options.WatchPuts, cancellationToken).ConfigureAwait(false);
        table.Add(Section, $"watch delivery latency ({Format.Count(options.WatchPuts)} puts)", $"p50 {Format.Ms(watch.P50Ms)}", $"p99 {Format.Ms(watch.P99Ms)}; from before the put is sent to the event out of WatchAsync");
        return watch;
    }

    /// <summary>The guarded-txn figure at 64 callers alone, for a run that skips section 1 but needs it.</summary>
    public static async Task<double> MeasureGuardedTxn64Async(EtcdClient etcd, BenchOptions options, ResultTable table, CancellationToken cancellationToken)
    {
        var load = await new GuardedTxnBenchmark(etcd).ThroughputAsync(64, options.ThroughputDuration, cancellationToken).ConfigureAwait(false);
        table.Add(Section, "guarded txn (CAS) throughput, 64 callers", Format.PerSecond(load.OpsPerSecond), Describe(load));
        return load.OpsPerSecond;
    }

    private static string Describe(LoadResult load) =>
        $"{Format.Count(load.Operations)} ops in {Format.Duration(load.Elapsed)}; latency p50 {Format.Ms(load.Latency.P50Ms)}, p99 {Format.Ms(load.Latency.P99Ms)}";
}
