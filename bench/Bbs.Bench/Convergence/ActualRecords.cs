using Bbs.Bench.Lrps;
using Bbs.Db;
using Bbs.Db.Format;
using Bbs.Etcd;
using Etcdserverpb;
using Mvccpb;
using Bbs.Models;
using Bbs.Models.Rules;
using Google.Protobuf;
using CompareResult = Etcdserverpb.Compare.Types.CompareResult;

namespace Bbs.Bench.Convergence;

/// <summary>
/// Untimed set-up that goes around the server, straight to the actual-LRP records in etcd: counting them, making
/// UNCLAIMED ones RUNNING (with the server's own lifecycle rule and record format, as if their cells had claimed
/// and started them), and deleting some so that a convergence pass finds instances missing. Every write is guarded
/// on the revision read, so a record the server changed meanwhile is left alone.
/// </summary>
internal sealed class ActualRecords(EtcdClient etcd, int pageSize)
{
    /// <summary>etcd's default --max-txn-ops.</summary>
    private const int TxnOps = 128;
    private const int ParallelTxns = 4;

    private static readonly ByteString Prefix = ByteString.CopyFromUtf8(Keys.ActualPrefix);

    // The server's defaults: unencoded PROTO envelopes, validated.
    private readonly RecordSerializer _serializer = new(new RecordFormatOptions());

    public Task<long> CountAsync(CancellationToken cancellationToken) => CountAsync(Keys.ActualPrefix, cancellationToken);

    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        var response = await etcd.RangeAsync(new RangeRequest { Key = key, RangeEnd = EtcdKeys.PrefixEnd(key), CountOnly = true }, cancellationToken).ConfigureAwait(false);
        return response.Count;
    }

    /// <summary>
    /// Every UNCLAIMED instance record becomes RUNNING on one of <paramref name="cells"/> (by position). Returns the
    /// keys of all instance records (not evacuating ones) and how many were changed.
    /// </summary>
    public async Task<(IReadOnlyList<ByteString> InstanceKeys, int Started)> StartUnclaimedAsync(IReadOnlyList<string> cells, CancellationToken cancellationToken)
    {
        var range = await etcd.RangeAllAsync(Prefix, EtcdKeys.PrefixEnd(Prefix), 0, pageSize, cancellationToken).ConfigureAwait(false);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var keys = new List<ByteString>(range.Kvs.Count);
        var puts = new List<(KeyValue Kv, ByteString Value)>();
        foreach (var kv in range.Kvs)
        {
            if (!Keys.TryParseActual(kv.Key.ToStringUtf8(), out _, out int index, out bool evacuating) || evacuating)
            {
                continue;
            }

            keys.Add(kv.Key);
            var lrp = _serializer.Deserialize<ActualLRP>(kv.Value.Span);
            if (lrp.State != ActualLrpStates.Unclaimed)
            {
                continue;
            }

            int cell = keys.Count % cells.Count;
            var instance = new RunningInstance(
                lrp.ActualLrpKey,
                new ActualLRPInstanceKey { CellId = cells[cell], InstanceGuid = $"ig-conv-{lrp.ActualLrpKey.ProcessGuid}-{index}" },
                LrpFixtures.NetInfo(cell, index),
                [],
                new Dictionary<string, string>(),
                Routable: true,
                AvailabilityZone: string.Empty);
            var outcome = ActualLrpLifecycle.Start(lrp, instance, now, () => throw new InvalidOperationException("the record exists"));
            var running = outcome.Record ?? throw new InvalidOperationException($"the start rule refused {kv.Key.ToStringUtf8()}: {outcome.Error?.Message}");
            puts.Add((kv, ByteString.CopyFrom(_serializer.Serialize(running))));
        }

        await InBatchesAsync(
            puts,
            batch =>
            {
                var txn = new TxnRequest();
                txn.Compare.AddRange(batch.Select(p => EtcdCompare.ModRevision(p.Kv.Key, CompareResult.Equal, p.Kv.ModRevision)));
                txn.Success.AddRange(batch.Select(p => EtcdOp.Put(p.Kv.Key, p.Value)));
                return txn;
            },
            cancellationToken).ConfigureAwait(false);
        return (keys, puts.Count);
    }

    /// <summary>Deletes <paramref name="count"/> of <paramref name="keys"/>, evenly spread; returns the ones deleted.</summary>
    public async Task<IReadOnlyList<ByteString>> DeleteSpreadAsync(IReadOnlyList<ByteString> keys, int count, CancellationToken cancellationToken)
    {
        count = Math.Min(count, keys.Count);
        var chosen = Enumerable.Range(0, count).Select(i => keys[(int)((long)i * keys.Count / count)]).ToList();
        await InBatchesAsync(
            chosen,
            batch =>
            {
                var txn = new TxnRequest();
                txn.Success.AddRange(batch.Select(key => EtcdOp.Delete(key)));
                return txn;
            },
            cancellationToken).ConfigureAwait(false);
        return chosen;
    }

    /// <summary>Sends one transaction per <see cref="TxnOps"/> items, <see cref="ParallelTxns"/> at a time; a failed guard fails the set-up.</summary>
    private async Task InBatchesAsync<T>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, TxnRequest> toTxn, CancellationToken cancellationToken)
    {
        var batches = items.Chunk(TxnOps).ToList();
        await Parallel.ForEachAsync(
            batches,
            new ParallelOptions { MaxDegreeOfParallelism = ParallelTxns, CancellationToken = cancellationToken },
            async (batch, ct) =>
            {
                var response = await etcd.TxnAsync(toTxn(batch), ct).ConfigureAwait(false);
                if (!response.Succeeded)
                {
                    throw new InvalidOperationException("a record changed while the bench rewrote it in etcd: the server is not idle");
                }
            }).ConfigureAwait(false);
    }
}
