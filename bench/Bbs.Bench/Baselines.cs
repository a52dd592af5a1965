using Bbs.Bench.Measure;

namespace Bbs.Bench;

/// <summary>
/// Raw etcd figures measured earlier in the same run, which the server sections divide by. The machine is shared,
/// so only ratios within one run mean anything.
/// </summary>
public sealed class Baselines
{
    /// <summary>Guarded-transaction throughput at 64 concurrent callers (ops/s), from section 1.</summary>
    public double? GuardedTxn64 { get; set; }

    /// <summary>Watch delivery latency of sequential puts (put sent → event out of WatchAsync), from section 1.</summary>
    public LatencySummary? WatchDelivery { get; set; }
}
