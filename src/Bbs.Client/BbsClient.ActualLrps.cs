using Bbs.Models;
using Google.Protobuf.Collections;

namespace Bbs.Client;

public sealed partial class BbsClient
{
    /// <summary>
    /// The actual LRPs matching <paramref name="filter"/> (all when null), ordinary and evacuating alike.
    /// POST /v1/actual_lrps/list (ActualLRPs).
    /// </summary>
    public async Task<IReadOnlyList<ActualLRP>> ActualLrpsAsync(ActualLrpFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ActualLRPsRequest
        {
            Domain = filter?.Domain ?? string.Empty,
            CellId = filter?.CellId ?? string.Empty,
            ProcessGuid = filter?.ProcessGuid ?? string.Empty,
        };
        if (filter?.Index is { } index)
        {
            request.Index = index;
        }

        var response = await CallAsync<ActualLRPsResponse>(Routes.ActualLrps, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.ActualLrps;
    }

    /// <summary>
    /// The actual LRPs of the given process guids (which must not be empty).
    /// POST /v1/actual_lrps/list_by_process_guids (ActualLRPsByProcessGuids).
    /// </summary>
    public async Task<IReadOnlyList<ActualLRP>> ActualLrpsByProcessGuidsAsync(IEnumerable<string> processGuids, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ActualLRPsByProcessGuidsRequest { ProcessGuids = { processGuids } };
        var response = await CallAsync<ActualLRPsByProcessGuidsResponse>(Routes.ActualLrpsByProcessGuids, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.ActualLrps;
    }

    /// <summary>
    /// The actual LRP groups (instance and evacuating) matching the filter's domain and cell id; its process guid
    /// and index are ignored, as in Go. POST /v1/actual_lrp_groups/list (ActualLRPGroups, deprecated).
    /// </summary>
    public async Task<IReadOnlyList<ActualLRPGroup>> ActualLrpGroupsAsync(ActualLrpFilter? filter = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ActualLRPGroupsRequest { Domain = filter?.Domain ?? string.Empty, CellId = filter?.CellId ?? string.Empty };
        var response = await CallAsync<ActualLRPGroupsResponse>(Routes.ActualLrpGroups, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.ActualLrpGroups;
    }

    /// <summary>
    /// The actual LRP groups of one process guid.
    /// POST /v1/actual_lrp_groups/list_by_process_guid (ActualLRPGroupsByProcessGuid, deprecated).
    /// </summary>
    public async Task<IReadOnlyList<ActualLRPGroup>> ActualLrpGroupsByProcessGuidAsync(string processGuid, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ActualLRPGroupsByProcessGuidRequest { ProcessGuid = processGuid };
        var response = await CallAsync<ActualLRPGroupsResponse>(Routes.ActualLrpGroupsByProcessGuid, request, traceId, cancellationToken).ConfigureAwait(false);
        return response.ActualLrpGroups;
    }

    /// <summary>
    /// The actual LRP group at one index; ResourceNotFound when there is none.
    /// POST /v1/actual_lrp_groups/get_by_process_guid_and_index (ActualLRPGroupsByProcessGuidAndIndex, deprecated).
    /// </summary>
    public async Task<ActualLRPGroup> ActualLrpGroupByProcessGuidAndIndexAsync(string processGuid, int index, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ActualLRPGroupByProcessGuidAndIndexRequest { ProcessGuid = processGuid, Index = index };
        var response = await CallAsync<ActualLRPGroupResponse>(Routes.ActualLrpGroupByProcessGuidAndIndex, request, traceId, cancellationToken).ConfigureAwait(false);
        return Required(response.ActualLrpGroup, "actual_lrp_group");
    }

    /// <summary>A cell claims an instance. POST /v1/actual_lrps/claim (ClaimActualLRP).</summary>
    public async Task ClaimActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey instanceKey, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new ClaimActualLRPRequest { ProcessGuid = processGuid, Index = index, ActualLrpInstanceKey = instanceKey };
        await CallAsync<ActualLRPLifecycleResponse>(Routes.ClaimActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A cell reports an instance running. POST /v1/actual_lrps/start.r1 (StartActualLRP).
    /// <paramref name="routable"/> null leaves the field out, which BBS reads as true.
    /// </summary>
    public async Task StartActualLrpAsync(
        ActualLRPKey key,
        ActualLRPInstanceKey instanceKey,
        ActualLRPNetInfo netInfo,
        IEnumerable<ActualLRPInternalRoute>? internalRoutes = null,
        IReadOnlyDictionary<string, string>? metricTags = null,
        bool? routable = null,
        string? availabilityZone = null,
        string? traceId = null,
        CancellationToken cancellationToken = default)
    {
        var request = new StartActualLRPRequest
        {
            ActualLrpKey = key,
            ActualLrpInstanceKey = instanceKey,
            ActualLrpNetInfo = netInfo,
            AvailabilityZone = availabilityZone ?? string.Empty,
        };
        AddRange(request.ActualLrpInternalRoutes, internalRoutes);
        AddRange(request.MetricTags, metricTags);
        if (routable is { } value)
        {
            request.Routable = value;
        }

        await CallAsync<ActualLRPLifecycleResponse>(Routes.StartActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A cell reports an instance crashed. POST /v1/actual_lrps/crash (CrashActualLRP).</summary>
    public async Task CrashActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string errorMessage, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new CrashActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = instanceKey, ErrorMessage = errorMessage };
        await CallAsync<ActualLRPLifecycleResponse>(Routes.CrashActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that an unclaimed instance could not be placed. POST /v1/actual_lrps/fail (FailActualLRP).</summary>
    public async Task FailActualLrpAsync(ActualLRPKey key, string errorMessage, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new FailActualLRPRequest { ActualLrpKey = key, ErrorMessage = errorMessage };
        await CallAsync<ActualLRPLifecycleResponse>(Routes.FailActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes an instance record; with <paramref name="instanceKey"/>, only if it still carries that key.
    /// POST /v1/actual_lrps/remove (RemoveActualLRP).
    /// </summary>
    public async Task RemoveActualLrpAsync(string processGuid, int index, ActualLRPInstanceKey? instanceKey = null, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new RemoveActualLRPRequest { ProcessGuid = processGuid, Index = index, ActualLrpInstanceKey = instanceKey };
        await CallAsync<ActualLRPLifecycleResponse>(Routes.RemoveActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops an instance without changing the desired state. POST /v1/actual_lrps/retire (RetireActualLRP).</summary>
    public async Task RetireActualLrpAsync(ActualLRPKey key, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new RetireActualLRPRequest { ActualLrpKey = key };
        await CallAsync<ActualLRPLifecycleResponse>(Routes.RetireActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    private static void AddRange<T>(RepeatedField<T> field, IEnumerable<T>? items)
    {
        if (items is not null)
        {
            field.Add(items);
        }
    }

    private static void AddRange(MapField<string, string> field, IReadOnlyDictionary<string, string>? items)
    {
        foreach (var (name, value) in items ?? new Dictionary<string, string>())
        {
            field[name] = value;
        }
    }
}
