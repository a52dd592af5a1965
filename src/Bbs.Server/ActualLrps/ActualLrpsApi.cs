using Bbs.Db;
using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Server.Http;
using Bbs.Server.Lrps;

namespace Bbs.Server.ActualLrps;

public static class ActualLrpsApi
{
    public static RouteGroupBuilder MapActualLrpsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/actual_lrps/list", ActualLrps).WithName("ActualLRPs");
        v1.MapPost("/actual_lrps/list_by_process_guids", ActualLrpsByProcessGuids).WithName("ActualLRPsByProcessGuids");
        v1.MapPost("/actual_lrp_groups/list", ActualLrpGroups).WithName("ActualLRPGroups");
        v1.MapPost("/actual_lrp_groups/list_by_process_guid", ActualLrpGroupsByProcessGuid).WithName("ActualLRPGroupsByProcessGuid");
        v1.MapPost("/actual_lrp_groups/get_by_process_guid_and_index", ActualLrpGroupByProcessGuidAndIndex).WithName("ActualLRPGroupsByProcessGuidAndIndex");
        v1.MapPost("/actual_lrps/claim", ClaimActualLrp).WithName("ClaimActualLRP");
        v1.MapPost("/actual_lrps/start", StartActualLrpR0).WithName("StartActualLRP_r0");
        v1.MapPost("/actual_lrps/start.r1", StartActualLrp).WithName("StartActualLRP");
        v1.MapPost("/actual_lrps/crash", CrashActualLrp).WithName("CrashActualLRP");
        v1.MapPost("/actual_lrps/fail", FailActualLrp).WithName("FailActualLRP");
        v1.MapPost("/actual_lrps/remove", RemoveActualLrp).WithName("RemoveActualLRP");
        v1.MapPost("/actual_lrps/retire", RetireActualLrp).WithName("RetireActualLRP");
        return v1;
    }

    public static async Task<BbsResult<ActualLRPsResponse>> ActualLrps(BbsRequest<ActualLRPsRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var r = request.Message;
        var records = await db.ActualLrpBytesAsync(new ActualLrpFilter(r.Domain, r.CellId, r.ProcessGuid, r.HasIndex ? r.Index : null), cancellationToken);
        return BbsResult<ActualLRPsResponse>.FromRecords(ActualLRPsResponse.ActualLrpsFieldNumber, records, static rs =>
        {
            var response = new ActualLRPsResponse();
            foreach (var bytes in rs)
            {
                response.ActualLrps.Add(ActualLRP.Parser.ParseFrom(bytes.Span));
            }

            return response;
        });
    }

    public static async Task<BbsResult<ActualLRPsByProcessGuidsResponse>> ActualLrpsByProcessGuids(BbsRequest<ActualLRPsByProcessGuidsRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var response = new ActualLRPsByProcessGuidsResponse();
        foreach (var guid in request.Message.ProcessGuids.Distinct(StringComparer.Ordinal))
        {
            response.ActualLrps.AddRange(await db.ActualLrpsAsync(new ActualLrpFilter(ProcessGuid: guid), cancellationToken));
        }

        return response;
    }

    public static async Task<BbsResult<ActualLRPGroupsResponse>> ActualLrpGroups(BbsRequest<ActualLRPGroupsRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var response = new ActualLRPGroupsResponse();
        response.ActualLrpGroups.AddRange(await db.ActualLrpGroupsAsync(new ActualLrpFilter(request.Message.Domain, request.Message.CellId), cancellationToken));
        return response;
    }

    public static async Task<BbsResult<ActualLRPGroupsResponse>> ActualLrpGroupsByProcessGuid(BbsRequest<ActualLRPGroupsByProcessGuidRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var response = new ActualLRPGroupsResponse();
        response.ActualLrpGroups.AddRange(await db.ActualLrpGroupsAsync(new ActualLrpFilter(ProcessGuid: request.Message.ProcessGuid), cancellationToken));
        return response;
    }

    public static async Task<BbsResult<ActualLRPGroupResponse>> ActualLrpGroupByProcessGuidAndIndex(BbsRequest<ActualLRPGroupByProcessGuidAndIndexRequest> request, IDb db, CancellationToken cancellationToken) =>
        new ActualLRPGroupResponse { ActualLrpGroup = await db.ActualLrpGroupAsync(request.Message.ProcessGuid, request.Message.Index, cancellationToken) };

    public static async Task<BbsResult<ActualLRPLifecycleResponse>> ClaimActualLrp(BbsRequest<ClaimActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var r = request.Message;
        await db.ClaimActualLrpAsync(r.ProcessGuid, r.Index, r.ActualLrpInstanceKey, cancellationToken);
        return new ActualLRPLifecycleResponse();
    }

    public static async Task<BbsResult<ActualLRPLifecycleResponse>> StartActualLrp(BbsRequest<StartActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.StartActualLrpAsync(RunningInstance.From(request.Message), cancellationToken);
        return new ActualLRPLifecycleResponse();
    }

    /// <summary>The r0 route: internal routes and metric tags of the request are ignored (NEW).</summary>
    public static Task<BbsResult<ActualLRPLifecycleResponse>> StartActualLrpR0(BbsRequest<StartActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        request.Message.ActualLrpInternalRoutes.Clear();
        request.Message.MetricTags.Clear();
        return StartActualLrp(request, db, cancellationToken);
    }

    /// <summary>A crash that restarts the instance at once asks for its placement.</summary>
    public static async Task<BbsResult<ActualLRPLifecycleResponse>> CrashActualLrp(BbsRequest<CrashActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var r = request.Message;
        var change = await db.CrashActualLrpAsync(r.ActualLrpKey, r.ActualLrpInstanceKey, r.ErrorMessage, cancellationToken);
        if (change.AuctionNeeded)
        {
            await placement.AuctionAsync(r.ActualLrpKey, cancellationToken);
        }

        return new ActualLRPLifecycleResponse();
    }

    public static async Task<BbsResult<ActualLRPLifecycleResponse>> FailActualLrp(BbsRequest<FailActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.FailActualLrpAsync(request.Message.ActualLrpKey, request.Message.ErrorMessage, cancellationToken);
        return new ActualLRPLifecycleResponse();
    }

    public static async Task<BbsResult<ActualLRPLifecycleResponse>> RemoveActualLrp(BbsRequest<RemoveActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var r = request.Message;
        await db.RemoveActualLrpAsync(r.ProcessGuid, r.Index, r.ActualLrpInstanceKey, cancellationToken);
        return new ActualLRPLifecycleResponse();
    }

    /// <summary>
    /// The record is removed at once (so watchers see actual_lrp_removed promptly, diego-release#820), then
    /// the rep of a CLAIMED/RUNNING instance is asked to stop its container.
    /// </summary>
    public static async Task<BbsResult<ActualLRPLifecycleResponse>> RetireActualLrp(BbsRequest<RetireActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.RetireActualLrpAsync(request.Message.ActualLrpKey, cancellationToken);
        if (change.Before is { } retired)
        {
            await placement.StopAsync([retired], cancellationToken);
        }

        return new ActualLRPLifecycleResponse();
    }
}
