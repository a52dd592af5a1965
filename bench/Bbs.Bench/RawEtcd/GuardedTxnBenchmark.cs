using Bbs.Bench.Measure;
using Bbs.Etcd;
using Etcdserverpb;
using Mvccpb;
using CompareResult = Etcdserverpb.Compare.Types.CompareResult;

namespace Bbs.Bench.RawEtcd;

/// <summary>
/// Compare-and-swap transactions, the shape of every BBS write: "if mod_revision(key) = what I read, put key".
/// Each caller owns one key and remembers the revision its last write produced, so every guard holds; a guard
/// that fails means something else wrote the key, and the run fails.
/// </summary>
public sealed class GuardedTxnBenchmark(EtcdClient etcd)
{
    private int _runs;

    /// <summary>
    /// Guarded puts from <paramref name="callers"/> callers for <paramref name="duration"/>. With
    /// <paramref name="readFirst"/>, each write first reads its key (a linearizable Range) for the revision to guard on,
    /// as EtcdDb's read-modify-write does, instead of remembering it: one operation is then a read and a write.
    /// </summary>
    public async Task<LoadResult> ThroughputAsync(int callers, TimeSpan duration, CancellationToken cancellationToken, bool readFirst = false)
    {
        int run = Interlocked.Increment(ref _runs);
        var keys = Enumerable.Range(0, callers).Select(c => BenchKeys.Key($"{BenchKeys.Root}cas/{run}/{c}")).ToArray();

        // 0 is the mod revision etcd compares an absent key as, so the first guard holds too.
        var modRevisions = new long[callers];
        return await LoadRunner.ForDurationAsync(
            callers,
            duration,
            async (caller, _, ct) =>
            {
                var key = keys[caller];
                if (readFirst)
                {
                    var read = await etcd.RangeAsync(new RangeRequest { Key = key }, ct).ConfigureAwait(false);
                    modRevisions[caller] = read.Kvs.Count == 0 ? 0 : read.Kvs[0].ModRevision;
                }

                var request = new TxnRequest
                {
                    Compare = { EtcdCompare.ModRevision(key, CompareResult.Equal, modRevisions[caller]) },
                    Success = { EtcdOp.Put(key, BenchKeys.Value) },
                };
                var response = await etcd.TxnAsync(request, ct).ConfigureAwait(false);
                if (!response.Succeeded)
                {
                    throw new InvalidOperationException($"the guard on {key.ToStringUtf8()} failed: something else wrote it");
                }

                // A transaction's writes all carry the revision it created, which the header reports.
                modRevisions[caller] = response.Header.Revision;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
