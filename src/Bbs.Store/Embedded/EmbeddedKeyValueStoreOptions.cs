using System.ComponentModel.DataAnnotations;

namespace Bbs.Store.Embedded;

/// <summary>Settings of <see cref="EmbeddedKeyValueStore"/>. Validated when the store is created.</summary>
public sealed class EmbeddedKeyValueStoreOptions
{
    /// <summary>
    /// How many revisions of events the store keeps for watches and past-revision ranges. Older ones are
    /// compacted automatically, as etcd's revision auto-compaction does; a watcher that falls that far
    /// behind gets <see cref="StoreCompactedException"/>.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int HistoryLimit { get; set; } = 100_000;

    /// <summary>
    /// The lease expiry timer fires at most this often. An expired lease is revoked at its deadline when the
    /// timer is idle, and at most this much later when leases expire in quick succession; never before.
    /// </summary>
    public TimeSpan LeaseCheckInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The most compares, or ops per branch, one transaction may have; etcd's <c>--max-txn-ops</c>
    /// (default 128). Keeping the same limit makes code that would fail against etcd fail here too.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxTxnOps { get; set; } = 128;

    /// <summary>
    /// The largest transaction, in bytes as etcd would receive it (<see cref="TxnRequest.EncodedSize"/>); etcd's
    /// <c>--max-request-bytes</c> (default 1.5 MiB). A larger one is <see cref="StoreRequestTooLargeException"/>, so a
    /// write that etcd would refuse is refused here too.
    /// </summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = StoreRequestTooLargeException.EtcdDefaultLimit;

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range.</summary>
    public void Validate()
    {
        if (HistoryLimit < 1)
        {
            throw new ArgumentException($"{nameof(HistoryLimit)} must be at least 1, not {HistoryLimit}", nameof(HistoryLimit));
        }

        if (LeaseCheckInterval < TimeSpan.Zero || LeaseCheckInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentException($"{nameof(LeaseCheckInterval)} must be between 0 and one hour, not {LeaseCheckInterval}", nameof(LeaseCheckInterval));
        }

        if (MaxRequestBytes < 1024)
        {
            throw new ArgumentException($"{nameof(MaxRequestBytes)} must be at least 1024, not {MaxRequestBytes}", nameof(MaxRequestBytes));
        }

        if (MaxTxnOps < 1)
        {
            throw new ArgumentException($"{nameof(MaxTxnOps)} must be at least 1, not {MaxTxnOps}", nameof(MaxTxnOps));
        }
    }
}
