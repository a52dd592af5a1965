using Bbs.Models;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>The present cells, in no particular order. POST /v1/cells/list.r1 (Cells), empty body.</summary>
    public async Task<IReadOnlyList<CellPresence>> CellsAsync(string? traceId = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync<CellsResponse>(Routes.Cells, null, traceId, cancellationToken).ConfigureAwait(false);
        return response.Cells;
    }

    /// <summary>
    /// Registers a cell's presence, or renews it, for <paramref name="ttl"/> (whole seconds).
    /// POST /v1/cells/upsert (UpsertCell): our extension, standing in for the rep's consul/locket presence.
    /// </summary>
    public async Task UpsertCellAsync(CellPresence cellPresence, TimeSpan ttl, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new UpsertCellRequest { CellPresence = cellPresence, Ttl = Seconds32(ttl) };
        await CallAsync<UpsertCellResponse>(Routes.UpsertCell, request, traceId, cancellationToken).ConfigureAwait(false);
    }
}
