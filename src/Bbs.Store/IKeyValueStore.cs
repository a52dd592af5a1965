namespace Bbs.Store;

/// <summary>
/// The narrow key-value port that the BBS's storage is written against. It has etcd v3's semantics,
/// and two implementations: <c>EtcdKeyValueStore</c> (a real etcd cluster) and
/// <see cref="Embedded.EmbeddedKeyValueStore"/> (in process, in memory). Both pass one contract suite.
/// </summary>
/// <remarks>
/// Revisions are the store's global, monotonically increasing MVCC revision: every successful write
/// transaction increments it by exactly one, whatever number of keys it touched.
/// Failure modes: <see cref="StoreUnavailableException"/> when the store cannot be reached,
/// <see cref="StoreCompactedException"/> when a watch or a range asks for history that was compacted away,
/// <see cref="StoreFutureRevisionException"/> when it names a revision the store has not reached,
/// <see cref="StoreLeaseNotFoundException"/> when a transaction puts with a lease that does not exist,
/// <see cref="ArgumentException"/> for requests etcd refuses as invalid (an empty key, a transaction that
/// writes one key twice in a branch or has more operations than the server allows),
/// <see cref="OperationCanceledException"/> when the caller's token is cancelled.
/// </remarks>
public interface IKeyValueStore : IAsyncDisposable
{
    /// <summary>Reads one key at the current revision. <see cref="GetResult.Kv"/> is null when absent.</summary>
    Task<GetResult> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Reads every key that starts with <paramref name="prefix"/>, in key order, all at one revision
    /// (<paramref name="revision"/>, or the current one when 0). Large ranges are read in pages pinned to
    /// that revision, so the result is a consistent snapshot. Keys are ordered by their UTF-8 bytes, as etcd orders them.
    /// A revision older than the compaction point throws <see cref="StoreCompactedException"/>; one newer than the
    /// current revision throws <see cref="StoreFutureRevisionException"/>.
    /// </summary>
    Task<RangeResult> RangeAsync(string prefix, long revision, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one atomic transaction: if every compare holds, the success ops run, otherwise the failure ops.
    /// Writes in the branch that runs become visible together, at one new revision; a branch that writes nothing
    /// (only reads, or deletes of absent keys) leaves the revision unchanged. Ops run in order, so a
    /// <see cref="GetOp"/> sees the branch's earlier writes. A put with a lease that does not exist refuses the
    /// whole transaction with <see cref="StoreLeaseNotFoundException"/>; a branch that puts one key twice, or puts
    /// a key that one of its deletes also covers, is refused with <see cref="ArgumentException"/> (etcd's
    /// "duplicate key given in txn request").
    /// </summary>
    Task<TxnResult> TxnAsync(TxnRequest request, CancellationToken cancellationToken);

    /// <summary>Grants a lease of <paramref name="ttlSeconds"/> (at least 1). Keys put with it are deleted when it expires.</summary>
    Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken);

    /// <summary>Revokes a lease and deletes its keys. Returns false when the lease did not exist (or had expired).</summary>
    Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Renews a lease once. Returns the TTL it now has in seconds, or 0 when the lease is gone.</summary>
    Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Remaining TTL of a lease in whole seconds, rounded down as etcd does, or -1 when the lease does not exist.</summary>
    Task<long> TimeToLiveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>
    /// Watches every key under <paramref name="prefix"/>. Delivers all changes with revision &gt;=
    /// <paramref name="startRevision"/> (0 = changes after the current revision), in revision order, each
    /// with its previous value. Events of one transaction always arrive in one batch. The sequence ends only
    /// when <paramref name="cancellationToken"/> is cancelled (it then throws <see cref="OperationCanceledException"/>);
    /// a start revision older than the store's compaction point throws <see cref="StoreCompactedException"/>.
    /// Transient disconnects are retried inside, resuming after the last delivered revision.
    /// Batches with no events are progress reports: everything up to <see cref="WatchBatch.Revision"/> was delivered.
    /// </summary>
    IAsyncEnumerable<WatchBatch> WatchAsync(string prefix, long startRevision, CancellationToken cancellationToken);

    /// <summary>
    /// Discards history before <paramref name="revision"/>: watches and ranges from <paramref name="revision"/> on still
    /// work, older ones then throw <see cref="StoreCompactedException"/>. Compacting at or below the current compaction
    /// point throws <see cref="StoreCompactedException"/>; beyond the current revision, <see cref="StoreFutureRevisionException"/>.
    /// </summary>
    Task CompactAsync(long revision, CancellationToken cancellationToken);

    /// <summary>The store's current revision; also a cheap reachability check.</summary>
    Task<long> GetRevisionAsync(CancellationToken cancellationToken);
}

/// <summary>A key with its value and etcd's metadata. <see cref="Value"/> must not be mutated.</summary>
public sealed record KeyValue(string Key, ReadOnlyMemory<byte> Value, long CreateRevision, long ModRevision, long Version, long Lease);

/// <summary>The result of <see cref="IKeyValueStore.GetAsync"/>: the key (or null) and the revision it was read at.</summary>
public sealed record GetResult(KeyValue? Kv, long Revision);

/// <summary>The result of <see cref="IKeyValueStore.RangeAsync"/>: keys in key order, read at <see cref="Revision"/>.</summary>
public sealed record RangeResult(IReadOnlyList<KeyValue> Kvs, long Revision);

public enum WatchEventType
{
    Put,
    Delete,
}

/// <summary>
/// One change. For a delete, <see cref="Kv"/> carries the key and the deleting revision (as ModRevision)
/// and an empty value; <see cref="PrevKv"/> carries the value that was deleted (null if unknown).
/// </summary>
public sealed record WatchEvent(WatchEventType Type, KeyValue Kv, KeyValue? PrevKv);

/// <summary>Events delivered together. <see cref="Revision"/> is the store revision the batch was sent at.</summary>
public sealed record WatchBatch(long Revision, IReadOnlyList<WatchEvent> Events);
