using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Client;

/// <summary>
/// The evacuation calls return BBS's <c>keep_container</c>. When they fail, the <see cref="BbsException"/> carries it
/// too (<see cref="BbsException.KeepContainer"/>): the response's value for an in-band error, else the Go client's
/// default (keep for claimed and running, delete for stopped and crashed).
/// </summary>
public sealed partial class BbsClient
{
    private const bool KeepContainer = true;
    private const bool DeleteContainer = false;

    /// <summary>
    /// An evacuating cell gives up a claimed instance. POST /v1/actual_lrps/evacuate_claimed (EvacuateClaimedActualLRP).
    /// </summary>
    public Task<bool> EvacuateClaimedActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string? traceId = null, CancellationToken cancellationToken = default) =>
        EvacuateAsync(Routes.EvacuateClaimedActualLrp, KeepContainer, new EvacuateClaimedActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = instanceKey }, traceId, cancellationToken);

    /// <summary>
    /// An evacuating cell reports a running instance. POST /v1/actual_lrps/evacuate_running.r1 (EvacuateRunningActualLRP).
    /// <paramref name="ttl"/> is E16's field 4 (whole seconds) for the evacuating record; null leaves it to the server's
    /// default, as NEW clients do. <paramref name="routable"/> null leaves the field out (read as true).
    /// </summary>
    public Task<bool> EvacuateRunningActualLrpAsync(
        ActualLRPKey key,
        ActualLRPInstanceKey instanceKey,
        ActualLRPNetInfo netInfo,
        TimeSpan? ttl = null,
        IEnumerable<ActualLRPInternalRoute>? internalRoutes = null,
        IReadOnlyDictionary<string, string>? metricTags = null,
        bool? routable = null,
        string? availabilityZone = null,
        string? traceId = null,
        CancellationToken cancellationToken = default)
    {
        var request = new EvacuateRunningActualLRPRequest
        {
            ActualLrpKey = key,
            ActualLrpInstanceKey = instanceKey,
            ActualLrpNetInfo = netInfo,
            Ttl = ttl is { } value ? Seconds32(value, nameof(ttl)) : 0,
            AvailabilityZone = availabilityZone ?? string.Empty,
        };
        AddRange(request.ActualLrpInternalRoutes, internalRoutes);
        AddRange(request.MetricTags, metricTags);
        if (routable is { } isRoutable)
        {
            request.Routable = isRoutable;
        }

        return EvacuateAsync(Routes.EvacuateRunningActualLrp, KeepContainer, request, traceId, cancellationToken);
    }

    /// <summary>
    /// An evacuating cell reports an instance stopped. POST /v1/actual_lrps/evacuate_stopped (EvacuateStoppedActualLRP).
    /// </summary>
    public Task<bool> EvacuateStoppedActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string? traceId = null, CancellationToken cancellationToken = default) =>
        EvacuateAsync(Routes.EvacuateStoppedActualLrp, DeleteContainer, new EvacuateStoppedActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = instanceKey }, traceId, cancellationToken);

    /// <summary>
    /// An evacuating cell reports an instance crashed. POST /v1/actual_lrps/evacuate_crashed (EvacuateCrashedActualLRP).
    /// </summary>
    public Task<bool> EvacuateCrashedActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string errorMessage, string? traceId = null, CancellationToken cancellationToken = default) =>
        EvacuateAsync(
            Routes.EvacuateCrashedActualLrp,
            DeleteContainer,
            new EvacuateCrashedActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = instanceKey, ErrorMessage = errorMessage },
            traceId,
            cancellationToken);

    /// <summary>
    /// Deletes the evacuating record of an instance; succeeds when there is none.
    /// POST /v1/actual_lrps/remove_evacuating (RemoveEvacuatingActualLRP).
    /// </summary>
    public async Task RemoveEvacuatingActualLrpAsync(ActualLRPKey key, ActualLRPInstanceKey instanceKey, string? traceId = null, CancellationToken cancellationToken = default)
    {
        var request = new RemoveEvacuatingActualLRPRequest { ActualLrpKey = key, ActualLrpInstanceKey = instanceKey };
        await CallAsync<RemoveEvacuatingActualLRPResponse>(Routes.RemoveEvacuatingActualLrp, request, traceId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> EvacuateAsync(BbsRoute route, bool keepContainerWithoutAnswer, IMessage request, string? traceId, CancellationToken cancellationToken)
    {
        EvacuationResponse response;
        try
        {
            response = await SendAsync<EvacuationResponse>(route, request, traceId, cancellationToken).ConfigureAwait(false);
        }
        catch (BbsException ex)
        {
            ex.KeepContainer = keepContainerWithoutAnswer;
            throw;
        }

        if (response.Error is { } error)
        {
            throw new BbsException(error) { KeepContainer = response.KeepContainer };
        }

        return response.KeepContainer;
    }
}
