using Etcdserverpb;
using Grpc.Core;

namespace Bbs.Etcd;

public sealed partial class EtcdClient
{
    /// <summary>Grants a lease of <see cref="LeaseGrantRequest.TTL"/> seconds (etcd may raise it to its minimum). Not retried.</summary>
    public Task<LeaseGrantResponse> LeaseGrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken) =>
        CallAsync("lease_grant", static (etcd, r, h, d, ct) => etcd.LeaseGrantAsync(r, h, d, ct), request, idempotent: false, cancellationToken);

    /// <summary>
    /// Revokes a lease and deletes its keys. An unknown or expired lease throws <see cref="EtcdLeaseNotFoundException"/>,
    /// which is also what a retry sees when an earlier attempt did revoke it: treat it as revoked. Retried.
    /// </summary>
    public Task<LeaseRevokeResponse> LeaseRevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken) =>
        CallAsync("lease_revoke", static (etcd, r, h, d, ct) => etcd.LeaseRevokeAsync(r, h, d, ct), request, idempotent: true, cancellationToken);

    /// <summary>Remaining TTL of a lease (<c>TTL</c> -1 when it does not exist), optionally with its keys. Retried.</summary>
    public Task<LeaseTimeToLiveResponse> LeaseTimeToLiveAsync(LeaseTimeToLiveRequest request, CancellationToken cancellationToken) =>
        CallAsync("lease_time_to_live", static (etcd, r, h, d, ct) => etcd.LeaseTimeToLiveAsync(r, h, d, ct), request, idempotent: true, cancellationToken);

    /// <summary>
    /// Renews a lease once, in one round trip on a short-lived keep-alive stream. The response's <c>TTL</c> is the
    /// renewed TTL, or 0 when the lease no longer exists (etcd does not report that as an error here). Retried.
    /// </summary>
    public Task<LeaseKeepAliveResponse> LeaseKeepAliveOnceAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken) =>
        CallAsync("lease_keep_alive", static (etcd, r, h, d, ct) => KeepAliveOnceAsync(etcd, r, h, d, ct), request, idempotent: true, cancellationToken);

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

    private static async Task<LeaseKeepAliveResponse> KeepAliveOnceAsync(dotnet_etcd.EtcdClient etcd, LeaseKeepAliveRequest request, Metadata? headers, DateTime deadline, CancellationToken cancellationToken)
    {
        using var call = etcd.GetConnection().LeaseClient.LeaseKeepAlive(headers, deadline, cancellationToken);
        await call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        return await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false)
            ? call.ResponseStream.Current
            : throw new EtcdUnavailableException("etcd closed the keep-alive stream without answering");
    }
}
