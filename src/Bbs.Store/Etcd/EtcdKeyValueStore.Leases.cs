using Bbs.Etcd;
using Api = Etcdserverpb;

namespace Bbs.Store.Etcd;

public sealed partial class EtcdKeyValueStore
{
    /// <summary>etcd's MaxLeaseTTL: larger TTLs are refused ("too large lease TTL").</summary>
    private const long MaxLeaseTtlSeconds = 9_000_000_000;

    /// <inheritdoc/>
    /// <remarks>etcd may raise the TTL to its minimum (about 1.5 election timeouts). Not retried.</remarks>
    public async Task<long> GrantLeaseAsync(long ttlSeconds, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ttlSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ttlSeconds, MaxLeaseTtlSeconds);
        ThrowIfDisposed();
        try
        {
            var response = await _client.LeaseGrantAsync(new Api.LeaseGrantRequest { TTL = ttlSeconds }, cancellationToken).ConfigureAwait(false);
            return response.ID;
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Retried on transient failures, so when an earlier attempt did revoke the lease and its answer was lost,
    /// this returns false: either way the lease is gone.
    /// </remarks>
    public async Task<bool> RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            await _client.LeaseRevokeAsync(new Api.LeaseRevokeRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EtcdLeaseNotFoundException)
        {
            return false;
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async Task<long> KeepAliveOnceAsync(long leaseId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            var response = await _client.LeaseKeepAliveOnceAsync(new Api.LeaseKeepAliveRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
            return Math.Max(response.TTL, 0);
        }
        catch (EtcdLeaseNotFoundException)
        {
            return 0;
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }

    public async Task<long> TimeToLiveAsync(long leaseId, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        try
        {
            var response = await _client.LeaseTimeToLiveAsync(new Api.LeaseTimeToLiveRequest { ID = leaseId }, cancellationToken).ConfigureAwait(false);
            return response.TTL < 0 ? -1 : response.TTL;
        }
        catch (EtcdLeaseNotFoundException)
        {
            return -1;
        }
        catch (EtcdException ex)
        {
            throw EtcdErrors.ToStoreException(ex);
        }
    }
}
