using Etcdserverpb;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>
    /// Runs a transaction atomically: if every compare holds, the success ops, otherwise the failure ops; the writes
    /// of the branch that ran become visible together at one new revision. Build compares with <see cref="EtcdCompare"/>
    /// and ops with <see cref="EtcdOp"/>. Not retried: on <see cref="EtcdUnavailableException"/> or a deadline it may
    /// have been applied; re-read and decide.
    /// </summary>
    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken) =>
        CallAsync("txn", static (etcd, r, h, d, ct) => etcd.TransactionAsync(r, h, d, ct), request, idempotent: false, cancellationToken);
}
