using Bbs.Models;
using Bbs.Store;

namespace Bbs.Db;

public sealed partial class EtcdDb
{
    public async Task<IReadOnlyList<CellPresence>> CellsAsync(CancellationToken cancellationToken)
    {
        var range = await RangeAsync(Keys.CellPrefix, cancellationToken).ConfigureAwait(false);
        return [.. range.Kvs.Select(Decode<CellPresence>)];
    }

    public async Task<CellPresence?> CellByIdAsync(string cellId, CancellationToken cancellationToken)
    {
        var result = await GetAsync(Keys.Cell(cellId), cancellationToken).ConfigureAwait(false);
        return result.Kv is null ? null : Decode<CellPresence>(result.Kv);
    }

    public async Task UpsertCellAsync(CellPresence presence, uint ttlSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presence);
        var key = Keys.Cell(presence.CellId);
        var lease = await store.GrantLeaseAsync(Math.Max(1, ttlSeconds), cancellationToken).ConfigureAwait(false);
        var result = await store.TxnAsync(TxnRequest.If().Then(new GetOp(key), Put(key, presence, lease)), cancellationToken).ConfigureAwait(false);
        var previousLease = result.Results[0].Kvs is { Count: > 0 } previous ? previous[0].Lease : 0;
        if (previousLease != 0 && previousLease != lease)
        {
            await store.RevokeLeaseAsync(previousLease, cancellationToken).ConfigureAwait(false);
        }
    }
}
