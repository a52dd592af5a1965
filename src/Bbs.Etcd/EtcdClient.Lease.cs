using Bbs.Etcd.Api;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>Grants a lease of <see cref="LeaseGrantRequest.TTL"/> seconds (etcd may raise it to its minimum). Not retried.</summary>
    public Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken) =>
        CallAsync(Methods.LeaseGrant, request, LeaseGrantResponse.Parser, idempotent: false, cancellationToken);

    /// <summary>
    /// Revokes a lease and deletes its keys. An unknown or expired lease throws <see cref="EtcdLeaseNotFoundException"/>,
    /// which is also what a retry sees when an earlier attempt did revoke it: treat it as revoked. Retried.
    /// </summary>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken) =>
        CallAsync(Methods.LeaseRevoke, request, LeaseRevokeResponse.Parser, idempotent: true, cancellationToken);

    /// <summary>Remaining TTL of a lease (<c>TTL</c> -1 when it does not exist), optionally with its keys. Retried.</summary>
    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken) =>
        CallAsync(Methods.LeaseTimeToLive, request, LeaseTimeToLiveResponse.Parser, idempotent: true, cancellationToken);

    /// <summary>
    /// Renews a lease once, in one round trip on a short-lived keep-alive stream. The response's <c>TTL</c> is the
    /// renewed TTL, or 0 when the lease no longer exists (etcd does not report that as an error here). Retried.
    /// </summary>
    public Task<LeaseKeepAliveResponse> LeaseKeepAliveOnceAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _retry.ExecuteAsync(static (state, ct) => new ValueTask<LeaseKeepAliveResponse>(state.Self.KeepAliveOnceAttemptAsync(state.Request, ct)), (Self: this, Request: request), cancellationToken).AsTask();
    }

    /// <summary>
    /// Starts keeping a lease alive until the returned handle is disposed or the lease is lost (see
    /// <see cref="LeaseKeepAlive"/> for the exact failure model). The first renewal happens here, so an unknown or
    /// expired lease throws <see cref="EtcdLeaseNotFoundException"/> at once; unreachable etcd throws as
    /// <see cref="LeaseKeepAliveOnceAsync"/> does.
    /// </summary>
    public async Task<LeaseKeepAlive> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        long sentAt = Environment.TickCount64;
        var first = await LeaseKeepAliveOnceAsync(new LeaseKeepAliveRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
        if (first.TTL <= 0)
        {
            throw new EtcdLeaseNotFoundException($"etcdserver: requested lease not found (lease {leaseId:x})");
        }

        return _leases.Add(leaseId, first.TTL, sentAt);
    }

    private async Task<LeaseKeepAliveResponse> KeepAliveOnceAttemptAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_requestTimeout);
        var endpoint = _channel.Endpoints.Current;
        try
        {
            var call = await _channel.StartDuplexAsync<LeaseKeepAliveRequest, LeaseKeepAliveResponse>(
                endpoint, Methods.LeaseKeepAlive, LeaseKeepAliveResponse.Parser, c => c.TrySend(request), deadline.Token).ConfigureAwait(false);
            await using (call.ConfigureAwait(false))
            {
                return await call.ReadAsync().ConfigureAwait(false)
                    ?? throw new EtcdUnavailableException($"etcd at {endpoint} closed the keep-alive stream without answering");
            }
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new EtcdDeadlineExceededException($"etcd at {endpoint} did not answer the keep-alive within the deadline", ex);
        }
        catch (EtcdUnavailableException ex)
        {
            _channel.Endpoints.ReportFailure(endpoint, ex);
            throw;
        }
    }
}
