using Bbs.Bench.Measure;
using Bbs.Etcd;
using Etcdserverpb;
using Mvccpb;

namespace Bbs.Bench.RawEtcd;

/// <summary>Plain puts: the latency of one at a time, and the throughput of N concurrent callers.</summary>
public sealed class PutBenchmarks(EtcdClient etcd)
{
    /// <summary>Latency of <paramref name="count"/> puts issued one after another (after a short warm-up).</summary>
    public async Task<LatencySummary> SequentialLatencyAsync(int count, CancellationToken cancellationToken)
    {
        var samples = new List<double>(count);
        const int warmUp = 50;
        for (int i = 0; i < warmUp + count; i++)
        {
            var request = new PutRequest { Key = BenchKeys.Key($"{BenchKeys.Root}seq/{i % 100}"), Value = BenchKeys.Value };
            long t0 = Clock.Now;
            await etcd.PutAsync(request, cancellationToken).ConfigureAwait(false);
            if (i >= warmUp)
            {
                samples.Add(Clock.MsSince(t0));
            }
        }

        return LatencySummary.Of(samples);
    }

    /// <summary>Puts from <paramref name="callers"/> concurrent callers, each on its own keys, for <paramref name="duration"/>.</summary>
    public Task<LoadResult> ThroughputAsync(int callers, TimeSpan duration, CancellationToken cancellationToken) =>
        LoadRunner.ForDurationAsync(
            callers,
            duration,
            (caller, seq, ct) => etcd.PutAsync(
                new PutRequest { Key = BenchKeys.Key($"{BenchKeys.Root}put/{caller}/{seq % 64}"), Value = BenchKeys.Value }, ct),
            cancellationToken);
}
