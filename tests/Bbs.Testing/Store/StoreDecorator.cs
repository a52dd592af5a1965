using Bbs.Store;

namespace Bbs.Testing.Store;

/// <summary>
/// A real store behind a decorator whose members a test overrides to inject a fault (a failing call, a slow one,
/// a watch that cannot resume). Disposing it leaves the inner store to its owner.
/// </summary>
public class StoreDecorator(IKeyValueStore inner) : IKeyValueStore
{
    protected IKeyValueStore Inner { get; } = inner;

    public virtual Task<GetResult> GetAsync(string key, CancellationToken cancellationToken) => Inner.GetAsync(key, cancellationToken);

    public virtual Task<RangeResult> RangeAsync(string prefix, long revision, CancellationToken cancellationToken) => Inner.RangeAsync(prefix, revision, cancellationToken);

    public virtual Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken) => Inner.TxnAsync(request, cancellationToken);

    public virtual Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken) => Inner.GrantLeaseAsync(ttlSeconds, cancellationToken);

    public virtual Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => Inner.RevokeLeaseAsync(leaseId, cancellationToken);

    public virtual Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken) => Inner.KeepAliveOnceAsync(leaseId, cancellationToken);

    public virtual Task<long> TimeToLiveAsync(long leaseId, CancellationToken cancellationToken) => Inner.TimeToLiveAsync(leaseId, cancellationToken);

    public virtual IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken) => Inner.WatchAsync(prefix, startRevision, cancellationToken);

    public virtual Task CompactAsync(long revision, CancellationToken cancellationToken) => Inner.CompactAsync(revision, cancellationToken);

    public virtual Task<long> GetRevisionAsync(CancellationToken cancellationToken) => Inner.GetRevisionAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
