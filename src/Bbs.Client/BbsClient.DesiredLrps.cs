using Bbs.Models;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>The desired LRPs matching <paramref name="filter"/> (all when null). POST /v1/desired_lrps/list.r3 (DesiredLRPs).</summary>
    public async Task<IReadOnlyList<DesiredLRP>> DesiredLrpsAsync(DesiredLrpFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync<DesiredLRPsResponse>(Routes.DesiredLrps, ToRequest(filter), traceId, cancellationToken).ConfigureAwait(false);
        return response.DesiredLrps;
    }

    /// <summary>
    /// One desired LRP; ResourceNotFound when there is none.
    /// POST /v1/desired_lrps/get_by_process_guid.r3 (DesiredLRPByProcessGuid).
    /// </summary>
    public async Task<DesiredLRP> DesiredLrpByProcessGuidAsync(string processGuid, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new DesiredLRPByProcessGuidRequest { ProcessGuid = processGuid };
        var response = await CallAsync<DesiredLRPResponse>(Routes.DesiredLrpByProcessGuid, request, traceId, cancellationToken).ConfigureAwait(false);
        return Required(response.DesiredLrp, "desired_lrp");
    }

    /// <summary>
    /// The scheduling infos of the desired LRPs matching <paramref name="filter"/>.
    /// POST /v1/desired_lrp_scheduling_infos/list (DesiredLRPSchedulingInfos).
    /// </summary>
    public async Task<IReadOnlyList<DesiredLRPSchedulingInfo>> DesiredLrpSchedulingInfosAsync(DesiredLrpFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync<DesiredLRPSchedulingInfosResponse>(Routes.DesiredLrpSchedulingInfos, ToRequest(filter), traceId, cancellationToken).ConfigureAwait(false);
        return response.DesiredLrpSchedulingInfos;
    }

    /// <summary>
    /// One desired LRP's scheduling info; ResourceNotFound when there is none.
    /// POST /v1/desired_lrp_scheduling_infos/get_by_process_guid (DesiredLRPSchedulingInfoByProcessGuid).
    /// </summary>
    public async Task<DesiredLRPSchedulingInfo> DesiredLrpSchedulingInfoByProcessGuidAsync(string processGuid, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new DesiredLRPByProcessGuidRequest { ProcessGuid = processGuid };
        var response = await CallAsync<DesiredLRPSchedulingInfoByProcessGuidResponse>(Routes.DesiredLrpSchedulingInfoByProcessGuid, request, traceId, cancellationToken).ConfigureAwait(false);
        return Required(response.DesiredLrpSchedulingInfo, "desired_lrp_scheduling_info");
    }

    /// <summary>
    /// The desired LRPs matching <paramref name="filter"/> with only their routing fields filled.
    /// POST /v1/desired_lrp_routing_infos/list (DesiredLRPRoutingInfos).
    /// </summary>
    public async Task<IReadOnlyList<DesiredLRP>> DesiredLrpRoutingInfosAsync(DesiredLrpFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var response = await CallAsync<DesiredLRPsResponse>(Routes.DesiredLrpRoutingInfos, ToRequest(filter), traceId, cancellationToken).ConfigureAwait(false);
        return response.DesiredLrps;
    }

    /// <summary>Desires an LRP, creating its unclaimed instances. POST /v1/desired_lrp/desire.r2 (DesireDesiredLRP).</summary>
    public async Task DesireLrpAsync(DesiredLRP desiredLrp, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new DesireLRPRequest { DesiredLrp = desiredLrp };
        await CallAsync<DesiredLRPLifecycleResponse>(Routes.DesireDesiredLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes instances, routes, annotation or metric tags of a desired LRP. POST /v1/desired_lrp/update (UpdateDesireLRP).</summary>
    public async Task UpdateDesiredLrpAsync(string processGuid, DesiredLRPUpdate update, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new UpdateDesiredLRPRequest { ProcessGuid = processGuid, Update = update };
        await CallAsync<DesiredLRPLifecycleResponse>(Routes.UpdateDesiredLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a desired LRP and retires its instances. POST /v1/desired_lrp/remove (RemoveDesiredLRP).</summary>
    public async Task RemoveDesiredLrpAsync(string processGuid, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new RemoveDesiredLRPRequest { ProcessGuid = processGuid };
        await CallAsync<DesiredLRPLifecycleResponse>(Routes.RemoveDesiredLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    private static DesiredLRPsRequest ToRequest(DesiredLrpFilter? filter)
    {
        var request = new DesiredLRPsRequest { Domain = filter?.Domain ?? string.Empty };
        AddRange(request.ProcessGuids, filter?.ProcessGuids);
        AddRange(request.AppGuids, filter?.AppGuids);
        return request;
    }
}
