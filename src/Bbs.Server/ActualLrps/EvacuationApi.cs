using Bbs.Db;
using Bbs.Models;
using Bbs.Models.Rules;
using Bbs.Server.Http;
using Bbs.Server.Lrps;

namespace Bbs.Server.ActualLrps;

public static class EvacuationApi
{
    public static RouteGroupBuilder MapEvacuationApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/actual_lrps/evacuate_claimed", EvacuateClaimed).WithName("EvacuateClaimedActualLRP").WithMetadata(KeepContainerOnError.Instance);
        v1.MapPost("/actual_lrps/evacuate_running", EvacuateRunningR0).WithName("EvacuateRunningActualLRP_r0").WithMetadata(KeepContainerOnError.Instance);
        v1.MapPost("/actual_lrps/evacuate_running.r1", EvacuateRunning).WithName("EvacuateRunningActualLRP").WithMetadata(KeepContainerOnError.Instance);
        v1.MapPost("/actual_lrps/evacuate_stopped", EvacuateStopped).WithName("EvacuateStoppedActualLRP");
        v1.MapPost("/actual_lrps/evacuate_crashed", EvacuateCrashed).WithName("EvacuateCrashedActualLRP");
        v1.MapPost("/actual_lrps/remove_evacuating", RemoveEvacuating).WithName("RemoveEvacuatingActualLRP");
        return v1;
    }

    public static async Task<BbsResult<EvacuationResponse>> EvacuateClaimed(BbsRequest<EvacuateClaimedActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var outcome = await db.EvacuateClaimedAsync(request.Message.ActualLrpKey, request.Message.ActualLrpInstanceKey, cancellationToken);
        return await RespondAsync(outcome, placement, cancellationToken);
    }

    public static async Task<BbsResult<EvacuationResponse>> EvacuateRunning(BbsRequest<EvacuateRunningActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var outcome = await db.EvacuateRunningAsync(RunningInstance.From(request.Message), request.Message.Ttl, cancellationToken);
        return await RespondAsync(outcome, placement, cancellationToken);
    }

    /// <summary>The r0 route: internal routes and metric tags of the request are ignored (NEW).</summary>
    public static Task<BbsResult<EvacuationResponse>> EvacuateRunningR0(BbsRequest<EvacuateRunningActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        request.Message.ActualLrpInternalRoutes.Clear();
        request.Message.MetricTags.Clear();
        return EvacuateRunning(request, db, placement, cancellationToken);
    }

    public static async Task<BbsResult<EvacuationResponse>> EvacuateStopped(BbsRequest<EvacuateStoppedActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var outcome = await db.EvacuateStoppedAsync(request.Message.ActualLrpKey, request.Message.ActualLrpInstanceKey, cancellationToken);
        return await RespondAsync(outcome, placement, cancellationToken);
    }

    public static async Task<BbsResult<EvacuationResponse>> EvacuateCrashed(BbsRequest<EvacuateCrashedActualLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var r = request.Message;
        var outcome = await db.EvacuateCrashedAsync(r.ActualLrpKey, r.ActualLrpInstanceKey, r.ErrorMessage, cancellationToken);
        return await RespondAsync(outcome, placement, cancellationToken);
    }

    public static async Task<BbsResult<RemoveEvacuatingActualLRPResponse>> RemoveEvacuating(BbsRequest<RemoveEvacuatingActualLRPRequest> request, IDb db, CancellationToken cancellationToken)
    {
        await db.RemoveEvacuatingAsync(request.Message.ActualLrpKey, request.Message.ActualLrpInstanceKey, cancellationToken);
        return new RemoveEvacuatingActualLRPResponse();
    }

    private static async Task<BbsResult<EvacuationResponse>> RespondAsync(EvacuationOutcome outcome, LrpPlacement placement, CancellationToken cancellationToken)
    {
        if (outcome.AuctionKey is { } key)
        {
            await placement.AuctionAsync(key, cancellationToken);
        }

        return new EvacuationResponse { KeepContainer = outcome.KeepContainer };
    }
}
