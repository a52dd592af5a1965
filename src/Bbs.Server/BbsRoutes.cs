using Bbs.Server.ActualLrps;
using Bbs.Server.Authorization;
using Bbs.Server.Cells;
using Bbs.Server.Convergence;
using Bbs.Server.DesiredLrps;
using Bbs.Server.Events;
using Bbs.Server.Domains;
using Bbs.Server.Health;
using Bbs.Server.Http;
using Bbs.Server.Ping;
using Bbs.Server.Tasks;

namespace Bbs.Server;

/// <summary>
/// The route table, one line per area, in the order of bbs-protocol.md §1. Every /v1 route decodes its
/// body through <see cref="BbsRequest{T}"/> and answers through <see cref="BbsResult{T}"/>; with authorization
/// enabled, each call is then checked against <see cref="RoutePermissions"/>.
/// </summary>
public static class BbsRoutes
{
    public static void MapBbsRoutes(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").AddEndpointFilter<BbsRequestFilter>().AddBbsAuthorization();
        v1.MapPingApi();
        v1.MapDomainsApi();
        v1.MapDesiredLrpsApi();
        v1.MapActualLrpsApi();
        v1.MapEvacuationApi();
        v1.MapTasksApi();
        v1.MapConvergenceApi();
        v1.MapEventsApi();
        v1.MapCellsApi();

        app.MapHealthApi();
    }
}
