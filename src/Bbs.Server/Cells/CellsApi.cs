using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Http;

namespace Bbs.Server.Cells;

public static class CellsApi
{
    public static RouteGroupBuilder MapCellsApi(this RouteGroupBuilder v1)
    {
        v1.MapMethods("/cells/list.r1", [HttpMethods.Get, HttpMethods.Post], Cells).WithName("Cells");
        v1.MapPost("/cells/upsert", UpsertCell).WithName("UpsertCell");
        return v1;
    }

    public static async Task<BbsResult<CellsResponse>> Cells(IDb db, CancellationToken cancellationToken)
    {
        var response = new CellsResponse();
        response.Cells.AddRange(await db.CellsAsync(cancellationToken));
        return response;
    }

    /// <summary>Our extension: a rep (or anything acting for it) keeps its presence alive with this heartbeat.</summary>
    public static async Task<BbsResult<UpsertCellResponse>> UpsertCell(BbsRequest<UpsertCellRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.UpsertCellAsync(request.Message.CellPresence, request.Message.Ttl, cancellationToken);
        return new UpsertCellResponse();
    }
}
