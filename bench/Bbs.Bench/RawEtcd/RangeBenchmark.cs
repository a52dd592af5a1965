using Bbs.Bench.Measure;
using Bbs.Etcd;
using Etcdserverpb;
using Mvccpb;

namespace Bbs.Bench.RawEtcd;

/// <summary>Reading a whole prefix with <see cref="EtcdClient.RangeAllAsync"/> (paged, pinned to one revision).</summary>
public sealed class RangeBenchmark(EtcdClient etcd, int pageSize)
{
    /// <summary>Keys per load transaction; etcd allows 128 operations per transaction by default.</summary>
    private const int LoadBatch = 100;

    /// <summary>Writes <paramref name="count"/> keys under <paramref name="prefix"/>, in transactions of 100 puts.</summary>
    public async Task LoadAsync(string prefix, int count, CancellationToken cancellationToken)
    {
        int batches = (count + LoadBatch - 1) / LoadBatch;
        await LoadRunner.ForCountAsync(
            callers: 8,
            batches,
            (_, batch, ct) =>
            {
                var request = new TxnRequest();
                for (long i = batch * LoadBatch; i < Math.Min(count, (batch + 1) * LoadBatch); i++)
                {
                    request.Success.Add(EtcdOp.Put(BenchKeys.Key($"{prefix}{i:D6}"), BenchKeys.Value));
                }

                return etcd.TxnAsync(request, ct);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the prefix once to warm up, then <paramref name="runs"/> times; returns the mean time of a read and the
    /// number of keys read (checked to be the same every time).
    /// </summary>
    public async Task<(LatencySummary Time, int Keys)> ReadAsync(string prefix, int runs, CancellationToken cancellationToken)
    {
        var key = BenchKeys.Key(prefix);
        var end = EtcdKeys.PrefixEnd(key);
        int keys = (await etcd.RangeAllAsync(key, end, 0, pageSize, cancellationToken).ConfigureAwait(false)).Kvs.Count;
        var samples = new List<double>(runs);
        for (int run = 0; run < runs; run++)
        {
            long t0 = Clock.Now;
            var result = await etcd.RangeAllAsync(key, end, 0, pageSize, cancellationToken).ConfigureAwait(false);
            samples.Add(Clock.MsSince(t0));
            if (result.Kvs.Count != keys)
            {
                throw new InvalidOperationException($"{prefix} held {keys} keys, then {result.Kvs.Count}: something is writing to it");
            }
        }

        return (LatencySummary.Of(samples), keys);
    }
}
