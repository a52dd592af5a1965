using Bbs.Client.Events;
using Bbs.Models;
using Google.Protobuf;

namespace Bbs.Client;

/// <summary>
/// The event streams. Each call opens one <see cref="BbsEventStream"/> and returns once the server has accepted the
/// subscription (HTTP 200); see that type for reading, reconnection and lifetime. Like NEW's Go client, the LRP
/// streams always send an EventsByCellId body (empty: no filter), also on the GET route.
/// </summary>
public sealed partial class BbsClient
{
    /// <summary>
    /// Desired-LRP and actual-LRP group events (plus <c>actual_lrp_crashed</c>), only those of
    /// <paramref name="cellId"/>'s actual LRPs when given. GET /v1/events.r1 (EventStream).
    /// </summary>
    public Task<BbsEventStream> SubscribeToLrpEventsAsync(string? cellId = null, BbsEventStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Routes.EventStream, new EventsByCellId { CellId = cellId ?? string.Empty }, options, cancellationToken);

    /// <summary>
    /// Desired-LRP and actual-LRP instance events (plus <c>actual_lrp_crashed</c>), only those of
    /// <paramref name="cellId"/>'s instances when given. POST /v1/events/lrp_instances.r1 (LRPInstanceEventStream).
    /// </summary>
    public Task<BbsEventStream> SubscribeToInstanceEventsAsync(string? cellId = null, BbsEventStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Routes.LrpInstanceEventStream, new EventsByCellId { CellId = cellId ?? string.Empty }, options, cancellationToken);

    /// <summary>Task events. POST /v1/events/tasks.r1 (TaskEventStream).</summary>
    public Task<BbsEventStream> SubscribeToTaskEventsAsync(BbsEventStreamOptions? options = null, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Routes.TaskEventStream, null, options, cancellationToken);

    private Task<BbsEventStream> SubscribeAsync(BbsRoute route, IMessage? filter, BbsEventStreamOptions? options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var request = new EventStreamRequest(_http, new Uri(_baseAddress, route.Path), HttpMethod.Parse(route.Method), filter?.ToByteArray(), NewTraceId());
        return BbsEventStream.OpenAsync(request, options ?? new BbsEventStreamOptions(), cancellationToken);
    }
}
