using Bbs.Store;

namespace Bbs.Db;

public sealed partial class EtcdDb
{
    public async Task<IReadOnlyList<string>> FreshDomainsAsync(CancellationToken cancellationToken)
    {
        var range = await RangeAsync(Keys.DomainPrefix, cancellationToken).ConfigureAwait(false);
        return [.. range.Kvs.Select(kv => kv.Key[Keys.DomainPrefix.Length..])];
    }

    /// <summary>
    /// E16: the domain key carries a lease of the TTL (none for 0), so etcd itself forgets stale domains.
    /// The key's previous lease, now holding nothing, is revoked afterwards (best effort; it would expire anyway).
    /// </summary>
    public async Task UpsertDomainAsync(string domain, uint ttlSeconds, CancellationToken cancellationToken)
    {
        var key = Keys.Domain(domain);
        var put = CheckedPut(key, ReadOnlyMemory<byte>.Empty, 0);
        var lease = ttlSeconds == 0 ? 0 : await store.GrantLeaseAsync(ttlSeconds, cancellationToken).ConfigureAwait(false);
        var result = await store.TxnAsync(
            TxnRequest.If().Then(new GetOp(key), put with { Lease = lease }),
            cancellationToken).ConfigureAwait(false);
        var previousLease = result.Results[0].Kvs is { Count: > 0 } previous ? previous[0].Lease : 0;
        if (previousLease != 0 && previousLease != lease)
        {
            await store.RevokeLeaseAsync(previousLease, cancellationToken).ConfigureAwait(false);
        }
    }
}
