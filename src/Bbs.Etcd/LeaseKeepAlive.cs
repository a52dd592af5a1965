using Bbs.Etcd.Streams;

namespace Bbs.Etcd;

/// <summary>Why a kept-alive lease is considered gone.</summary>
public enum LeaseLossReason
{
    /// <summary>etcd answered a renewal with TTL 0: the lease expired or was revoked, and its keys are deleted.</summary>
    NotFound,

    /// <summary>
    /// No renewal was confirmed before the lease's last known expiry (etcd unreachable for longer than the TTL).
    /// etcd has most likely expired the lease; treat it as gone.
    /// </summary>
    Expired,

    /// <summary>The <see cref="EtcdClient"/> was disposed: nothing renews the lease any more, so it will expire.</summary>
    ClientDisposed,
}

/// <summary>
/// Keeps one lease alive, from <see cref="EtcdClient.KeepAliveAsync"/> until <see cref="DisposeAsync"/>: the client
/// renews it every TTL/3 over its shared keep-alive stream, which survives reconnects and endpoint failover.
/// </summary>
/// <remarks>
/// The lease is lost when etcd reports it gone (TTL 0) or when no renewal was confirmed before its expiry, e.g.
/// while etcd was unreachable for longer than the TTL. Then, once, <see cref="LeaseLost"/> is cancelled and
/// <see cref="Lost"/> completes with the reason, and renewal stops for good: a lost lease is never resurrected.
/// Disposing stops renewing without revoking the lease (it expires after its TTL; revoke it with
/// <see cref="EtcdClient.LeaseRevokeAsync"/> to delete its keys at once) and cancels <see cref="Lost"/>; it does
/// not cancel <see cref="LeaseLost"/>.
/// </remarks>
public sealed class LeaseKeepAlive : IAsyncDisposable
{
    private readonly LeaseKeeper _keeper;
    private readonly CancellationTokenSource _leaseLost = new();
    private readonly TaskCompletionSource<LeaseLossReason> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ttlSeconds;

    internal LeaseKeepAlive(long leaseId, LeaseKeeper keeper)
    {
        LeaseId = leaseId;
        _keeper = keeper;
    }

    public long LeaseId { get; }

    /// <summary>The TTL etcd granted at the last renewal, in seconds.</summary>
    public long TtlSeconds
    {
        get => Volatile.Read(ref _ttlSeconds);
        internal set => Volatile.Write(ref _ttlSeconds, value);
    }

    /// <summary>Cancelled when the lease is lost (see remarks); a convenient token for work that must stop then.</summary>
    public CancellationToken LeaseLost => _leaseLost.Token;

    /// <summary>Completes with the reason when the lease is lost; cancelled when this handle is disposed first.</summary>
    public Task<LeaseLossReason> Lost => _lost.Task;

    public ValueTask DisposeAsync()
    {
        _keeper.Remove(this);
        _lost.TrySetCanceled();
        return default;
    }

    internal void MarkLost(LeaseLossReason reason)
    {
        if (_lost.TrySetResult(reason))
        {
            // Callbacks registered on LeaseLost run on the thread pool, not on the client's keep-alive loop.
            _ = _leaseLost.CancelAsync();
        }
    }
}
