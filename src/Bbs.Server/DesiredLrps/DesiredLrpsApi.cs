using Bbs.Db;
using Bbs.Models;
using Bbs.Server.Http;
using Bbs.Server.Lrps;

namespace Bbs.Server.DesiredLrps;

public static class DesiredLrpsApi
{
    public static RouteGroupBuilder MapDesiredLrpsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/desired_lrps/list", DesiredLrps).WithName("DesiredLRPs_r0");
        v1.MapPost("/desired_lrps/list.r1", DesiredLrps).WithName("DesiredLRPs_r1");
        v1.MapPost("/desired_lrps/list.r2", DesiredLrps).WithName("DesiredLRPs_r2");
        v1.MapPost("/desired_lrps/list.r3", DesiredLrps).WithName("DesiredLRPs");
        v1.MapPost("/desired_lrps/get_by_process_guid", DesiredLrpByProcessGuid).WithName("DesiredLRPByProcessGuid_r0");
        v1.MapPost("/desired_lrps/get_by_process_guid.r1", DesiredLrpByProcessGuid).WithName("DesiredLRPByProcessGuid_r1");
        v1.MapPost("/desired_lrps/get_by_process_guid.r2", DesiredLrpByProcessGuid).WithName("DesiredLRPByProcessGuid_r2");
        v1.MapPost("/desired_lrps/get_by_process_guid.r3", DesiredLrpByProcessGuid).WithName("DesiredLRPByProcessGuid");
        v1.MapPost("/desired_lrp_scheduling_infos/list", SchedulingInfos).WithName("DesiredLRPSchedulingInfos");
        v1.MapPost("/desired_lrp_scheduling_infos/get_by_process_guid", SchedulingInfoByProcessGuid).WithName("DesiredLRPSchedulingInfoByProcessGuid");
        v1.MapPost("/desired_lrp_routing_infos/list", RoutingInfos).WithName("DesiredLRPRoutingInfos");
        v1.MapPost("/desired_lrp/desire", DesireLrp).WithName("DesireDesiredLRP_r0");
        v1.MapPost("/desired_lrp/desire.r2", DesireLrp).WithName("DesireDesiredLRP");
        v1.MapPost("/desired_lrp/update", UpdateDesiredLrp).WithName("UpdateDesireLRP");
        v1.MapPost("/desired_lrp/remove", RemoveDesiredLrp).WithName("RemoveDesiredLRP");
        return v1;
    }

    /// <summary>Each desired LRP composed from its two stored halves as the answer is written (decoded only for JSON).</summary>
    public static async Task<BbsResult<DesiredLRPsResponse>> DesiredLrps(BbsRequest<DesiredLRPsRequest> request, IDb db, CancellationToken cancellationToken) =>
        Composed(await db.DesiredLrpHalvesAsync(DesiredLrpFilter.From(request.Message), cancellationToken), DesiredLrpFields.All);

    public static async Task<BbsResult<DesiredLRPResponse>> DesiredLrpByProcessGuid(BbsRequest<DesiredLRPByProcessGuidRequest> request, IDb db, CancellationToken cancellationToken) =>
        new DesiredLRPResponse { DesiredLrp = await db.DesiredLrpByProcessGuidAsync(request.Message.ProcessGuid, cancellationToken) };

    public static async Task<BbsResult<DesiredLRPSchedulingInfosResponse>> SchedulingInfos(BbsRequest<DesiredLRPsRequest> request, IDb db, CancellationToken cancellationToken)
    {
        var records = await db.SchedulingInfoBytesAsync(DesiredLrpFilter.From(request.Message), cancellationToken);
        return BbsResult<DesiredLRPSchedulingInfosResponse>.FromRecords(DesiredLRPSchedulingInfosResponse.DesiredLrpSchedulingInfosFieldNumber, records, static rs =>
        {
            var response = new DesiredLRPSchedulingInfosResponse();
            foreach (var bytes in rs)
            {
                response.DesiredLrpSchedulingInfos.Add(DesiredLRPSchedulingInfo.Parser.ParseFrom(bytes.Span));
            }

            return response;
        });
    }

    public static async Task<BbsResult<DesiredLRPSchedulingInfoByProcessGuidResponse>> SchedulingInfoByProcessGuid(BbsRequest<DesiredLRPByProcessGuidRequest> request, IDb db, CancellationToken cancellationToken) =>
        new DesiredLRPSchedulingInfoByProcessGuidResponse { DesiredLrpSchedulingInfo = await db.SchedulingInfoByProcessGuidAsync(request.Message.ProcessGuid, cancellationToken) };

    /// <summary>Only the routing fields, composed from the stored halves like the desired LRP list.</summary>
    public static async Task<BbsResult<DesiredLRPsResponse>> RoutingInfos(BbsRequest<DesiredLRPsRequest> request, IDb db, CancellationToken cancellationToken) =>
        Composed(await db.DesiredLrpHalvesAsync(DesiredLrpFilter.From(request.Message), cancellationToken), DesiredLrpFields.Routing);

    private static BbsResult<DesiredLRPsResponse> Composed(IReadOnlyList<DesiredLrpHalves> halves, DesiredLrpFields fields) =>
        BbsResult<DesiredLRPsResponse>.FromComposed(DesiredLRPsResponse.DesiredLrpsFieldNumber, new ComposedDesiredLrps(halves, fields), () =>
        {
            var response = new DesiredLRPsResponse();
            response.DesiredLrps.AddRange(halves.Select(h => h.Decode(fields)));
            return response;
        });

    /// <summary>Desired LRPs written from their halves by <see cref="DesiredLrpEncoding"/>.</summary>
    private sealed class ComposedDesiredLrps(IReadOnlyList<DesiredLrpHalves> halves, DesiredLrpFields fields) : IComposedRecords
    {
        public int Count => halves.Count;

        public int SizeOf(int index) => DesiredLrpEncoding.ComputeSize(halves[index].SchedulingInfo.Span, halves[index].RunInfo.Span, fields);

        public void Write(int index, Span<byte> destination) =>
            DesiredLrpEncoding.Write(halves[index].SchedulingInfo.Span, halves[index].RunInfo.Span, fields, destination);
    }

    /// <summary>Writes the desired LRP with its UNCLAIMED instances, then asks for their placement.</summary>
    public static async Task<BbsResult<DesiredLRPLifecycleResponse>> DesireLrp(BbsRequest<DesireLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.DesireLrpAsync(request.Message.DesiredLrp, cancellationToken);
        placement.Auction(change.After, change.CreatedIndices);
        return new DesiredLRPLifecycleResponse();
    }

    /// <summary>A scale-up auctions the new instances; a scale-down asks the reps of the removed ones to stop them.</summary>
    public static async Task<BbsResult<DesiredLRPLifecycleResponse>> UpdateDesiredLrp(BbsRequest<UpdateDesiredLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.UpdateDesiredLrpAsync(request.Message.ProcessGuid, request.Message.Update ?? new DesiredLRPUpdate(), cancellationToken);
        placement.Auction(change.After, change.CreatedIndices);
        await placement.StopAsync(change.RemovedInstances, cancellationToken);
        return new DesiredLRPLifecycleResponse();
    }

    /// <summary>Removes the desired LRP and all its instances at once (bbs#38), then stops the running ones.</summary>
    public static async Task<BbsResult<DesiredLRPLifecycleResponse>> RemoveDesiredLrp(BbsRequest<RemoveDesiredLRPRequest> request, IDb db, LrpPlacement placement, CancellationToken cancellationToken)
    {
        var change = await db.RemoveDesiredLrpAsync(request.Message.ProcessGuid, cancellationToken);
        await placement.StopAsync(change.RemovedInstances, cancellationToken);
        return new DesiredLRPLifecycleResponse();
    }
}
